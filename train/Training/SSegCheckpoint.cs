namespace SSeg.Train.Training;

/// <summary>Names inside an S-Seg checkpoint folder's model.safetensors metadata.</summary>
public static class SSegCheckpoint
{
    public const string KindKey = "sseg.kind";
    public const string Kind = "sseg";
    public const string ConfigKey = "sseg.config";
}
