using SixLabors.ImageSharp;

namespace SSeg.Eval.Protocol;

/// <summary>
/// What every ViT input in the pipeline shares (pseudo-mask features, training crops, scoring): ImageNet's per-channel
/// mean and standard deviation, which DINO, MAE and S-Seg's backbones were trained with, and the ImageSharp settings
/// for preparing one image per worker.
/// </summary>
public static class NetworkInput
{
    public static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    public static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    /// <summary>
    /// ImageSharp settings with no parallel loops inside one image. Loaders prepare one image per worker already, and
    /// ImageSharp's per-row parallelism on top costs CPU in hand-offs and spinning for no gain in throughput. An image
    /// loaded with these settings is processed (cropped, resized) with them too.
    /// </summary>
    public static Configuration SingleThreaded { get; } = CreateSingleThreaded();

    private static Configuration CreateSingleThreaded()
    {
        var configuration = Configuration.Default.Clone();
        configuration.MaxDegreeOfParallelism = 1;
        return configuration;
    }
}
