using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Selftrain.Data;

/// <summary>A training batch of S-Seg+: normalized images [B,3,S,S] and labels [B,S,S]; disposing frees both tensors.</summary>
public sealed class SegBatch(Tensor images, Tensor labels) : IDisposable
{
    private static readonly float[] Mean = { 123.675f, 116.28f, 103.53f };
    private static readonly float[] Std = { 58.395f, 57.12f, 57.375f };

    public Tensor Images { get; } = images;
    public Tensor Labels { get; } = labels;

    public void Deconstruct(out Tensor images, out Tensor labels) => (images, labels) = (Images, Labels);

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }

    /// <summary>Stacks augmented samples, padding bottom/right (image 0, labels ignore).</summary>
    public static SegBatch Build(IReadOnlyList<SegSample> samples, int size, int ignoreIndex = 255)
    {
        var b = samples.Count;
        var plane = size * size;
        var images = new float[b * 3 * plane];
        var labels = new long[b * plane];
        Array.Fill(labels, ignoreIndex);
        for (var i = 0; i < b; i++)
        {
            var s = samples[i];
            if (s.Width > size || s.Height > size) throw new ArgumentException($"sample {i} is {s.Width}x{s.Height}, larger than the {size} crop");
            for (var y = 0; y < s.Height; y++)
                for (var x = 0; x < s.Width; x++)
                {
                    var src = y * s.Width + x;
                    var dst = y * size + x;
                    for (var c = 0; c < 3; c++)
                        images[(i * 3 + c) * plane + dst] = (s.Rgb[3 * src + c] - Mean[c]) / Std[c];
                    labels[i * plane + dst] = s.Labels[src];
                }
        }
        return new SegBatch(tensor(images, new long[] { b, 3, size, size }), tensor(labels, new long[] { b, size, size }));
    }
}
