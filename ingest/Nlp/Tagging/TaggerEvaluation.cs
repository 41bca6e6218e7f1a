using SSeg.Ingest.Nlp.Conllu;

namespace SSeg.Ingest.Nlp.Tagging;

/// <summary>Token accuracy and noun/verb selection precision, recall and F1 against gold XPOS tags.</summary>
public sealed record TaggerScores(long Tokens, long Correct, long SelectedGold, long SelectedPredicted, long SelectedBoth)
{
    public double Accuracy => Tokens == 0 ? 0 : (double)Correct / Tokens;
    public double Precision => SelectedPredicted == 0 ? 0 : (double)SelectedBoth / SelectedPredicted;
    public double Recall => SelectedGold == 0 ? 0 : (double)SelectedBoth / SelectedGold;
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    public override string ToString() =>
        $"tokens {Tokens}, accuracy {Accuracy:P2}, noun/verb selection P {Precision:F4} R {Recall:F4} F1 {F1:F4}";
}

public static class TaggerEvaluation
{
    /// <summary>
    /// Tags every sentence on its gold words (optionally lowercased first, to measure lowercase captions)
    /// and counts a token as selected when its tag is one <see cref="CaptionWords"/> keeps.
    /// </summary>
    public static TaggerScores Evaluate(PosTagger tagger, IEnumerable<ConlluSentence> sentences, bool lowercase = false)
    {
        long tokens = 0, correct = 0, gold = 0, predicted = 0, both = 0;
        foreach (var sentence in sentences)
        {
            var forms = sentence.Words.Select(w => lowercase ? w.Form.ToLowerInvariant() : w.Form).ToArray();
            var tags = tagger.Tag(forms);
            for (int i = 0; i < tags.Length; i++)
            {
                var goldTag = sentence.Words[i].Xpos;
                bool g = KeptTags.IsKept(goldTag), p = KeptTags.IsKept(tags[i]);
                tokens++;
                if (tags[i] == goldTag) correct++;
                if (g) gold++;
                if (p) predicted++;
                if (g && p) both++;
            }
        }
        return new TaggerScores(tokens, correct, gold, predicted, both);
    }
}

/// <summary>The Penn tags whose words GroupViT and S-Seg keep from captions.</summary>
public static class KeptTags
{
    public static bool IsNoun(string tag) => tag is "NN" or "NNS" or "NNP";

    public static bool IsVerb(string tag) => tag is "VB" or "VBD" or "VBG" or "VBN" or "VBP" or "VBZ";

    public static bool IsKept(string tag) => IsNoun(tag) || IsVerb(tag);
}
