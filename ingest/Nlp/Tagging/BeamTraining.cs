namespace SSeg.Ingest.Nlp.Tagging;

/// <summary>How a beam-trained perceptron picks the prefix to update on when the beam's best sequence is wrong.</summary>
public enum BeamUpdate
{
    /// <summary>The prefix where the best item beats the gold prefix by the most (Huang, Fayong and Guo 2012).</summary>
    MaxViolation,
    /// <summary>The first position where the gold prefix falls out of the beam (Collins and Roark 2004), else the whole sentence.</summary>
    Early,
}

/// <summary>
/// Structured perceptron training with beam search: decode the sentence with the current weights, and if the best
/// sequence is wrong, add the gold prefix's features and subtract the predicted prefix's up to the chosen position.
/// </summary>
internal static class BeamTraining
{
    private readonly struct TrainingScorer(AveragedWeights weights) : IBeamScorer
    {
        public void AddContext(ReadOnlySpan<WordFeatures> words, int i, bool lowercase, Span<double> scores)
        {
            Span<ulong> f = stackalloc ulong[FeatureTemplates.ContextCount];
            FeatureTemplates.ExtractContext(words, i, lowercase, f);
            weights.Add(f, scores);
        }

        public void AddTransition(int t1, int t2, bool lowercase, Span<double> scores)
        {
            Span<ulong> f = stackalloc ulong[FeatureTemplates.TransitionCount];
            FeatureTemplates.ExtractTransition(t1, t2, lowercase, f);
            weights.Add(f, scores);
        }

        public void AddLexicalHistory(ReadOnlySpan<WordFeatures> words, int i, int t1, bool lowercase, Span<double> scores)
        {
            Span<ulong> f = stackalloc ulong[FeatureTemplates.LexicalHistoryCount];
            FeatureTemplates.ExtractLexicalHistory(words, i, t1, lowercase, f);
            weights.Add(f, scores);
        }
    }

    /// <summary>Trains on one sentence; returns the number of positions the beam's best sequence got right.</summary>
    public static int TrainSentence(AveragedWeights weights, ReadOnlySpan<WordFeatures> words, ReadOnlySpan<int> settled,
        ReadOnlySpan<byte> gold, bool lowercase, int nTags, int width, BeamUpdate update)
    {
        int n = words.Length;
        if (n == 0) return 0;
        // The target: the gold tags, except where the dictionary settles a tag (the beam cannot follow gold there).
        Span<byte> target = n <= 256 ? stackalloc byte[n] : new byte[n];
        int scored = 0;
        for (int i = 0; i < n; i++)
        {
            target[i] = settled[i] >= 0 ? (byte)settled[i] : gold[i];
            if (settled[i] < 0) scored++;
        }
        var beam = BeamSearch.ForThread;
        var scorer = new TrainingScorer(weights);
        beam.Run(ref scorer, words, settled, lowercase, nTags, width, target);
        Span<byte> predicted = n <= 256 ? stackalloc byte[n] : new byte[n];
        beam.Backtrack(n - 1, predicted);
        int correct = 0;
        for (int i = 0; i < n; i++) if (predicted[i] == gold[i]) correct++;
        weights.Step += scored;
        if (beam.BestIsGold(n - 1)) return correct;

        int last = n - 1;
        if (update == BeamUpdate.Early)
        {
            for (int i = 0; i < n; i++) if (!beam.GoldInBeam[i]) { last = i; break; }
        }
        else
        {
            for (int i = 0; i < n; i++) if (beam.Violation[i] > beam.Violation[last]) last = i;
        }
        beam.Backtrack(last, predicted);

        Span<ulong> context = stackalloc ulong[FeatureTemplates.ContextCount];
        Span<ulong> history = stackalloc ulong[FeatureTemplates.HistoryCount];
        Span<int> noIds = stackalloc int[FeatureTemplates.ContextCount];
        noIds.Fill(-1);
        for (int j = 0; j <= last; j++)
        {
            if (settled[j] >= 0) continue;
            int g1 = Previous(target, j, 1, nTags), g2 = Previous(target, j, 2, nTags);
            int p1 = Previous(predicted, j, 1, nTags), p2 = Previous(predicted, j, 2, nTags);
            byte g = target[j], p = predicted[j];
            if (g == p && g1 == p1 && g2 == p2) continue;
            if (g != p)
            {
                FeatureTemplates.ExtractContext(words, j, lowercase, context);
                weights.Update(context, noIds, g, 1f);
                weights.Update(context, noIds, p, -1f);
            }
            ExtractHistory(words, j, g1, g2, lowercase, history);
            weights.Update(history, noIds[..FeatureTemplates.HistoryCount], g, 1f);
            ExtractHistory(words, j, p1, p2, lowercase, history);
            weights.Update(history, noIds[..FeatureTemplates.HistoryCount], p, -1f);
        }
        return correct;
    }

    private static void ExtractHistory(ReadOnlySpan<WordFeatures> words, int j, int t1, int t2, bool lowercase, Span<ulong> f)
    {
        FeatureTemplates.ExtractTransition(t1, t2, lowercase, f);
        FeatureTemplates.ExtractLexicalHistory(words, j, t1, lowercase, f[FeatureTemplates.TransitionCount..]);
    }

    /// <summary>The tag k positions before j, or the sentence-start markers (nTags, nTags + 1).</summary>
    private static int Previous(ReadOnlySpan<byte> tags, int j, int k, int nTags) =>
        j - k >= 0 ? tags[j - k] : nTags + (k - j - 1);
}
