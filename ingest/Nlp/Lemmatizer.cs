namespace SSeg.Ingest.Nlp;

/// <summary>
/// Dictionary-checked rule lemmatizer for nouns and verbs (the words <see cref="CaptionWords"/> keeps):
/// irregular forms from a built-in table and from the exceptions learned with the model, then suffix rules
/// (dogs→dog, berries→berry, boxes→box, running→run, baked→bake) whose candidates are checked against the
/// lemmas seen in training. Proper nouns (NNP) are returned as written; everything else is lowercased.
/// </summary>
public sealed class Lemmatizer
{
    private readonly IReadOnlyDictionary<string, string> _exceptions;
    private readonly HashSet<string> _known;

    /// <param name="exceptions">"N"/"V" + lowercased form → lemma.</param>
    /// <param name="knownLemmas">"N"/"V" + lemma, for every noun and verb lemma seen in training.</param>
    public Lemmatizer(IReadOnlyDictionary<string, string> exceptions, IEnumerable<string> knownLemmas)
    {
        _exceptions = exceptions;
        _known = new HashSet<string>(knownLemmas, StringComparer.Ordinal);
    }

    /// <summary>Rules and built-in irregular forms only, no learned data.</summary>
    public static Lemmatizer RulesOnly { get; } = new(new Dictionary<string, string>(), []);

    public string Lemmatize(string word, string tag)
    {
        if (tag is "NNP" or "NNPS") return word;
        char cls = tag.StartsWith("VB", StringComparison.Ordinal) || tag == "MD" ? 'V' : 'N';
        var lower = word.ToLowerInvariant();
        if (_exceptions.TryGetValue(cls + lower, out var lemma)) return lemma;
        if (IrregularForms.TryGet(cls, lower, out lemma)) return lemma;
        var candidates = Candidates(cls, tag, lower);
        foreach (var candidate in candidates)
            if (_known.Contains(cls + candidate)) return candidate;
        return candidates[0];
    }

    /// <summary>Rule outputs, most likely first (the first one is used when none is a known lemma).</summary>
    internal static List<string> Candidates(char cls, string tag, string w)
    {
        var c = new List<string>(4);
        bool plural = cls == 'N' ? tag == "NNS" : tag == "VBZ";
        if (plural) Plural(w, c);
        else if (cls == 'V' && tag is "VBD" or "VBN" && w.Length > 3 && w.EndsWith("ed", StringComparison.Ordinal))
        {
            var stem = w[..^2];
            if (stem.EndsWith('i')) c.Add(stem[..^1] + "y");          // carried → carry
            if (IsUndoublable(stem)) c.Add(stem[..^1]);                 // stopped → stop
            c.Add(stem);                                                // walked → walk
            c.Add(stem + "e");                                          // baked → bake
        }
        else if (cls == 'V' && tag == "VBG" && w.Length > 4 && w.EndsWith("ing", StringComparison.Ordinal))
        {
            var stem = w[..^3];
            if (IsUndoublable(stem)) c.Add(stem[..^1]);                 // running → run
            c.Add(stem);                                                // walking → walk
            c.Add(stem + "e");                                          // making → make
        }
        c.Add(w);
        return c;
    }

    private static void Plural(string w, List<string> c)
    {
        if (w.Length > 4 && w.EndsWith("men", StringComparison.Ordinal)) { c.Add(w[..^3] + "man"); return; }
        if (w.Length < 3 || !w.EndsWith('s') || w.EndsWith("ss", StringComparison.Ordinal) || w.EndsWith("us", StringComparison.Ordinal) || w.EndsWith("is", StringComparison.Ordinal))
            return;
        if (w.EndsWith("ies", StringComparison.Ordinal) && w.Length > 4) { c.Add(w[..^3] + "y"); c.Add(w[..^1]); return; }
        if (w.EndsWith("ves", StringComparison.Ordinal)) { c.Add(w[..^1]); c.Add(w[..^3] + "f"); c.Add(w[..^3] + "fe"); return; }
        if (w.EndsWith("sses", StringComparison.Ordinal) || w.EndsWith("shes", StringComparison.Ordinal) || w.EndsWith("ches", StringComparison.Ordinal)
            || w.EndsWith("xes", StringComparison.Ordinal) || w.EndsWith("zzes", StringComparison.Ordinal) || w.EndsWith("oes", StringComparison.Ordinal))
        {
            c.Add(w[..^2]); c.Add(w[..^1]); return;
        }
        c.Add(w[..^1]);
        if (w.EndsWith("es", StringComparison.Ordinal)) c.Add(w[..^2]);
    }

    /// <summary>A stem ending in a doubled consonant that English doubles before -ed/-ing (stopp, runn, sitt).</summary>
    private static bool IsUndoublable(string stem) =>
        stem.Length >= 3 && stem[^1] == stem[^2] && "bdgmnprt".Contains(stem[^1]) && "aeiou".Contains(stem[^3]);
}
