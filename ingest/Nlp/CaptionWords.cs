using SSeg.Ingest.Nlp.Tagging;

namespace SSeg.Ingest.Nlp;

/// <summary>
/// Caption → nouns and verbs (PTB tags NN, NNS, NNP, VB, VBD, VBG, VBN, VBP, VBZ), order preserved, as GroupViT
/// and S-Seg select them. Uses the tagger trained on UD English EWT that ships inside this assembly, loaded once
/// on first use; safe to call from any number of threads.
/// </summary>
public static class CaptionWords
{
    private static readonly Lazy<CaptionWordExtractor> DefaultExtractor =
        new(() => new CaptionWordExtractor(new PosTagger(EmbeddedTaggerModel.Load())), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The shared extractor over the embedded model.</summary>
    public static CaptionWordExtractor Default => DefaultExtractor.Value;

    /// <summary>Nouns and verbs of a caption, as written in the caption.</summary>
    public static (IReadOnlyList<string> Nouns, IReadOnlyList<string> Verbs) Extract(string caption)
        => Default.Extract(caption, lemmatize: false);

    /// <summary>Nouns and verbs of a caption; with <paramref name="lemmatize"/> "dogs" → "dog", "running" → "run".</summary>
    public static (IReadOnlyList<string> Nouns, IReadOnlyList<string> Verbs) Extract(string caption, bool lemmatize)
        => Default.Extract(caption, lemmatize);
}
