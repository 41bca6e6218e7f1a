namespace SSeg.Pipelines.Cli.Ingest;

/// <summary>
/// `--gc-heap-limit-mb`: an optional hard limit on the managed heap, applied at run time (AppContext
/// GCHeapHardLimit + GC.RefreshMemoryLimit). Not needed for flat memory (a default run stays near 0.4 GB); it is a
/// guard for machines where the stage shares memory. Too small a limit for the downloads in flight and the shard
/// writer's row group fails with OutOfMemoryException, so keep it well above concurrency × typical body size plus
/// a few row groups.
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
