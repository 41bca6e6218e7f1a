namespace SSeg.Pipelines.Cli.Ingest;

/// <summary>
/// `--gc-heap-limit-mb`: a hard limit on the managed heap, applied at run time. Image bodies live on the
/// large-object heap, and without a limit the GC lets it grow (fragmented, mostly free) far beyond the live data
/// (tens of MB); a limit makes it reuse that space. Too small a limit for the downloads in flight fails with
/// OutOfMemoryException, so keep it well above concurrency × typical body size.
/// </summary>
internal static class GcHeapLimit
{
    public static void Apply(int megabytes)
    {
        if (megabytes <= 0) return;
        AppContext.SetData("GCHeapHardLimit", (ulong)megabytes << 20);
        GC.RefreshMemoryLimit();
    }
}
