using System.Diagnostics;
using System.Collections.Concurrent;
using SSeg.Models;
using SSeg.Shards;

namespace SSeg.Pseudomask;

/// <summary>Progress of one shard: images done (masked or failed) out of the shard's rows.</summary>
public sealed record PseudomaskProgress(int Shard, long Done, long Total);

/// <summary>A sample that got no mask (undecodable image), with the reason.</summary>
public sealed record MaskFailure(string Key, string Reason, string Detail);

/// <summary>What one shard job did.</summary>
public sealed record PseudomaskShardSummary(
    int Shard,
    string GeneratorId,
    bool Skipped,
    long Images,
    long Masks,
    IReadOnlyList<MaskFailure> Failures,
    double Seconds,
    IReadOnlyDictionary<string, double> TimingsSeconds)
{
    public double ImagesPerSecond => Seconds > 0 ? Masks / Seconds : 0;

    /// <summary>The masks replaced an older version made from another image shard (the image shard was rebuilt).</summary>
    public bool Rebuilt { get; init; }
}

/// <summary>
/// The pseudomask stage: one job per image shard (read shard -> decode/resize -> features -> k-means -> PNG ->
/// mask shard). Idempotent: a committed mask shard made from the same image shard content and generator settings
/// (<see cref="MaskInputFingerprint"/>) is skipped, one made from an older version of its image shard is recomputed
/// and committed as its next version; an interrupted job leaves nothing visible and simply runs again. Decoding runs on a background task, bounded, while the model works on the previous batch.
/// </summary>
public static class PseudomaskStage
{
    /// <summary>Runs one shard, building (and disposing) the generator.</summary>
    public static async Task<PseudomaskShardSummary> RunShardAsync(PseudomaskOptions options, int shardIndex,
        IProgress<PseudomaskProgress>? progress = null, CancellationToken ct = default, Action<string>? log = null)
    {
        var store = DatasetStore.Open(options.Root, options.AzureConnectionString);
        var dataset = store.Dataset(options.Dataset);
        // Skip before loading a model when the shard is already done.
        var generatorId = options.GeneratorId ?? PseudomaskGenerator.GeneratorIdFor(options.Generator);
        if ((await CommittedAsync(dataset, generatorId, options.Generator, shardIndex, ct)).Unchanged) return SkippedSummary(shardIndex, generatorId);
        using var generator = new PseudomaskGenerator(options.Generator, DefaultModelsDir(options.Root), log);
        return await RunShardAsync(dataset, generator, generatorId, shardIndex, progress, ct);
    }

    /// <summary>
    /// Runs <paramref name="shards"/> in order with one generator. An unreadable image shard becomes a failure entry
    /// and the run goes on with the next shard, so one bad file costs one shard, not the stage.
    /// </summary>
    public static async Task<PseudomaskRunResult> RunShardsAsync(Dataset dataset, PseudomaskGenerator generator, string generatorId,
        IEnumerable<int> shards, Func<int, IProgress<PseudomaskProgress>?>? progressFor = null, CancellationToken ct = default)
    {
        var done = new List<PseudomaskShardSummary>();
        var failed = new List<PseudomaskShardFailure>();
        foreach (var shard in shards)
        {
            try
            {
                done.Add(await RunShardAsync(dataset, generator, generatorId, shard, progressFor?.Invoke(shard), ct));
            }
            catch (UnreadableShardException e)
            {
                failed.Add(new PseudomaskShardFailure(shard, e.Path, e.Reason));
            }
        }
        return new PseudomaskRunResult(done, failed);
    }

    /// <summary>Runs one shard with a generator the caller keeps (reuse over many shards).</summary>
    /// <exception cref="UnreadableShardException">The image shard's file cannot be read.</exception>
    public static async Task<PseudomaskShardSummary> RunShardAsync(Dataset dataset, PseudomaskGenerator generator, string generatorId,
        int shardIndex, IProgress<PseudomaskProgress>? progress = null, CancellationToken ct = default)
    {
        var (unchanged, stale, fingerprint) = await CommittedAsync(dataset, generatorId, generator.Options, shardIndex, ct);
        if (unchanged) return SkippedSummary(shardIndex, generatorId);
        var clock = Stopwatch.StartNew();
        var timings = new PhaseTimings();

        await using var reader = await dataset.OpenImageShardAsync(shardIndex, ct);
        var total = reader.RowCount;
        var masks = new MaskRow?[total];
        var failures = new List<MaskFailure>();
        long done = 0;

        // Decoding runs on a pool task; all torch work runs on one dedicated thread (libtorch's OpenMP team and
        // thread settings are per calling thread, so hopping between pool threads costs time).
        using var queue = new BlockingCollection<PreparedOrFailed>(Math.Max(2, generator.Options.BatchSize * 2));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var producer = Task.Run(() => DecodeAsync(reader, generator.Preprocessor, queue, timings, linked.Token), linked.Token);
        var consumer = Task.Factory.StartNew(() =>
        {
            DeviceSelector.SetThreads(generator.Options.Threads);
            var buckets = new Dictionary<(int, int), List<PreparedImage>>();
            foreach (var item in queue.GetConsumingEnumerable(linked.Token))
            {
                if (item.Failure is not null)
                {
                    failures.Add(item.Failure);
                    progress?.Report(new PseudomaskProgress(shardIndex, ++done, total));
                    continue;
                }
                var image = item.Image!;
                if (!buckets.TryGetValue((image.Height, image.Width), out var bucket))
                    buckets[(image.Height, image.Width)] = bucket = new List<PreparedImage>(generator.Options.BatchSize);
                bucket.Add(image);
                if (bucket.Count >= generator.Options.BatchSize)
                {
                    done += RunBatch(generator, bucket, masks, timings);
                    bucket.Clear();
                    progress?.Report(new PseudomaskProgress(shardIndex, done, total));
                }
            }
            foreach (var bucket in buckets.Values.Where(b => b.Count > 0))
            {
                done += RunBatch(generator, bucket, masks, timings);
                progress?.Report(new PseudomaskProgress(shardIndex, done, total));
            }
        }, linked.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        try
        {
            await consumer;
            await producer;
        }
        catch
        {
            await linked.CancelAsync();
            try { await producer; } catch { /* the original error wins */ }
            try { await consumer; } catch { /* the original error wins */ }
            throw;
        }

        var write = Stopwatch.StartNew();
        await using (var writer = stale is null
            ? await dataset.CreateMaskShardWriterAsync(generator.Describe(generatorId), shardIndex, ct: ct)
            : await dataset.CreateReplacementMaskShardWriterAsync(generator.Describe(generatorId), stale, ct: ct))
        {
            writer.InputFingerprint = fingerprint;
            foreach (var row in masks)
                if (row is not null) await writer.AddAsync(row, ct);
            var result = await writer.CommitAsync(ct);
            if (stale is not null && !result.Replaced)
                throw new InvalidOperationException(
                    $"mask shard {shardIndex} of {generatorId} changed while it was rebuilt (was version {stale.Version}); nothing replaced, run again");
        }
        timings.Write += write.Elapsed.TotalSeconds;
        return new PseudomaskShardSummary(shardIndex, generatorId, false, total, masks.Count(m => m is not null), failures,
            clock.Elapsed.TotalSeconds, timings.ToDictionary()) { Rebuilt = stale is not null };
    }

    /// <summary>
    /// What mask shard <paramref name="shardIndex"/> is made from: its image shard's content (SHA-256, which changes
    /// when ingest rebuilds the shard) and the generator settings (the default generator id spells them out, and a
    /// pinned id may hide them).
    /// </summary>
    public static string MaskInputFingerprint(ShardEntry imageShard, GeneratorOptions generator) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes($"{imageShard.Sha256}\n{PseudomaskGenerator.GeneratorIdFor(generator)}")));

    /// <summary>Whether the committed mask shard is current; else the stale entry to replace (null: none committed)
    /// and the fingerprint of the masks to write.</summary>
    private static async Task<(bool Unchanged, ShardEntry? Stale, string? Fingerprint)> CommittedAsync(Dataset dataset, string generatorId,
        GeneratorOptions generator, int shardIndex, CancellationToken ct)
    {
        // Two probes by name, not the dataset's entries: their cost does not grow with the number of shards.
        var found = await Task.WhenAll(
            dataset.FindCommittedAsync(ShardNames.ImagesKind, shardIndex, ct),
            dataset.FindCommittedAsync(ShardNames.MasksKind(generatorId), shardIndex, ct));
        var (image, mask) = (found[0], found[1]);
        var fingerprint = image is null ? null : MaskInputFingerprint(image, generator);
        return mask is not null && fingerprint is not null && mask.InputFingerprint == fingerprint ? (true, null, fingerprint) : (false, mask, fingerprint);
    }

    /// <summary>Indices of the committed image shards of a dataset.</summary>
    public static async Task<IReadOnlyList<int>> ImageShardsAsync(PseudomaskOptions options, CancellationToken ct = default)
    {
        var dataset = DatasetStore.Open(options.Root, options.AzureConnectionString).Dataset(options.Dataset);
        var index = await dataset.GetIndexAsync(ct);
        return index.ImageShards.Select(s => s.Index).ToList();
    }

    /// <summary>&lt;root&gt;/models for local roots (where official weights may be placed); null for Blob roots.</summary>
    public static string? DefaultModelsDir(string root) =>
        root.StartsWith("az://", StringComparison.OrdinalIgnoreCase) ? null : Path.Combine(Path.GetFullPath(root), "models");

    private static PseudomaskShardSummary SkippedSummary(int shard, string generatorId) =>
        new(shard, generatorId, true, 0, 0, [], 0, new Dictionary<string, double>());

    private static int RunBatch(PseudomaskGenerator generator, List<PreparedImage> batch, MaskRow?[] masks, PhaseTimings timings)
    {
        var maps = generator.Generate(batch, timings);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < batch.Count; i++)
        {
            var map = maps[i];
            masks[batch[i].Index] = new MaskRow(batch[i].Key, MaskPng.Encode(map.Height, map.Width, map.Ids), map.Height, map.Width, map.Segments);
        }
        timings.Encode += clock.Elapsed.TotalSeconds;
        return batch.Count;
    }

    private static async Task DecodeAsync(ImageShardReader reader, ImagePreprocessor preprocessor, BlockingCollection<PreparedOrFailed> output,
        PhaseTimings timings, CancellationToken ct)
    {
        try
        {
            var index = 0;
            await foreach (var group in reader.ReadRowGroupsAsync(ImageColumns.Key | ImageColumns.Image, ct))
            {
                foreach (var row in group)
                {
                    var clock = Stopwatch.StartNew();
                    PreparedOrFailed item;
                    try
                    {
                        item = new PreparedOrFailed(preprocessor.Prepare(row.Key, index, row.ImageBytes), null);
                    }
                    catch (InvalidDataException e)
                    {
                        item = new PreparedOrFailed(null, new MaskFailure(row.Key, "decode_error", e.Message));
                    }
                    timings.Decode += clock.Elapsed.TotalSeconds;
                    index++;
                    output.Add(item, ct);
                }
            }
        }
        finally
        {
            output.CompleteAdding();
        }
    }

    private sealed record PreparedOrFailed(PreparedImage? Image, MaskFailure? Failure);
}
