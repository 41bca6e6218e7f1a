namespace SSeg.Shards;

/// <summary>Column projection for <see cref="ImageShardReader"/>: only the chosen columns are read from storage.</summary>
[Flags]
public enum ImageColumns
{
    None = 0,
    Key = 1,
    Image = 2,
    Caption = 4,
    Nouns = 8,
    Verbs = 16,
    Url = 32,
    Source = 64,
    /// <summary>width and height.</summary>
    Size = 128,
    /// <summary>original_width and original_height.</summary>
    OriginalSize = 256,
    Sha256 = 512,
    Extra = 1024,
    /// <summary>Everything except the image bytes (cheap scans).</summary>
    AllButImage = Key | Caption | Nouns | Verbs | Url | Source | Size | OriginalSize | Sha256 | Extra,
    All = AllButImage | Image,
}
