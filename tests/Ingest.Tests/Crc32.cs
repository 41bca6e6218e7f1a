namespace SSeg.Ingest.Tests;

/// <summary>PNG chunk CRC-32 (System.IO.Hashing is not referenced; this is the textbook table version).</summary>
internal static class Crc32Png
{
    private static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    public static uint Compute(params byte[][] parts)
    {
        var c = 0xFFFFFFFFu;
        foreach (var p in parts)
            foreach (var b in p) c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
