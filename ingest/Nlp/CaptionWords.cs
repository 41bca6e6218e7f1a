namespace SSeg.Ingest.Nlp;

/// <summary>Caption → nouns and verbs (PTB tags NN, NNS, NNP, VB, VBD, VBG, VBN, VBP, VBZ), order preserved.</summary>
public static class CaptionWords
{
    /// <summary>Nouns and verbs of a caption, as written in the caption.</summary>
    public static (IReadOnlyList<string> Nouns, IReadOnlyList<string> Verbs) Extract(string caption)
        => Extract(caption, lemmatize: false);

    /// <summary>Nouns and verbs of a caption; with <paramref name="lemmatize"/> "dogs" → "dog", "running" → "run".</summary>
    public static (IReadOnlyList<string> Nouns, IReadOnlyList<string> Verbs) Extract(string caption, bool lemmatize)
    {
        // Placeholder until the trained tagger lands: every alphabetic word is a noun.
        var nouns = new List<string>();
        if (string.IsNullOrWhiteSpace(caption)) return (nouns, Array.Empty<string>());
        foreach (var word in caption.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            if (word.All(char.IsLetter)) nouns.Add(lemmatize ? word.ToLowerInvariant() : word);
        return (nouns, Array.Empty<string>());
    }
}
