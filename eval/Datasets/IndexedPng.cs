using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using SSeg.Eval.Metrics;

namespace SSeg.Eval.Datasets;

/// <summary>
/// A small PNG codec for label maps. Reads the raw sample values (palette indices, not colours) of
/// palette and grayscale PNGs, which ImageSharp 2.x would expand to RGB; also reads 8-bit RGB(A) for
/// formats that encode ids in colour channels. Writes 8-bit palette/grayscale and 16-bit grayscale PNGs.
/// </summary>
public static class IndexedPng
{
    private static readonly byte[] Signature = { 137, 80, 78, 71, 13, 10, 26, 10 };

    /// <summary>The decoded samples of a PNG: <see cref="Channels"/> values per pixel, row-major.</summary>
    public sealed record Raster(int Width, int Height, int ColorType, int BitDepth, int Channels, int[] Samples,
        byte[]? Palette);

    /// <summary>Reads a palette or grayscale PNG as raw indices (palette index or gray value).</summary>
    public static LabelMap ReadLabels(string path)
    {
        var r = Read(path);
        if (r.ColorType is not (0 or 3))
            throw new InvalidDataException(
                $"{path}: label PNG has colour type {r.ColorType} ({ColorTypeName(r.ColorType)}); expected a palette or grayscale PNG of class indices");
        return new LabelMap(r.Width, r.Height, r.Samples);
    }

    public static Raster Read(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return Read(stream);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path}: truncated PNG", e);
        }
    }

    public static Raster Read(Stream stream)
    {
        var reader = new BinaryReader(stream);
        var sig = reader.ReadBytes(8);
        if (!sig.AsSpan().SequenceEqual(Signature)) throw new InvalidDataException("not a PNG file (bad signature)");

        int width = 0, height = 0, bitDepth = 0, colorType = -1, interlace = 0;
        byte[]? palette = null;
        using var idat = new MemoryStream();
        while (true)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(ReadExactly(reader, 4));
            string type = System.Text.Encoding.ASCII.GetString(ReadExactly(reader, 4));
            if (length < 0) throw new InvalidDataException($"chunk {type} has a negative length");
            var data = ReadExactly(reader, length);
            reader.ReadUInt32(); // CRC, not verified: zlib's adler32 still catches corrupt pixel data
            switch (type)
            {
                case "IHDR":
                    width = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(0, 4));
                    height = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4, 4));
                    bitDepth = data[8];
                    colorType = data[9];
                    interlace = data[12];
                    break;
                case "PLTE":
                    palette = data;
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
            }
            if (type == "IEND") break;
        }
        if (colorType < 0) throw new InvalidDataException("PNG without IHDR");
        if (width <= 0 || height <= 0) throw new InvalidDataException($"PNG has bad size {width}x{height}");
        if (interlace != 0) throw new InvalidDataException("interlaced (Adam7) PNGs are not supported for label maps");
        int channels = colorType switch
        {
            0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4,
            _ => throw new InvalidDataException($"unknown PNG colour type {colorType}"),
        };
        if (colorType is 2 or 4 or 6 && bitDepth is not (8 or 16) || bitDepth is not (1 or 2 or 4 or 8 or 16) ||
            colorType == 3 && bitDepth == 16)
            throw new InvalidDataException($"unsupported PNG bit depth {bitDepth} for colour type {colorType}");

        int bitsPerPixel = channels * bitDepth;
        int stride = (width * bitsPerPixel + 7) / 8;
        int bpp = Math.Max(1, bitsPerPixel / 8);
        var raw = new byte[checked((long)(stride + 1) * height)];
        idat.Position = 0;
        using (var z = new ZLibStream(idat, CompressionMode.Decompress))
        {
            int read = 0;
            while (read < raw.Length)
            {
                int n = z.Read(raw, read, raw.Length - read);
                if (n == 0) throw new InvalidDataException($"PNG pixel data is short: {read} of {raw.Length} bytes");
                read += n;
            }
        }

        var samples = new int[checked(width * height * channels)];
        var prev = new byte[stride];
        var cur = new byte[stride];
        int samplesPerRow = width * channels;
        for (int y = 0; y < height; y++)
        {
            int offset = y * (stride + 1);
            byte filter = raw[offset];
            Array.Copy(raw, offset + 1, cur, 0, stride);
            Unfilter(filter, cur, prev, bpp, y);
            int baseIndex = y * samplesPerRow;
            for (int s = 0; s < samplesPerRow; s++)
                samples[baseIndex + s] = bitDepth switch
                {
                    8 => cur[s],
                    16 => cur[2 * s] << 8 | cur[2 * s + 1],
                    _ => cur[s * bitDepth / 8] >> (8 - bitDepth - s * bitDepth % 8) & ((1 << bitDepth) - 1),
                };
            (prev, cur) = (cur, prev);
        }
        return new Raster(width, height, colorType, bitDepth, channels, samples, palette);
    }

    /// <summary>
    /// Writes a label map as an 8-bit PNG (palette when <paramref name="palette"/> is given, else grayscale),
    /// or a 16-bit grayscale PNG when a label exceeds 255.
    /// </summary>
    public static void Write(string path, LabelMap labels, ReadOnlySpan<byte> palette = default)
    {
        int max = 0;
        foreach (var v in labels.Labels)
        {
            if (v < 0 || v > 65535) throw new ArgumentException($"label {v} cannot be stored in a PNG");
            max = Math.Max(max, v);
        }
        bool sixteen = max > 255;
        if (sixteen && !palette.IsEmpty) throw new ArgumentException("a palette PNG holds labels up to 255 only");
        int bytesPerPixel = sixteen ? 2 : 1;
        int stride = labels.Width * bytesPerPixel;
        var raw = new byte[(stride + 1) * labels.Height];
        for (int y = 0; y < labels.Height; y++)
        {
            int o = y * (stride + 1) + 1; // filter byte 0 (None)
            for (int x = 0; x < labels.Width; x++)
            {
                int v = labels.Labels[y * labels.Width + x];
                if (sixteen) { raw[o + 2 * x] = (byte)(v >> 8); raw[o + 2 * x + 1] = (byte)v; }
                else raw[o + x] = (byte)v;
            }
        }
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw);

        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        var tmp = path + ".tmp";
        using (var f = File.Create(tmp))
        {
            f.Write(Signature);
            var ihdr = new byte[13];
            BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(0), labels.Width);
            BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), labels.Height);
            ihdr[8] = (byte)(sixteen ? 16 : 8);
            ihdr[9] = (byte)(palette.IsEmpty ? 0 : 3);
            WriteChunk(f, "IHDR", ihdr);
            if (!palette.IsEmpty)
            {
                if (palette.Length % 3 != 0 || palette.Length > 768) throw new ArgumentException("palette must be RGB triples, at most 256");
                if (max >= palette.Length / 3) throw new ArgumentException($"label {max} has no palette entry");
                WriteChunk(f, "PLTE", palette);
            }
            WriteChunk(f, "IDAT", compressed.ToArray());
            WriteChunk(f, "IEND", ReadOnlySpan<byte>.Empty);
        }
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>The Pascal VOC colour map (bit-interleaved, as in the devkit's labelcolormap), 256 entries.</summary>
    public static byte[] VocPalette()
    {
        var p = new byte[768];
        for (int i = 0; i < 256; i++)
        {
            int r = 0, g = 0, b = 0, c = i;
            for (int j = 0; j < 8; j++)
            {
                r |= (c & 1) << (7 - j);
                g |= (c >> 1 & 1) << (7 - j);
                b |= (c >> 2 & 1) << (7 - j);
                c >>= 3;
            }
            p[3 * i] = (byte)r; p[3 * i + 1] = (byte)g; p[3 * i + 2] = (byte)b;
        }
        return p;
    }

    private static void WriteChunk(Stream s, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, data.Length);
        System.Text.Encoding.ASCII.GetBytes(type, header[4..]);
        s.Write(header);
        s.Write(data);
        var crc = new Crc32();
        crc.Append(header[4..]);   // the CRC covers the chunk type and data, not the length
        crc.Append(data);
        Span<byte> crcBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crcBytes, crc.GetCurrentHashAsUInt32());
        s.Write(crcBytes);
    }

    private static void Unfilter(byte filter, byte[] cur, byte[] prev, int bpp, int row)
    {
        switch (filter)
        {
            case 0: break;
            case 1: for (int i = bpp; i < cur.Length; i++) cur[i] += cur[i - bpp]; break;
            case 2: for (int i = 0; i < cur.Length; i++) cur[i] += prev[i]; break;
            case 3:
                for (int i = 0; i < cur.Length; i++)
                    cur[i] += (byte)(((i >= bpp ? cur[i - bpp] : 0) + prev[i]) >> 1);
                break;
            case 4:
                for (int i = 0; i < cur.Length; i++)
                {
                    int a = i >= bpp ? cur[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
                    int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                    cur[i] += (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
                }
                break;
            default: throw new InvalidDataException($"bad PNG filter type {filter} in row {row}");
        }
    }

    private static byte[] ReadExactly(BinaryReader reader, int count)
    {
        var bytes = reader.ReadBytes(count);
        if (bytes.Length != count) throw new EndOfStreamException();
        return bytes;
    }

    private static string ColorTypeName(int t) => t switch
    {
        0 => "grayscale", 2 => "RGB", 3 => "palette", 4 => "grayscale+alpha", 6 => "RGBA", _ => "unknown",
    };
}
