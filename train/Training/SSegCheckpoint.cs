namespace SSeg.Train.Training;

/// <summary>What makes an S-Seg checkpoint folder: model.safetensors metadata names and the tokenizer file beside it.</summary>
public static class SSegCheckpoint
{
    public const string KindKey = "sseg.kind";
    public const string Kind = "sseg";
    public const string ConfigKey = "sseg.config";
    /// <summary>The tokenizer's merges (CLIP format), so a checkpoint folder is self-contained.</summary>
    public const string VocabFile = "bpe.txt.gz";
}
