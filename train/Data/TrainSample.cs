using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace SSeg.Train.Data;

/// <summary>One decoded, augmented training sample. <see cref="Image"/> is the cropped, resized and flipped image as
/// RGB bytes (cropSize² × 3, row-major, interleaved; normalised into CHW floats by <see cref="TrainBatch.Collate"/>),
/// <see cref="MaskIds"/> the cropped cluster-id map (maskSize²), <see cref="Tokens"/> (1 + prompts) × context token ids.</summary>
public sealed record TrainSample(string Key, long Position, byte[] Image, byte[] MaskIds, long[] Tokens);

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
        // Samples are normalised and copied straight into the tensors' storage: a managed batch array first would cost
        // a large-object allocation per batch (zeroed, then collected) and a second copy into the tensor.
        var images = empty(new long[] { b, 3, cropSize, cropSize }, ScalarType.Float32);
        var tokens = empty(new long[] { b, promptsPlusOne, context }, ScalarType.Int64);
        int imageLength = 3 * cropSize * cropSize, tokenLength = promptsPlusOne * context;
        for (int i = 0; i < b; i++)
        {
            if (samples[i].Image.Length != imageLength || samples[i].Tokens.Length != tokenLength)
            {
                images.Dispose();
                tokens.Dispose();
                throw new ArgumentException(
                    $"sample {samples[i].Key} has {samples[i].Image.Length} pixel bytes and {samples[i].Tokens.Length} tokens; " +
                    $"the batch expects {imageLength} and {tokenLength}", nameof(samples));
            }
            // One sample's slot at a time: a whole batch's bytes can exceed what one span can address (2 GiB).
            using (var slot = images[i])
                PairAugmenter.Normalize(samples[i].Image, MemoryMarshal.Cast<byte, float>(slot.bytes));
            using (var slot = tokens[i])
                samples[i].Tokens.CopyTo(MemoryMarshal.Cast<byte, long>(slot.bytes));
        }
        return new TrainBatch
        {
            Images = images,
            Tokens = tokens,
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
