namespace SSeg.Ingest.Nlp.Tagging;

/// <summary>The POS model trained on UD English EWT that ships inside this assembly (see ingest/Nlp/README.md).</summary>
public static class EmbeddedTaggerModel
{
    public const string ResourceName = "SSeg.Ingest.Nlp.en_ewt.pos.model";

    public static TaggerModel Load()
    {
        using var stream = typeof(EmbeddedTaggerModel).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing from {typeof(EmbeddedTaggerModel).Assembly.GetName().Name}");
        return TaggerModelFormat.Read(stream, ResourceName);
    }
}
