using System.Diagnostics;
using SSeg.Models;
using SSeg.Shards;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Pseudomask;

/// <summary>Time spent per phase (seconds), summed over batches.</summary>
public sealed class PhaseTimings
{
    public double Decode;
    public double Features;
    public double KMeans;
    public double Encode;
    public double Write;

    public IReadOnlyDictionary<string, double> ToDictionary() => new Dictionary<string, double>
    {
        ["decode"] = Decode, ["features"] = Features, ["kmeans"] = KMeans, ["encode"] = Encode, ["write"] = Write,
    };
}

/// <summary>
/// Features + per-image k-means for batches of equal-size prepared images. Holds the model on its device;
/// create once and reuse over shards. Every batch runs inside a DisposeScope, so memory stays flat.
/// </summary>
public sealed class PseudomaskGenerator : IDisposable
{
    private readonly FeatureExtractor _extractor;

    public PseudomaskGenerator(GeneratorOptions options, string? defaultModelsDir = null, Action<string>? warn = null)
    {
        options.Validate();
        Options = options;
        DeviceSelector.SetThreads(options.Threads);
        Device = DeviceSelector.Select(options.Device);
        InferencePrecisions.EnsureSupported(options.Precision, Device);
        if (options.RandomWeights && options.Feature != FeatureKind.Rgb)
            warn?.Invoke("WARNING: --random-weights: the ViT has random weights. These masks are for tests and demos only " +
                         "and are marked random-weights in the shard metadata.");
        Backbone = ModelFactory.Create(options, Device, defaultModelsDir);
        _extractor = new FeatureExtractor(options.Feature, options.Patch, Backbone.Model, options.Precision);
        Preprocessor = new ImagePreprocessor(options.Patch, options.MaxSide);
        Compute = ComputeInfo.Of(Device, _extractor.Precision);
    }

    public GeneratorOptions Options { get; }
    public Device Device { get; }
    public LoadedBackbone Backbone { get; }
    public ImagePreprocessor Preprocessor { get; }

    /// <summary>Device, forward-pass dtype and threads of this generator (rgb features have no network: fp32). Read
    /// once here, on the thread that set the thread count, so the metadata states the setting the batches run with.</summary>
    public ComputeInfo Compute { get; }

    /// <summary>Default mask generator id, e.g. dino_vit_small8_tokens_k8_s0_m448 (+ _random).</summary>
    public string DefaultGeneratorId() => GeneratorIdFor(Options);

    /// <summary>The default generator id from the options alone (no model needed, so finished shards skip cheaply).</summary>
    public static string GeneratorIdFor(GeneratorOptions o)
    {
        var model = o.Feature == FeatureKind.Rgb ? $"rgb{o.Patch}" : $"dino_{o.Model.Trim().ToLowerInvariant()}{o.Patch}";
        var id = $"{model}_{FeatureKinds.Name(o.Feature)}_k{o.K}_s{o.Seed}_m{o.MaxSide}";
        // Reduced-precision masks differ from fp32 ones in a few pixels, so they get their own folder.
        if (o.Feature != FeatureKind.Rgb && o.Precision != InferencePrecision.Fp32) id += "_" + InferencePrecisions.Name(o.Precision);
        return o.RandomWeights && o.Feature != FeatureKind.Rgb ? id + "_random" : id;
    }

    public MaskGeneratorInfo Describe(string generatorId) => new(generatorId, Backbone.ModelName, Backbone.CheckpointHash,
        FeatureKinds.Name(Options.Feature), Options.K, Options.Seed)
    {
        Extra = new Dictionary<string, string>(Compute.ToMetadata())
        {
            ["random_weights"] = (Backbone.CheckpointHash == ModelFactory.RandomWeightsHash).ToString().ToLowerInvariant(),
            ["checkpoint_file"] = Backbone.CheckpointFile is null ? "" : Path.GetFileName(Backbone.CheckpointFile),
            ["patch"] = Options.Patch.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["max_side"] = Options.MaxSide.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["max_iterations"] = Options.MaxIterations.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["init"] = "kmeans++ (SplitMix64 of seed ^ fnv1a64(key))",
            ["normalization"] = Options.Feature == FeatureKind.Rgb ? "imagenet mean/std, patch mean" : "l2",
        },
    };

    /// <summary>Cluster maps for images that all have the same size (one batch on the device).</summary>
    public IReadOnlyList<ClusterMap> Generate(IReadOnlyList<PreparedImage> batch, PhaseTimings? timings = null)
    {
        if (batch.Count == 0) return [];
        var (h, w) = (batch[0].Height, batch[0].Width);
        if (batch.Any(b => b.Height != h || b.Width != w)) throw new ArgumentException("All images of a batch must have the same size.");
        var gh = h / Options.Patch;
        var gw = w / Options.Patch;
        var clock = Stopwatch.StartNew();

        using var scope = NewDisposeScope();
        var plane = 3 * h * w;
        var pixels = new float[batch.Count * plane];
        for (var i = 0; i < batch.Count; i++) Array.Copy(batch[i].Pixels, 0, pixels, i * plane, plane);
        var images = tensor(pixels, new long[] { batch.Count, 3, h, w }).to(Device);
        var features = _extractor.Extract(images);

        var uniforms = new double[batch.Count * Options.K];
        for (var i = 0; i < batch.Count; i++)
            Array.Copy(SeededUniforms.For(Options.Seed, batch[i].Key, Options.K), 0, uniforms, i * Options.K, Options.K);
        var u = tensor(uniforms, new long[] { batch.Count, Options.K }, ScalarType.Float64).to(Device);
        if (timings is not null) { timings.Features += clock.Elapsed.TotalSeconds; clock.Restart(); }

        var k = (int)Math.Min(Options.K, (long)gh * gw);
        using var result = BatchedKMeans.Run(features, u.narrow(1, 0, k), Options.MaxIterations);
        var labels = result.Labels.cpu().data<long>().ToArray();
        if (timings is not null) timings.KMeans += clock.Elapsed.TotalSeconds;   // on CUDA this includes the async forward
        clock.Restart();

        var maps = new ClusterMap[batch.Count];
        var n = gh * gw;
        for (var i = 0; i < batch.Count; i++)
            maps[i] = ClusterMap.Compact(gh, gw, labels.AsSpan(i * n, n));
        return maps;
    }

    public void Dispose() => _extractor.Dispose();
}
