namespace SSeg.Ingest.Images;

/// <summary>
/// The few JPEG facts the pass-through decision needs, read from the marker segments without decoding:
/// the SOF type, sample precision, component count, the Adobe colour transform, and whether an EOI marker ends the data.
/// </summary>
public readonly record struct JpegHeader(byte SofMarker, int Precision, int Width, int Height, int Components, int AdobeTransform, bool HasEoi)
{
    /// <summary>Baseline, extended-sequential or progressive Huffman JPEG, 8-bit, 3-component YCbCr.</summary>
    public bool IsPlainYCbCr => SofMarker is 0xC0 or 0xC1 or 0xC2 && Precision == 8 && Components == 3 && AdobeTransform != 0;

    public static bool LooksLikeJpeg(ReadOnlySpan<byte> data) => data.Length > 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF;

    public static JpegHeader? TryRead(ReadOnlySpan<byte> data)
    {
        if (!LooksLikeJpeg(data)) return null;
        var pos = 2;
        var adobe = -1;
        while (pos + 4 <= data.Length)
        {
            if (data[pos] != 0xFF) return null;
            var marker = data[pos + 1];
            if (marker == 0xFF) { pos++; continue; }            // fill byte
            if (marker is 0xD8 or 0x01 || marker is >= 0xD0 and <= 0xD7) { pos += 2; continue; }
            var length = (data[pos + 2] << 8) | data[pos + 3];
            if (length < 2 || pos + 2 + length > data.Length) return null;
            var segment = data.Slice(pos + 4, length - 2);
            if (marker == 0xEE && segment.Length >= 12 && segment[..5].SequenceEqual("Adobe"u8))
                adobe = segment[11];
            if (marker is >= 0xC0 and <= 0xCF && marker is not (0xC4 or 0xC8 or 0xCC))
            {
                if (segment.Length < 6) return null;
                return new JpegHeader(marker, segment[0], (segment[3] << 8) | segment[4], (segment[1] << 8) | segment[2],
                    segment[5], adobe, HasEndMarker(data));
            }
            if (marker == 0xDA) return null;                     // scan before frame header: broken
            pos += 2 + length;
        }
        return null;
    }

    /// <summary>
    /// True when an EOI marker (FF D9) sits in the last 64 KiB. A file cut short (the usual broken download) has
    /// none there: entropy-coded data cannot contain FF D9.
    /// </summary>
    public static bool HasEndMarker(ReadOnlySpan<byte> data)
    {
        var tail = data[Math.Max(0, data.Length - 65536)..];
        for (var i = tail.Length - 2; i >= 0; i--)
            if (tail[i] == 0xFF && tail[i + 1] == 0xD9) return true;
        return false;
    }
}
