namespace SSeg.Train.Text;

/// <summary>GPT-2/CLIP byte ↔ printable-unicode map: every byte gets a visible character so BPE never sees
/// whitespace or control characters. <see cref="Order"/> is the vocabulary order of the 256 byte symbols.</summary>
public static class ByteUnicode
{
    /// <summary>Byte → symbol.</summary>
    public static IReadOnlyList<char> Encoder { get; }

    /// <summary>Symbol → byte.</summary>
    public static IReadOnlyDictionary<char, byte> Decoder { get; }

    /// <summary>The 256 symbols in CLIP's vocabulary order (printable bytes first, then the rest remapped above 255).</summary>
    public static IReadOnlyList<char> Order { get; }

    static ByteUnicode()
    {
        var bs = new List<int>();
        for (int b = '!'; b <= '~'; b++) bs.Add(b);
        for (int b = 0xA1; b <= 0xAC; b++) bs.Add(b);
        for (int b = 0xAE; b <= 0xFF; b++) bs.Add(b);
        var cs = new List<int>(bs);
        int n = 0;
        for (int b = 0; b < 256; b++)
        {
            if (bs.Contains(b)) continue;
            bs.Add(b);
            cs.Add(256 + n++);
        }
        var encoder = new char[256];
        var decoder = new Dictionary<char, byte>();
        var order = new List<char>();
        for (int i = 0; i < 256; i++)
        {
            encoder[bs[i]] = (char)cs[i];
            decoder[(char)cs[i]] = (byte)bs[i];
            order.Add((char)cs[i]);
        }
        Encoder = encoder;
        Decoder = decoder;
        Order = order;
    }
}
