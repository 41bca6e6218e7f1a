using Parquet.Schema;

namespace SSeg.Shards.Parquet;

/// <summary>
/// The image shard columns (HF-datasets compatible <c>image</c> struct):
/// key, image{bytes, path}, caption, nouns list&lt;string&gt;, verbs list&lt;string&gt;, url, source,
/// width, height, original_width, original_height (int32), sha256, extra (JSON string).
/// A fresh instance per file: Parquet.Net binds field paths to one schema.
/// </summary>
internal sealed class ImageShardSchema
{
    public readonly DataField Key = new DataField<string>("key", false);
    public readonly DataField ImageBytes = new DataField<byte[]>("bytes", true);
    public readonly DataField ImagePath = new DataField<string>("path", true);
    public readonly DataField Caption = new DataField<string>("caption", true);
    public readonly DataField NounsElement = new DataField<string>("element", true);
    public readonly DataField VerbsElement = new DataField<string>("element", true);
    public readonly DataField Url = new DataField<string>("url", true);
    public readonly DataField Source = new DataField<string>("source", true);
    public readonly DataField Width = new DataField<int>("width", false);
    public readonly DataField Height = new DataField<int>("height", false);
    public readonly DataField OriginalWidth = new DataField<int>("original_width", false);
    public readonly DataField OriginalHeight = new DataField<int>("original_height", false);
    public readonly DataField Sha256 = new DataField<string>("sha256", true);
    public readonly DataField Extra = new DataField<string>("extra", true);
    public readonly ParquetSchema Schema;

    public ImageShardSchema()
    {
        Schema = new ParquetSchema(
            Key,
            new StructField("image", ImageBytes, ImagePath),
            Caption,
            new ListField("nouns", NounsElement),
            new ListField("verbs", VerbsElement),
            Url, Source, Width, Height, OriginalWidth, OriginalHeight, Sha256, Extra);
    }

    /// <summary>Column paths a valid image shard must have ('/'-joined), with their CLR types.</summary>
    public static readonly IReadOnlyDictionary<string, Type> Required = new Dictionary<string, Type>
    {
        ["key"] = typeof(string), ["image/bytes"] = typeof(byte[]), ["image/path"] = typeof(string),
        ["caption"] = typeof(string), ["nouns/list/element"] = typeof(string), ["verbs/list/element"] = typeof(string),
        ["url"] = typeof(string), ["source"] = typeof(string), ["width"] = typeof(int), ["height"] = typeof(int),
        ["original_width"] = typeof(int), ["original_height"] = typeof(int), ["sha256"] = typeof(string), ["extra"] = typeof(string),
    };
}

/// <summary>Mask shard columns: key, mask (PNG bytes), height, width, segments.</summary>
internal sealed class MaskShardSchema
{
    public readonly DataField Key = new DataField<string>("key", false);
    public readonly DataField Mask = new DataField<byte[]>("mask", true);
    public readonly DataField Height = new DataField<int>("height", false);
    public readonly DataField Width = new DataField<int>("width", false);
    public readonly DataField Segments = new DataField<int>("segments", false);
    public readonly ParquetSchema Schema;

    public MaskShardSchema() => Schema = new ParquetSchema(Key, Mask, Height, Width, Segments);

    public static readonly IReadOnlyDictionary<string, Type> Required = new Dictionary<string, Type>
    {
        ["key"] = typeof(string), ["mask"] = typeof(byte[]), ["height"] = typeof(int), ["width"] = typeof(int), ["segments"] = typeof(int),
    };
}

/// <summary>Failure file columns: url, key, reason, detail.</summary>
internal sealed class FailureSchema
{
    public readonly DataField Url = new DataField<string>("url", true);
    public readonly DataField Key = new DataField<string>("key", true);
    public readonly DataField Reason = new DataField<string>("reason", false);
    public readonly DataField Detail = new DataField<string>("detail", true);
    public readonly ParquetSchema Schema;

    public FailureSchema() => Schema = new ParquetSchema(Url, Key, Reason, Detail);
}
