using static TorchSharp.torch;

namespace SSeg.Train.Data;

/// <summary>One decoded, augmented training sample. <see cref="Image"/> is normalised CHW, <see cref="MaskIds"/>
/// the cropped cluster-id map (maskSize²), <see cref="Tokens"/> (1 + prompts) × context token ids.</summary>
public sealed record TrainSample(string Key, long Position, float[] Image, byte[] MaskIds, long[] Tokens);

/// <summary>A collated batch. <see cref="NextPosition"/> is the in-epoch position just after its last sample
/// (what a checkpoint stores to resume exactly).</summary>
public sealed class TrainBatch : IDisposable
{
    public required Tensor Images { get; init; }        // [B, 3, S, S]
    public required Tensor Tokens { get; init; }        // [B, 1 + prompts, context]
    public required IReadOnlyList<Tensor> Targets { get; init; } // per image [K_b, M, M]
    public required IReadOnlyList<string> Keys { get; init; }
    public required int Epoch { get; init; }
    public required long NextPosition { get; init; }

    public int Count => Keys.Count;
    public long TotalMasks => Targets.Sum(t => t.shape[0]);

    public static TrainBatch Collate(IReadOnlyList<TrainSample> samples, int cropSize, int maskSize, int promptsPlusOne, int context,
        int epoch, double minMaskArea)
    {
        int b = samples.Count;
        var images = new float[b * 3 * cropSize * cropSize];
        var tokens = new long[b * promptsPlusOne * context];
        for (int i = 0; i < b; i++)
        {
            Array.Copy(samples[i].Image, 0, images, i * samples[i].Image.Length, samples[i].Image.Length);
            Array.Copy(samples[i].Tokens, 0, tokens, i * samples[i].Tokens.Length, samples[i].Tokens.Length);
        }
        return new TrainBatch
        {
            Images = tensor(images, new long[] { b, 3, cropSize, cropSize }),
            Tokens = tensor(tokens, new long[] { b, promptsPlusOne, context }),
            Targets = samples.Select(s => MaskTargets.ToBinary(s.MaskIds, maskSize, minMaskArea)).ToList(),
            Keys = samples.Select(s => s.Key).ToList(),
            Epoch = epoch,
            NextPosition = samples[^1].Position + 1,
        };
    }

    public void Dispose()
    {
        Images.Dispose();
        Tokens.Dispose();
        foreach (var t in Targets) t.Dispose();
    }
}
