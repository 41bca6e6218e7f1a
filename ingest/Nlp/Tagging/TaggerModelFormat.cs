using System.IO.Compression;
using System.Text;

namespace SSeg.Ingest.Nlp.Tagging;

/// <summary>
/// The model file: Brotli-compressed, column-wise binary (all keys, then all counts, then all tags, then
/// all weights, which compresses far better than row-wise). Weights are int16 with one global scale.
/// Deterministic: the same <see cref="ModelData"/> always gives the same bytes.
/// </summary>
public static class TaggerModelFormat
{
    private static readonly byte[] Magic = "SSEGPOS\0"u8.ToArray();
    /// <summary>3 adds the optional unseen-word guesser and backward (right-to-left) model blocks.</summary>
    private const int FormatVersion = 3;

    public static TaggerModel Load(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    public static void Save(TaggerModel model, string path)
    {
        var tmp = path + ".tmp";
        using (var stream = File.Create(tmp)) Write(model.Data, stream);
        File.Move(tmp, path, overwrite: true);
    }

    public static byte[] ToBytes(TaggerModel model)
    {
        using var ms = new MemoryStream();
        Write(model.Data, ms);
        return ms.ToArray();
    }

    internal static void Write(ModelData data, Stream output)
    {
        using var brotli = new BrotliStream(output, CompressionLevel.SmallestSize, leaveOpen: true);
        using var w = new BinaryWriter(brotli, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(FormatVersion);
        w.Write(FeatureTemplates.Version);
        w.Write7BitEncodedInt(data.Tags.Count);
        foreach (var tag in data.Tags) w.Write(tag);

        w.Write7BitEncodedInt(data.TagDictionaryKeys.Length);
        foreach (var k in data.TagDictionaryKeys) w.Write(k);
        w.Write(data.TagDictionaryTags);

        w.Write7BitEncodedInt(data.AmbiguityKeys.Length);
        foreach (var k in data.AmbiguityKeys) w.Write(k);
        foreach (var m in data.AmbiguityMasks) w.Write(m);

        w.Write(data.WeightScale);
        WriteWeights(w, data.FeatureKeys, data.FeatureStarts, data.EntryTags, data.EntryWeights);

        var lemmas = data.LemmaExceptions.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        w.Write7BitEncodedInt(lemmas.Count);
        foreach (var (key, lemma) in lemmas) { w.Write(key); w.Write(lemma); }
        var known = data.KnownLemmas.Order(StringComparer.Ordinal).ToList();
        w.Write7BitEncodedInt(known.Count);
        foreach (var lemma in known) w.Write(lemma);

        w.Write(false); // an optional section this version never writes (see Load)
        w.Write(data.Guesser is not null);
        if (data.Guesser is { } guesser) WriteWeights(w, guesser.FeatureKeys, guesser.FeatureStarts, guesser.EntryTags, guesser.EntryWeights);
        w.Write(data.Backward is not null);
        if (data.Backward is { } backward)
        {
            w.Write(backward.Margin);
            w.Write(backward.WeightScale);
            WriteWeights(w, backward.FeatureKeys, backward.FeatureStarts, backward.EntryTags, backward.EntryWeights);
        }
    }

    private static void WriteWeights(BinaryWriter w, ulong[] keys, int[] starts, byte[] tags, short[] weights)
    {
        w.Write7BitEncodedInt(keys.Length);
        foreach (var k in keys) w.Write(k);
        for (int f = 0; f < keys.Length; f++) w.Write((byte)(starts[f + 1] - starts[f]));
        w.Write(tags);
        foreach (var q in weights) w.Write(q);
    }

    private static (ulong[] Keys, int[] Starts, byte[] Tags, short[] Weights) ReadWeights(BinaryReader r)
    {
        int nFeatures = r.Read7BitEncodedInt();
        var keys = ReadULongs(r, nFeatures);
        var starts = new int[nFeatures + 1];
        for (int f = 0; f < nFeatures; f++) starts[f + 1] = starts[f] + r.ReadByte();
        var tags = r.ReadBytes(starts[nFeatures]);
        var weights = new short[starts[nFeatures]];
        for (int e = 0; e < weights.Length; e++) weights[e] = r.ReadInt16();
        if (tags.Length != weights.Length) throw new EndOfStreamException("weights cut short");
        return (keys, starts, tags, weights);
    }

    public static TaggerModel Read(Stream input, string sourceName)
    {
        try
        {
            using var brotli = new BrotliStream(input, CompressionMode.Decompress, leaveOpen: true);
            using var r = new BinaryReader(brotli, Encoding.UTF8, leaveOpen: true);
            if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) throw Bad(sourceName, "not a tagger model (bad magic)");
            int version = r.ReadInt32(), templates = r.ReadInt32();
            if (version != FormatVersion || templates != FeatureTemplates.Version)
                throw Bad(sourceName, $"model format {version}/templates {templates}, this build reads {FormatVersion}/{FeatureTemplates.Version}; retrain it");
            var tags = new string[r.Read7BitEncodedInt()];
            for (int i = 0; i < tags.Length; i++) tags[i] = r.ReadString();

            var dictKeys = ReadULongs(r, r.Read7BitEncodedInt());
            var dictTags = r.ReadBytes(dictKeys.Length);
            int nAmb = r.Read7BitEncodedInt();
            var ambKeys = ReadULongs(r, nAmb);
            var ambMasks = ReadULongs(r, nAmb);

            float scale = r.ReadSingle();
            var (featureKeys, starts, entryTags, weights) = ReadWeights(r);

            int nLemmas = r.Read7BitEncodedInt();
            var lemmas = new Dictionary<string, string>(nLemmas, StringComparer.Ordinal);
            for (int i = 0; i < nLemmas; i++) lemmas[r.ReadString()] = r.ReadString();
            var known = new string[r.Read7BitEncodedInt()];
            for (int i = 0; i < known.Length; i++) known[i] = r.ReadString();

            // The format keeps a flag for a stacked second-pass section; this tagger has no second pass, so a model
            // that sets it cannot be tagged with as it was trained.
            if (r.ReadBoolean()) throw Bad(sourceName, "holds a second-pass section, which this tagger does not support; retrain it with `nlp train-tagger`");
            GuesserData? guesser = null;
            if (r.ReadBoolean())
            {
                var (k3, s3, t3, w3) = ReadWeights(r);
                if (t3.Any(t => t >= tags.Length)) throw Bad(sourceName, "truncated or corrupt guesser weights");
                guesser = new GuesserData(k3, s3, t3, w3);
            }
            BackwardData? backward = null;
            if (r.ReadBoolean())
            {
                float margin = r.ReadSingle(), backwardScale = r.ReadSingle();
                var (kb, sb, tb, wb) = ReadWeights(r);
                if (tb.Any(t => t >= tags.Length)) throw Bad(sourceName, "truncated or corrupt backward weights");
                backward = new BackwardData(kb, sb, tb, wb, backwardScale, margin);
            }
            if (entryTags.Any(t => t >= tags.Length)) throw Bad(sourceName, "truncated or corrupt weights");
            return new TaggerModel(new ModelData(tags, dictKeys, dictTags, ambKeys, ambMasks, featureKeys, starts, entryTags, weights, scale, lemmas, known, guesser, backward));
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or IOException or ArgumentException or InvalidOperationException or OverflowException)
        {
            throw Bad(sourceName, $"truncated or corrupt ({e.Message})");
        }
    }

    private static ulong[] ReadULongs(BinaryReader r, int count)
    {
        var values = new ulong[count];
        for (int i = 0; i < count; i++) values[i] = r.ReadUInt64();
        return values;
    }

    private static FormatException Bad(string source, string message) => new($"{source}: {message}");
}
