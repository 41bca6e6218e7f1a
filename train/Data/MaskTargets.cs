using static TorchSharp.torch;

namespace SSeg.Train.Data;

/// <summary>Turns a cropped cluster-id map into ≤ K binary targets (one per id present, ascending id order).</summary>
public static class MaskTargets
{
    /// <param name="minArea">Drop segments covering less than this fraction of the crop (0 keeps all).</param>
    public static Tensor ToBinary(byte[] ids, int size, double minArea = 0.0, int maxSegments = 255)
    {
        var counts = new int[256];
        foreach (var id in ids) counts[id]++;
        var present = Enumerable.Range(0, 256).Where(i => counts[i] > 0 && counts[i] >= minArea * ids.Length).Take(maxSegments).ToArray();
        var data = new float[present.Length * size * size];
        for (int k = 0; k < present.Length; k++)
        {
            int offset = k * size * size;
            byte id = (byte)present[k];
            for (int p = 0; p < ids.Length; p++) if (ids[p] == id) data[offset + p] = 1f;
        }
        return tensor(data, new long[] { present.Length, size, size });
    }
}
