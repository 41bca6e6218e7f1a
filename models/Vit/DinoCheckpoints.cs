namespace SSeg.Models;

/// <summary>Names and download URLs of the official DINO backbone checkpoints (facebookresearch/dino README).</summary>
public static class DinoCheckpoints
{
    public const string BaseUrl = "https://dl.fbaipublicfiles.com/dino";

    /// <summary>File name of the official backbone for a model + patch, e.g. dino_deitsmall8_pretrain.pth.</summary>
    public static string FileName(VitConfig config)
    {
        var family = config.EmbedDim switch
        {
            384 => "deitsmall",
            768 => "vitbase",
            _ => throw new ArgumentException($"DINO publishes no backbone for {config.Name} (only vit_small and vit_base)."),
        };
        if (config.PatchSize is not (8 or 16))
            throw new ArgumentException($"DINO publishes no backbone with patch {config.PatchSize} (only 8 and 16).");
        return $"dino_{family}{config.PatchSize}_pretrain.pth";
    }

    public static string Url(VitConfig config)
    {
        var file = FileName(config);
        return $"{BaseUrl}/{Path.GetFileNameWithoutExtension(file)}/{file}";
    }
}
