namespace SSeg.Ingest.Stage;

/// <summary>
/// Image bodies are mostly over 85 KB, so they live on the large-object heap, which the GC only sweeps in
/// (rare) gen-2 collections: left alone, a run's RSS climbs towards the whole shard's bytes before the GC
/// reacts. A compacting gen-2 collection after every 64 MB of bodies keeps memory flat at a small CPU cost
/// (a few milliseconds per ~600 images).
/// </summary>
internal static class LargeObjectReclaimer
{
    private const long Step = 64L << 20;
    private static long _allocated;

    public static void Allocated(long bytes)
    {
        var after = Interlocked.Add(ref _allocated, bytes);
        if (after / Step != (after - bytes) / Step)
        {
            System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
    }
}
