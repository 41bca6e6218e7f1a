using System.Diagnostics;
using System.Threading.Channels;
using SSeg.Ingest.Download;
using SSeg.Ingest.Images;
using SSeg.Ingest.Manifests;
using SSeg.Shards;

namespace SSeg.Ingest.Stage;

/// <summary>One row to fetch: the manifest entry and its sample key.</summary>
internal sealed record WorkItem(ManifestEntry Entry, string Key);

/// <summary>What became of one row: exactly one of Row or Failure.</summary>
internal readonly record struct SampleOutcome(ImageRow? Row, FailureRow? Failure, bool Reencoded);

/// <summary>Running totals a shard run reports in stats.json.</summary>
internal sealed class PipelineCounters
{
    public long BytesDownloaded, Attempts, Reencoded, PassedThrough, TaggerFailures;
    public long DownloadTicks, ProcessTicks, TagTicks;
}

/// <summary>
/// download (many concurrent requests) → bounded channel → process + tag (one worker per core) → bounded channel →
/// the caller's sink (single consumer). Bounded channels keep the number of bodies in memory fixed.
/// </summary>
internal static class SamplePipeline
{
    /// <summary>Downloads and processes <paramref name="work"/> into <paramref name="writer"/>: each item becomes a row or a failure.</summary>
    public static async Task IngestIntoAsync(IReadOnlyList<WorkItem> work, IngestOptions options, ImageShardWriter writer,
        IngestStage.Tally tally, PipelineCounters counters, CancellationToken ct)
    {
        using var downloader = new ImageDownloader(options.Download);
        var processor = new ImageProcessor(options.Image);
        try
        {
            await RunAsync(work, options, downloader, processor, async outcome =>
            {
                if (outcome.Row is not null) await writer.AddAsync(outcome.Row, ct);
                else tally.Add(writer, outcome.Failure!);
                tally.Done(outcome.Row is not null, counters.BytesDownloaded);
            }, counters, ct);
        }
        finally
        {
            ImageProcessor.ReleaseRetainedMemory();
        }
    }

    public static async Task RunAsync(
        IReadOnlyList<WorkItem> items,
        IngestOptions options,
        ImageDownloader downloader,
        ImageProcessor processor,
        Func<SampleOutcome, ValueTask> sink,
        PipelineCounters counters,
        CancellationToken ct)
    {
        var workers = Math.Max(1, options.ProcessWorkers);
        var downloaded = Channel.CreateBounded<(WorkItem Item, DownloadResult Result)>(
            new BoundedChannelOptions(workers * 4) { SingleReader = false, SingleWriter = false });
        var outcomes = Channel.CreateBounded<SampleOutcome>(new BoundedChannelOptions(workers * 4) { SingleReader = true });
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var token = linked.Token;

        var next = -1;
        async Task DownloadLoop()
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= items.Count) return;
                var item = items[i];
                var t0 = Stopwatch.GetTimestamp();
                var result = await downloader.DownloadAsync(item.Entry.Url!, token);
                Interlocked.Add(ref counters.DownloadTicks, Stopwatch.GetTimestamp() - t0);
                Interlocked.Add(ref counters.Attempts, result.Attempts);
                if (result.Body is not null) Interlocked.Add(ref counters.BytesDownloaded, result.Body.Length);
                await downloaded.Writer.WriteAsync((item, result), token);
            }
        }

        // CPU work runs on dedicated threads, not the thread pool: a pool busy decoding would delay the I/O
        // continuations of the downloads and make their deadlines fire.
        void ProcessLoop()
        {
            var reader = downloaded.Reader;
            while (reader.WaitToReadAsync(token).AsTask().GetAwaiter().GetResult())
            {
                while (reader.TryRead(out var work))
                {
                    var outcome = Process(work.Item, work.Result, options, processor, counters);
                    var write = outcomes.Writer.WriteAsync(outcome, token);
                    if (!write.IsCompletedSuccessfully) write.AsTask().GetAwaiter().GetResult();
                }
            }
        }

        var downloadTasks = Enumerable.Range(0, Math.Max(1, Math.Min(options.DownloadConcurrency, items.Count)))
            .Select(_ => Task.Run(DownloadLoop, token)).ToArray();
        var processTasks = Enumerable.Range(0, workers)
            .Select(_ => Task.Factory.StartNew(ProcessLoop, token, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        var closeDownloads = Task.WhenAll(downloadTasks).ContinueWith(t => downloaded.Writer.TryComplete(t.Exception), TaskScheduler.Default);
        var closeOutcomes = Task.WhenAll(processTasks).ContinueWith(t => outcomes.Writer.TryComplete(t.Exception), TaskScheduler.Default);
        try
        {
            await WriterThread.RunAsync(() => SinkLoop(outcomes.Reader, sink, token), token);
            await Task.WhenAll(downloadTasks);
            await Task.WhenAll(processTasks);
        }
        catch
        {
            await linked.CancelAsync();
            try { await Task.WhenAll(downloadTasks.Concat(processTasks)); } catch { /* the first error is rethrown below */ }
            throw;
        }
        finally
        {
            await closeDownloads;
            await closeOutcomes;
        }
    }

    /// <summary>The sink (the shard writer) runs on one dedicated thread: see <see cref="WriterThread"/>.</summary>
    private static void SinkLoop(ChannelReader<SampleOutcome> reader, Func<SampleOutcome, ValueTask> sink, CancellationToken token)
    {
        while (WriterThread.Wait(reader.WaitToReadAsync(token)))
            while (reader.TryRead(out var outcome))
                WriterThread.Wait(sink(outcome));
    }

    private static SampleOutcome Process(WorkItem item, DownloadResult result, IngestOptions options, ImageProcessor processor, PipelineCounters counters)
    {
        var e = item.Entry;
        if (!result.Ok)
            return new SampleOutcome(null, new FailureRow(e.Url, item.Key, result.FailureReason!, result.Detail), false);
        var t0 = Stopwatch.GetTimestamp();
        ProcessedImage image;
        try
        {
            image = processor.Process(result.Body!);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new SampleOutcome(null, new FailureRow(e.Url, item.Key, FailureReasons.DecodeError, $"{ex.GetType().Name}: {ex.Message}"), false);
        }
        finally
        {
            Interlocked.Add(ref counters.ProcessTicks, Stopwatch.GetTimestamp() - t0);
        }
        if (!image.Ok)
            return new SampleOutcome(null, new FailureRow(e.Url, item.Key, image.FailureReason!, image.Detail), false);
        if (options.Download.PlaceholderSha256.Contains(image.Sha256))
            return new SampleOutcome(null, new FailureRow(e.Url, item.Key, FailureReasons.Placeholder, $"known placeholder image sha256 {image.Sha256}"), false);
        Interlocked.Increment(ref image.Reencoded ? ref counters.Reencoded : ref counters.PassedThrough);

        var t1 = Stopwatch.GetTimestamp();
        var (nouns, verbs, tagFailed) = CaptionTagging.Tag(e.Caption!);
        Interlocked.Add(ref counters.TagTicks, Stopwatch.GetTimestamp() - t1);
        if (tagFailed) Interlocked.Increment(ref counters.TaggerFailures);

        var row = new ImageRow(item.Key, image.Jpeg!, e.Caption!, nouns, verbs, e.Url!, e.Source,
            image.Width, image.Height, image.OriginalWidth, image.OriginalHeight, image.Sha256, e.ExtraJson);
        return new SampleOutcome(row, null, image.Reencoded);
    }
}
