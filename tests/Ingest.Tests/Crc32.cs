using System.IO.Hashing;

namespace SSeg.Ingest.Tests;

/// <summary>CRC-32 of a PNG chunk, which covers several byte runs (chunk type, then data).</summary>
internal static class Crc32Png
{
    public static uint Compute(params byte[][] parts)
    {
        var crc = new Crc32();
        foreach (var p in parts) crc.Append(p);
        return crc.GetCurrentHashAsUInt32();
    }
}
