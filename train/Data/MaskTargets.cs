using System.Runtime.InteropServices;
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
        // Channel of each present id (ascending id order), -1 for absent or too small ones; one pass fills all channels.
        var channel = new int[256];
        int present = 0;
        for (int i = 0; i < 256; i++)
            channel[i] = counts[i] > 0 && counts[i] >= minArea * ids.Length && present < maxSegments ? present++ : -1;
        // Written straight into the tensor's storage (no managed array copied into it afterwards).
        var targets = zeros(new long[] { present, size, size }, ScalarType.Float32);
        if (present == 0) return targets;
        var data = MemoryMarshal.Cast<byte, float>(targets.bytes);
        int plane = size * size;
        for (int p = 0; p < ids.Length; p++)
            if (channel[ids[p]] is var k and >= 0) data[k * plane + p] = 1f;
        return targets;
    }
}
