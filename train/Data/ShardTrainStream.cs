using SSeg.Runs;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using SSeg.Shards;
using SSeg.Train.Text;

namespace SSeg.Train.Data;

/// <summary>
/// Streams training samples from a dataset's image shards joined by key with one mask generator's shards:
/// per epoch a seeded shard order, each shard's rows in key order, a bounded shuffle buffer across shards, and
/// parallel decode/augment workers whose results are consumed in order (bounded look-ahead). The sample sequence is
/// a function of (seed, epoch, shard contents) only: neither the rows' order in the file nor the number or timing of
/// decode workers changes it. Memory holds the shuffle buffer plus two shards' encoded rows (the one being
/// emitted and the next, read ahead).
/// Undecodable images and images without a mask are skipped and counted (see <see cref="Failures"/>).
/// </summary>
public sealed class ShardTrainStream(Dataset dataset, TrainDataOptions options, BpeTokenizer tokenizer)
{
    private readonly PromptBuilder _prompts = new(options.PromptWords, Text.PromptTemplates.ByName(options.PromptTemplates));
    private long _failures;
    private long _missingMasks;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> _skippedShards = new();

    public TrainDataOptions Options { get; } = options;
    public long Failures => Interlocked.Read(ref _failures);
    public long MissingMasks => Interlocked.Read(ref _missingMasks);
    /// <summary>Shards left out mid-run with <see cref="TrainDataOptions.SkipUnreadableShards"/>: the reader's error, by image shard index.</summary>
    public IReadOnlyDictionary<int, string> SkippedShards => _skippedShards;
    /// <summary>Last few failures ("key: reason"), newest last.</summary>
    public ConcurrentRing<string> RecentFailures { get; } = new(20);

    /// <summary>Image shard indices that have a committed mask shard of the generator (less <see cref="TrainDataOptions.ExcludedShards"/>),
    /// and their mask row total.</summary>
    public async Task<(IReadOnlyList<int> Shards, long Samples)> DescribeAsync(CancellationToken ct = default)
    {
        // The index's heads (rows by shard) suffice: called once an epoch, it must not read every shard's entry.
        var index = await dataset.GetIndexAsync(ct);
        var masksKind = ShardNames.MasksKind(Options.MaskGenerator);
        var shards = new List<int>();
        long samples = 0;
        foreach (var image in index.ImageShards)
            if (!Options.ExcludedShards.Contains(image.Index) && index.Find(masksKind, image.Index) is { } mask)
            {
                shards.Add(image.Index);
                samples += Math.Min(mask.Rows, image.Rows);
            }
        if (shards.Count == 0)
            throw new InvalidOperationException(
                $"dataset '{dataset.Name}' has no image shard with committed masks of generator '{Options.MaskGenerator}' " +
                $"(generators: {string.Join(", ", index.Generators.Keys.DefaultIfEmpty("none"))})");
        return (shards, samples);
    }

    /// <summary>Samples of <paramref name="epoch"/> from in-epoch position <paramref name="skip"/> on (skipped samples are not decoded).</summary>
    public async IAsyncEnumerable<TrainSample> ReadEpochAsync(int epoch, long skip = 0, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var (shards, _) = await DescribeAsync(ct);
        var channel = Channel.CreateBounded<Task<TrainSample?>>(new BoundedChannelOptions(Math.Max(2, Options.DecodeWorkers * 2))
        {
            SingleReader = true,
            SingleWriter = true,
        });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var producer = Task.Run(() => ProduceAsync(shards, epoch, skip, channel.Writer, cts.Token), cts.Token);
        try
        {
            await foreach (var task in channel.Reader.ReadAllAsync(ct))
            {
                var sample = await task;
                if (sample is not null) yield return sample;
            }
            await producer;
        }
        finally
        {
            cts.Cancel();
            try { await producer; } catch (OperationCanceledException) { } catch (ChannelClosedException) { }
        }
    }

    private async Task ProduceAsync(IReadOnlyList<int> shards, int epoch, long skip, ChannelWriter<Task<TrainSample?>> writer, CancellationToken ct)
    {
        try
        {
            var order = shards.ToArray();
            new Random(SeedMixer.Mix(Options.Seed, epoch, -1)).Shuffle(order);
            var bufferRng = new Random(SeedMixer.Mix(Options.Seed, epoch, -2));
            var buffer = new List<(ImageRow Image, MaskRow Mask)>(Math.Min(Options.ShuffleBuffer, 65536));
            long position = 0;

            async Task Emit((ImageRow Image, MaskRow Mask) item)
            {
                long p = position++;
                if (p < skip) return;
                await writer.WriteAsync(Task.Run(() => Decode(item.Image, item.Mask, epoch, p), ct), ct);
            }

            // The next shard is read while the current one's rows are handed to the decode workers, so they are not
            // left idle for a whole shard read at each shard boundary. At most two shards' encoded rows are held.
            Task<(Dictionary<string, MaskRow>, List<ImageRow>)>? next = order.Length > 0 ? Task.Run(() => ReadShardAsync(order[0], ct), ct) : null;
            try
            {
                for (int s = 0; s < order.Length; s++)
                {
                    var shard = order[s];
                    Dictionary<string, MaskRow> masks;
                    List<ImageRow> rows;
                    try
                    {
                        (masks, rows) = await next!;
                    }
                    catch (UnreadableShardException e) when (Options.SkipUnreadableShards)
                    {
                        // The whole shard is read before any of its rows is used, so leaving it out adds nothing partial.
                        _skippedShards.TryAdd(shard, e.Message);
                        masks = [];
                        rows = [];
                    }
                    int following = s + 1;
                    next = following < order.Length ? Task.Run(() => ReadShardAsync(order[following], ct), ct) : null;
                    foreach (var row in rows)
                    {
                        if (!masks.TryGetValue(row.Key, out var mask))
                        {
                            Interlocked.Increment(ref _missingMasks);
                            continue;
                        }
                        if (buffer.Count < Options.ShuffleBuffer) { buffer.Add((row, mask)); continue; }
                        int i = bufferRng.Next(buffer.Count);
                        var chosen = buffer[i];
                        buffer[i] = (row, mask);
                        await Emit(chosen);
                    }
                }
            }
            finally
            {
                // A read still running when the epoch ends early (cancelled, or an error) is awaited so that its
                // failure is observed and its reader is closed before the producer finishes.
                if (next is not null)
                    try { await next; } catch (Exception) { }
            }
            while (buffer.Count > 0)
            {
                int i = bufferRng.Next(buffer.Count);
                var chosen = buffer[i];
                buffer[i] = buffer[^1];
                buffer.RemoveAt(buffer.Count - 1);
                await Emit(chosen);
            }
            writer.TryComplete();
        }
        catch (Exception ex)
        {
            writer.TryComplete(ex);
        }
    }

    /// <summary>One shard's masks by key and its image rows in key order.</summary>
    /// <exception cref="UnreadableShardException">The image or mask shard cannot be read.</exception>
    private async Task<(Dictionary<string, MaskRow> Masks, List<ImageRow> Rows)> ReadShardAsync(int shard, CancellationToken ct)
    {
        var masks = new Dictionary<string, MaskRow>(StringComparer.Ordinal);
        await using (var maskReader = await dataset.OpenMaskShardAsync(Options.MaskGenerator, shard, ct))
            await foreach (var m in maskReader.ReadRowsAsync(true, ct)) masks[m.Key] = m;
        // Rows enter the shuffle buffer in key order, not file order: ingest writes rows as downloads finish,
        // so two ingests of the same data differ in row order, and training must not depend on that.
        var rows = new List<ImageRow>();
        await using (var reader = await dataset.OpenImageShardAsync(shard, ct))
            await foreach (var row in reader.ReadRowsAsync(ImageColumns.Key | ImageColumns.Image | ImageColumns.Caption | ImageColumns.Nouns | ImageColumns.Verbs, ct))
                rows.Add(row);
        rows.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return (masks, rows);
    }

    /// <summary>Decodes and augments one sample with an RNG derived from (seed, epoch, position).</summary>
    public TrainSample? Decode(ImageRow row, MaskRow maskRow, int epoch, long position)
    {
        try
        {
            var rng = new Random(SeedMixer.Mix(Options.Seed, epoch, position));
            using var image = TrainImageDecoder.Decode(row.ImageBytes);
            var (mh, mw, ids) = MaskPng.Decode(maskRow);
            var box = Options.Crop.Sample(image.Width, image.Height, rng);
            var pixels = PairAugmenter.CropImage(image, box, Options.CropSize);
            var mask = PairAugmenter.CropMask(ids, mh, mw, image.Width, image.Height, box, Options.MaskSize);
            var texts = _prompts.Build(row.Caption, row.Nouns, row.Verbs, rng);
            var tokens = new long[texts.Length * tokenizer.ContextLength];
            for (int t = 0; t < texts.Length; t++)
                Array.Copy(tokenizer.EncodeForModel(texts[t]), 0, tokens, t * tokenizer.ContextLength, tokenizer.ContextLength);
            return new TrainSample(row.Key, position, pixels, mask, tokens);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Interlocked.Increment(ref _failures);
            RecentFailures.Add($"{row.Key}: {ex.GetType().Name}: {ex.Message}");
            return null;
        }
    }
}

/// <summary>A small thread-safe ring of the most recent items.</summary>
public sealed class ConcurrentRing<T>(int capacity)
{
    private readonly Queue<T> _items = new();

    public void Add(T item)
    {
        lock (_items)
        {
            _items.Enqueue(item);
            while (_items.Count > capacity) _items.Dequeue();
        }
    }

    public IReadOnlyList<T> Snapshot()
    {
        lock (_items) return _items.ToList();
    }
}
