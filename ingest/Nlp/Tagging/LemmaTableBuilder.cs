using SSeg.Ingest.Nlp.Conllu;

namespace SSeg.Ingest.Nlp.Tagging;

/// <summary>
/// Learns the lemmatizer's data from the training treebank's LEMMA column: every noun and verb lemma seen
/// (to check rule candidates against), and the forms whose most frequent gold lemma the rules miss.
/// </summary>
internal static class LemmaTableBuilder
{
    public static (IReadOnlyDictionary<string, string> Exceptions, IReadOnlyList<string> Known) Build(IEnumerable<ConlluSentence> sentences)
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        var lemmaCounts = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        var tagOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var sentence in sentences)
            foreach (var word in sentence.Words)
            {
                if (!KeptTags.IsKept(word.Xpos) || word.Xpos == "NNP" || word.Lemma is "_" or "") continue;
                char cls = KeptTags.IsVerb(word.Xpos) ? 'V' : 'N';
                var lemma = word.Lemma.ToLowerInvariant();
                known.Add(cls + lemma);
                var key = cls + word.Form.ToLowerInvariant();
                if (!lemmaCounts.TryGetValue(key, out var counts)) lemmaCounts[key] = counts = new Dictionary<string, int>(StringComparer.Ordinal);
                counts[lemma] = counts.GetValueOrDefault(lemma) + 1;
                tagOf.TryAdd(key, word.Xpos);
            }

        var rules = new Lemmatizer(new Dictionary<string, string>(), known);
        var exceptions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, counts) in lemmaCounts)
        {
            var best = counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).First().Key;
            if (rules.Lemmatize(key[1..], tagOf[key]) != best) exceptions[key] = best;
        }
        return (exceptions, known.Order(StringComparer.Ordinal).ToList());
    }
}
