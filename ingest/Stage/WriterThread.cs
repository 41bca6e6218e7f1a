namespace SSeg.Ingest.Stage;

/// <summary>
/// The shard writer (and the reader a retry copies from) is driven from one dedicated thread. Parquet.Net rents
/// row-group-sized arrays (16 and 32 MiB at the default 16 MiB row group) from ArrayPool&lt;byte&gt;.Shared, which
/// caches returned arrays per thread; a writer driven by await continuations hops across thread-pool threads and
/// left such a pair cached on nearly every pool thread: 200–300 MB that no GC frees, most of the former 533 MB
/// peak RSS. Each call starts on this thread and blocks it until done, so mainly its own cache fills.
/// </summary>
internal static class WriterThread
{
    public static Task RunAsync(Action body, CancellationToken ct) =>
        Task.Factory.StartNew(body, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public static void Wait(Task pending) => pending.GetAwaiter().GetResult();

    public static void Wait(ValueTask pending)
    {
        if (!pending.IsCompletedSuccessfully) pending.AsTask().GetAwaiter().GetResult();
    }

    public static T Wait<T>(ValueTask<T> pending) => pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
}
