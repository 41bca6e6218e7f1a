using System.CommandLine;
using System.Diagnostics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using SSeg.Models;
using SSeg.Pseudomask;
using SSeg.Shards;
using TorchSharp;
using static TorchSharp.torch;
using SSeg.Pipelines.Cli.Pseudomask;

namespace SSeg.Pipelines.Bench;

/// <summary>
/// `bench pseudomask`: the whole stage (read shard, decode, features, k-means, PNG, write) in images/s next to
/// the bare ViT forward in the same process, plus the resident memory over many forward batches.
/// </summary>
internal static class PseudomaskBench
{
    public static Command Create()
    {
        var command = new Command("pseudomask", "Pseudomask stage throughput vs the bare ViT forward (default: ViT-S/16 at 224, random weights, 2 threads).");
        var images = new Option<int>("--images") { Description = "Images in the benchmark shard.", DefaultValueFactory = _ => 128 };
        var size = new Option<int>("--size") { Description = "Square image side.", DefaultValueFactory = _ => 224 };
        var memoryBatches = new Option<int>("--memory-batches") { Description = "Extra forward batches to watch resident memory over.", DefaultValueFactory = _ => 40 };
        var photos = new Option<string?>("--photos") { Description = "Folder of photos to build the shard from (default: ../shared/data/photos if present, else synthetic)." };
        var generator = new GeneratorOptionSet(defaultModel: "vit_small", defaultPatch: 16, defaultMaxSide: 224, defaultBatch: 16);
        command.Options.Add(images);
        command.Options.Add(size);
        command.Options.Add(memoryBatches);
        command.Options.Add(photos);
        generator.AddTo(command);
        command.SetAction(async (parse, ct) => await PseudomaskCommand.Guarded(async () =>
        {
            var options = generator.Build(parse);
            if (options.Checkpoint is null && options.Feature != FeatureKind.Rgb) options = options with { RandomWeights = true };
            options = options with { Threads = options.Threads ?? 2 };
            await RunAsync(options, parse.GetValue(images), parse.GetValue(size), parse.GetValue(memoryBatches), parse.GetValue(photos), ct);
            return 0;
        }));
        return command;
    }

    private static async Task RunAsync(GeneratorOptions options, int count, int side, int memoryBatches, string? photos, CancellationToken ct)
    {
        var root = Path.Combine(Path.GetTempPath(), $"sseg-bench-pseudomask-{Guid.NewGuid():N}");
        try
        {
            var sources = SourceImages(photos, side);
            Console.WriteLine($"building a shard of {count} {side}x{side} JPEGs from {(sources.Count > 0 ? $"{sources.Count} photos" : "synthetic images")} ...");
            var ds = await DatasetStore.Open(root).CreateOrOpenAsync("bench", source: "bench", ct: ct);
            await using (var writer = await ds.CreateImageShardWriterAsync(0, ct: ct))
            {
                for (var i = 0; i < count; i++)
                {
                    var jpeg = Jpeg(sources, i, side);
                    await writer.AddAsync(new ImageRow($"bench/00000/{i:D5}", jpeg, "", [], [], "", "bench", side, side, side, side, ""), ct);
                }
                await writer.CommitAsync(ct);
            }

            using var generator = new PseudomaskGenerator(options, null, Console.WriteLine);
            Console.WriteLine($"model {generator.Backbone.ModelName} ({generator.Backbone.CheckpointHash}), feature {FeatureKinds.Name(options.Feature)}, " +
                              $"batch {options.BatchSize}, device {DeviceSelector.Describe(generator.Device)}");

            // Warm-up (allocator, kernels) on one batch, then the bare forward over the same number of images.
            var batches = Math.Max(1, count / options.BatchSize);
            var bare = BareForward(generator, options, side, batches, warmup: true);
            var withKMeans = BareForward(generator, options, side, batches, warmup: false, withKMeans: true);
            var stageClock = Stopwatch.StartNew();
            var summary = await PseudomaskStage.RunShardAsync(ds, generator, "bench", 0, null, ct);
            var stageSeconds = stageClock.Elapsed.TotalSeconds;
            var stageRate = summary.Masks / stageSeconds;

            Console.WriteLine();
            Console.WriteLine($"bare forward   : {bare.ImagesPerSecond,8:F2} images/s ({bare.Images} images, {bare.Seconds:F1} s)");
            Console.WriteLine($"features+kmeans: {withKMeans.ImagesPerSecond,8:F2} images/s ({withKMeans.Images} images, {withKMeans.Seconds:F1} s, no decode/PNG/I-O)");
            Console.WriteLine($"whole stage    : {stageRate,8:F2} images/s ({summary.Masks} images, {stageSeconds:F1} s)  = {100 * stageRate / bare.ImagesPerSecond:F0}% of bare forward");
            Console.WriteLine("stage phases (s): " + string.Join("  ", summary.TimingsSeconds.Select(kv => $"{kv.Key} {kv.Value:F2}")) +
                              "   (decode runs on a separate task, overlapped with the model)");

            if (memoryBatches > 0)
            {
                var before = Rss();
                var mem = BareForward(generator, options, side, memoryBatches, warmup: false, sampleMemoryEvery: Math.Max(1, memoryBatches / 4));
                Console.WriteLine($"memory over {memoryBatches} more batches: RSS {before / 1048576.0:F0} MiB -> " +
                                  string.Join(" -> ", mem.RssSamples.Select(r => $"{r / 1048576.0:F0}")) + " MiB");
            }
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    private sealed record BareResult(int Images, double Seconds, List<long> RssSamples)
    {
        public double ImagesPerSecond => Images / Seconds;
    }

    /// <summary>Features (and optionally k-means) on random input tensors: no decode, no PNG, no I/O.</summary>
    private static BareResult BareForward(PseudomaskGenerator generator, GeneratorOptions options, int side, int batches,
        bool warmup, int sampleMemoryEvery = int.MaxValue, bool withKMeans = false)
    {
        var extractor = new FeatureExtractor(options.Feature, options.Patch, generator.Backbone.Model);
        var samples = new List<long>();
        void Batch()
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var x = randn(options.BatchSize, 3, side, side).to(generator.Device);
            var features = extractor.Extract(x);
            if (withKMeans)
            {
                var u = rand(options.BatchSize, options.K, dtype: ScalarType.Float64).to(generator.Device);
                using var result = BatchedKMeans.Run(features, u, options.MaxIterations);
                _ = result.Labels.cpu();
            }
            else _ = features.sum().item<float>();   // synchronise (CUDA) without copying features back
        }
        if (warmup) Batch();
        var clock = Stopwatch.StartNew();
        for (var b = 0; b < batches; b++)
        {
            Batch();
            if ((b + 1) % sampleMemoryEvery == 0) samples.Add(Rss());
        }
        return new BareResult(batches * options.BatchSize, clock.Elapsed.TotalSeconds, samples);
    }

    private static long Rss()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    private static List<string> SourceImages(string? folder, int side)
    {
        folder ??= FindSharedPhotos();
        if (folder is null || !Directory.Exists(folder)) return [];
        return Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase) ||
                        f.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            .OrderBy(f => f, StringComparer.Ordinal).Take(64).ToList();
    }

    private static string? FindSharedPhotos()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "photos");
            if (Directory.Exists(candidate)) return candidate;
            candidate = Path.Combine(dir.FullName, "..", "shared", "data", "photos");
            if (Directory.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        return null;
    }

    private static byte[] Jpeg(List<string> sources, int index, int side)
    {
        Image<Rgb24> image;
        if (sources.Count > 0)
        {
            try
            {
                image = Image.Load<Rgb24>(sources[index % sources.Count]);
                image.Mutate(c => c.Resize(new ResizeOptions { Size = new SixLabors.ImageSharp.Size(side, side), Mode = ResizeMode.Crop }));
                if (index >= sources.Count) image.Mutate(c => c.Flip(index / sources.Count % 2 == 1 ? FlipMode.Horizontal : FlipMode.Vertical));
            }
            catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException)
            {
                image = Synthetic(index, side);
            }
        }
        else image = Synthetic(index, side);
        using (image)
        {
            using var stream = new MemoryStream();
            image.SaveAsJpeg(stream);
            return stream.ToArray();
        }
    }

    private static Image<Rgb24> Synthetic(int index, int side)
    {
        var rng = new Random(index);
        var image = new Image<Rgb24>(side, side);
        var (a, b, c) = (rng.Next(256), rng.Next(256), rng.Next(256));
        for (var y = 0; y < side; y++)
            for (var x = 0; x < side; x++)
                image[x, y] = new Rgb24((byte)((a + x) % 256), (byte)((b + y) % 256), (byte)((c + x * y / side + rng.Next(16)) % 256));
        return image;
    }
}
