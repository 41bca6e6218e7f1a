using SSeg.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Pseudomask;

/// <summary>A loaded backbone and where its weights came from.</summary>
public sealed record LoadedBackbone(VisionTransformer? Model, string ModelName, string CheckpointHash, string? CheckpointFile);

/// <summary>Builds the DINO backbone for the generator options, with a clear error when weights are missing.</summary>
public static class ModelFactory
{
    public const string RandomWeightsHash = "random-weights";
    public const string NoWeightsHash = "none";

    public static LoadedBackbone Create(GeneratorOptions options, Device device, string? defaultModelsDir = null)
    {
        if (options.Feature == FeatureKind.Rgb)
            return new LoadedBackbone(null, $"rgb/{options.Patch}", NoWeightsHash, null);

        var config = VitConfig.FromName(options.Model, options.Patch);
        var name = $"dino_{config.Name}";
        if (options.RandomWeights)
        {
            manual_seed(options.Seed);
            var random = new VisionTransformer(config);
            random.eval();
            return new LoadedBackbone(random.to(device), name, RandomWeightsHash, null);
        }

        var path = options.Checkpoint ?? (defaultModelsDir is null ? null : Path.Combine(defaultModelsDir, SafeFileName(config)));
        if (path is null || !File.Exists(path))
            throw new MissingWeightsException(config, path);

        var vit = new VisionTransformer(config);
        try
        {
            var report = CheckpointLoader.Load(vit, path, strict: true, ignore: k => k.StartsWith("head.", StringComparison.Ordinal));
            vit.eval();
            return new LoadedBackbone(vit.to(device), name, report.Sha256, path);
        }
        catch
        {
            vit.Dispose();
            throw;
        }
    }

    private static string SafeFileName(VitConfig config)
    {
        try { return DinoCheckpoints.FileName(config); }
        catch (ArgumentException) { return $"dino_{config.Name.Replace('/', '_')}.pth"; }
    }
}

/// <summary>No backbone weights where they were expected.</summary>
public sealed class MissingWeightsException(VitConfig config, string? expectedPath) : Exception(Describe(config, expectedPath))
{
    private static string Describe(VitConfig config, string? expectedPath)
    {
        string official;
        try { official = $"{DinoCheckpoints.FileName(config)} from {DinoCheckpoints.Url(config)}"; }
        catch (ArgumentException e) { official = $"(no official DINO file: {e.Message})"; }
        var where = expectedPath is null ? "no --checkpoint was given" : $"expected the file {expectedPath}, which does not exist";
        return $"DINO weights for {config.Name} not found: {where}. Download the official backbone {official} " +
               "and pass it with --checkpoint (or place it in <root>/models/). " +
               "--random-weights exists for tests and demos only; its masks are not pseudo-masks.";
    }
}
