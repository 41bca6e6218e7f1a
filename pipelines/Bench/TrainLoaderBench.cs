using System.CommandLine;
using System.Globalization;
using SSeg.Pseudomask;
using SSeg.Shards;
using SSeg.Train.Data;
using SSeg.Train.Text;

namespace SSeg.Pipelines.Bench;

/// <summary>
/// `bench train-loader`: what the CPU side of training delivers: shard read (image + mask shards, joined by key),
/// JPEG decode, the paired random-resized crop and flip of image and mask, the mask targets and prompt building plus
/// tokenisation, collated into batches as the trainer does, with no model. Real photos, stored as ingest stores them,
/// with RGB k-means masks written by the pseudomask stage. Prints a single-thread phase breakdown, then the streamed
/// rate with all cores, ending with <c>loader: N images/s per core (C cores)</c>.
/// </summary>
internal static class TrainLoaderBench
{
    public static Command Create()
    {
        var command = new Command("train-loader", "Training loader throughput on real photos: shard read, decode, paired crop/flip, mask targets, prompts; images/s per core.");
        var photos = new Option<string?>("--photos") { Description = "Folder of photos (default: shared/data/photos above the working directory). Read at bench time, never copied." };
        var images = new Option<int>("--images") { Description = "Rows in the bench dataset (photos reused round-robin).", DefaultValueFactory = _ => 512 };
        var shards = new Option<int>("--shards") { Description = "Image shards the rows are spread over.", DefaultValueFactory = _ => 4 };
        var workers = new Option<int>("--workers") { Description = "Decode workers (default: one per core).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var epochs = new Option<int>("--epochs") { Description = "Epochs streamed; the figure is the last one's. The first epochs run code the JIT has not optimised yet (about 10 % fewer images per CPU-second), which a real run's thousands of shards soon leave behind.", DefaultValueFactory = _ => 4 };
        var crop = new Option<int>("--crop") { Description = "Crop size (ViT-S/16 MaskFormer: 224; masks at a quarter of it).", DefaultValueFactory = _ => 224 };
        var batch = new Option<int>("--batch") { Description = "Samples per collated batch.", DefaultValueFactory = _ => 64 };
        foreach (var o in new Option[] { photos, images, shards, workers, epochs, crop, batch }) command.Options.Add(o);
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                await RunAsync(parse.GetValue(photos), parse.GetValue(images), parse.GetValue(shards), parse.GetValue(workers),
                    parse.GetValue(epochs), parse.GetValue(crop), parse.GetValue(batch), ct);
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    private static async Task RunAsync(string? photoFolder, int count, int shardCount, int workers, int epochs, int cropSize, int batchSize, CancellationToken ct)
    {
        var root = Path.Combine(Path.GetTempPath(), $"sseg-bench-loader-{Guid.NewGuid():N}");
        try
        {
            var photos = BenchPhotoShards.List(photoFolder);
            Console.WriteLine($"building {count} rows in {shardCount} shard(s) from {photos.Count} photos (ingest's processing: short side 512, JPEG q95) ...");
            Console.WriteLine($"JPEG decoder: {TrainImageDecoder.JpegDecoder}");
            var dataset = await DatasetStore.Open(root).CreateOrOpenAsync("bench", source: "bench", ct: ct);
            var refused = await BenchPhotoShards.WriteAsync(dataset, photos, count, shardCount, ct);
            if (refused > 0) Console.WriteLine($"({refused} photos refused by ingest's checks, left out)");
            var generator = new GeneratorOptions { Feature = FeatureKind.Rgb, Patch = 8, MaxSide = 448, Threads = 1 };
            PseudomaskRunResult masks;
            using (var rgb = new PseudomaskGenerator(generator))
                masks = await PseudomaskStage.RunShardsAsync(dataset, rgb, "rgb", Enumerable.Range(0, shardCount), ct: ct);
            if (masks.Failed.Count > 0) throw new InvalidDataException($"mask generation failed on {masks.Failed.Count} shard(s)");
            await VocabStage.RunAsync(root, "bench", 1000, ct: ct);
            var tokenizer = BpeTokenizer.Load(Path.Combine(root, VocabStage.VocabKey("bench", 1000)), maxMerges: int.MaxValue);
            var options = new TrainDataOptions
            {
                MaskGenerator = "rgb", CropSize = cropSize, MaskSize = cropSize / 4, DecodeWorkers = workers, ShuffleBuffer = 256, Seed = 1,
            };
            var stream = new ShardTrainStream(dataset, options, tokenizer);

            // The first pass runs much of the code unoptimised (tiered JIT: shard reads, for example, took about six
            // times as long as later ones), so only the second pass is printed.
            PhaseBreakdown(dataset, stream, tokenizer, options, print: false, ct);
            PhaseBreakdown(dataset, stream, tokenizer, options, print: true, ct);

            var cores = Environment.ProcessorCount;
            double perCore = 0;
            for (var epoch = 0; epoch < epochs; epoch++)
            {
                var clock = new BenchClock();
                var gcPause = GC.GetTotalPauseDuration();
                int gen0 = GC.CollectionCount(0), gen2 = GC.CollectionCount(2);
                var samples = 0;
                var batch = new List<TrainSample>(batchSize);
                await foreach (var sample in stream.ReadEpochAsync(epoch, ct: ct))
                {
                    batch.Add(sample);
                    if (batch.Count < batchSize) continue;
                    samples += Collate(batch, options, tokenizer, epoch);
                }
                if (batch.Count > 0) samples += Collate(batch, options, tokenizer, epoch);
                var (seconds, cpu) = (clock.WallSeconds, clock.CpuSeconds);
                var gc = string.Create(CultureInfo.InvariantCulture,
                    $"GC paused {(GC.GetTotalPauseDuration() - gcPause).TotalSeconds:F2} s in {GC.CollectionCount(0) - gen0} collections ({GC.CollectionCount(2) - gen2} full)");
                perCore = samples / cpu;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"epoch {epoch}: {samples} samples in {seconds:F2} s wall = {samples / seconds:F0} images/s with {workers} decode workers; " +
                    $"{cpu:F2} CPU-s = {perCore:F0} images per CPU-second; {gc} ({BenchPhotoShards.LoadAverage()}){(epoch == 0 && epochs > 1 ? ", warm-up" : "")}"));
            }
            if (stream.Failures > 0 || stream.MissingMasks > 0)
                Console.WriteLine($"{stream.Failures} samples failed to decode, {stream.MissingMasks} had no mask: {string.Join("; ", stream.RecentFailures.Snapshot())}");
            // Per core = images per CPU-second of this process: what one core sustains, whatever else shares the machine.
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loader: {perCore:F0} images/s per core ({cores} cores)"));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    private static int Collate(List<TrainSample> batch, TrainDataOptions options, BpeTokenizer tokenizer, int epoch)
    {
        using var collated = TrainBatch.Collate(batch, options.CropSize, options.MaskSize, 1 + options.PromptWords, tokenizer.ContextLength, epoch, options.MinMaskArea);
        var n = batch.Count;
        batch.Clear();
        return n;
    }

    /// <summary>Each step timed alone on this thread over one shard, so a slow step can be told from a starved pipeline.</summary>
    private static void PhaseBreakdown(Dataset dataset, ShardTrainStream stream, BpeTokenizer tokenizer, TrainDataOptions options, bool print, CancellationToken ct)
    {
        var clock = new BenchClock();
        var rows = new List<ImageRow>();
        var maskRows = new Dictionary<string, MaskRow>(StringComparer.Ordinal);
        Task.Run(async () =>
        {
            await using (var reader = await dataset.OpenImageShardAsync(0, ct))
                await foreach (var row in reader.ReadRowsAsync(ImageColumns.Key | ImageColumns.Image | ImageColumns.Caption | ImageColumns.Nouns | ImageColumns.Verbs, ct))
                    rows.Add(row);
            await using var masks = await dataset.OpenMaskShardAsync(options.MaskGenerator, 0, ct);
            await foreach (var m in masks.ReadRowsAsync(true, ct)) maskRows[m.Key] = m;
        }, ct).GetAwaiter().GetResult();
        var read = clock.CpuSeconds;

        clock.Restart();
        var images = rows.Select(row => TrainImageDecoder.Decode(row.ImageBytes)).ToList();
        var decode = clock.CpuSeconds;

        var rng = new Random(1);
        var boxes = images.Select(image => options.Crop.Sample(image.Width, image.Height, rng)).ToList();
        clock.Restart();
        var chw = new float[3 * options.CropSize * options.CropSize];
        for (int i = 0; i < images.Count; i++) PairAugmenter.Normalize(PairAugmenter.CropImage(images[i], boxes[i], options.CropSize), chw);
        var crop = clock.CpuSeconds;

        clock.Restart();
        for (int i = 0; i < images.Count; i++)
        {
            var (mh, mw, ids) = MaskPng.Decode(maskRows[rows[i].Key]);
            _ = PairAugmenter.CropMask(ids, mh, mw, images[i].Width, images[i].Height, boxes[i], options.MaskSize);
        }
        var maskCrop = clock.CpuSeconds;
        foreach (var image in images) image.Dispose();

        clock.Restart();
        var samples = rows.Select((row, i) => stream.Decode(row, maskRows[row.Key], 0, i)).Where(s => s is not null).ToList();
        var whole = clock.CpuSeconds;

        clock.Restart();
        foreach (var row in rows)
        {
            _ = tokenizer.EncodeForModel(row.Caption);
            foreach (var noun in row.Nouns.Take(options.PromptWords)) _ = tokenizer.EncodeForModel($"a photo of a {noun}.");
        }
        var tokens = clock.CpuSeconds;

        clock.Restart();
        foreach (var s in samples) MaskTargets.ToBinary(s!.MaskIds, options.MaskSize, options.MinMaskArea).Dispose();
        var targets = clock.CpuSeconds;

        if (!print) return;
        double Ms(double seconds) => 1000 * seconds / rows.Count;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"one thread, {rows.Count} rows (second pass), CPU ms per image: shard read {Ms(read):F2}, " +
            $"decode+crop/flip+mask crop+prompts+tokens {Ms(whole):F2} (of which JPEG decode ≈ {Ms(decode):F2}, image crop/resize/flip/normalise ≈ {Ms(crop):F2}, " +
            $"mask PNG decode+crop ≈ {Ms(maskCrop):F2}, tokens ≈ {Ms(tokens):F2}), mask targets {Ms(targets):F2} " +
            $"-> {rows.Count / (read + whole + targets):F0} images per CPU-second ({BenchPhotoShards.LoadAverage()})"));
    }
}
