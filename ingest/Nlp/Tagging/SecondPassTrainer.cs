using SSeg.Ingest.Nlp.Conllu;

namespace SSeg.Ingest.Nlp.Tagging;

/// <summary>
/// The first pass's output on every training sentence, each tagged by a first pass that never saw it
/// (k-fold jackknifing), so that the second pass trains on first-pass tags and scores with test-time errors.
/// </summary>
public sealed class JackknifedFirstPass
{
    internal sealed record Sentence(WordFeatures[] Words, byte[] FirstTags, float[] Margins, byte[] Gold, bool Lowercase);

    internal List<Sentence> Sentences { get; } = new();

    public int Count => Sentences.Count;

    /// <summary>The share of model-scored tokens the held-out first passes tagged correctly.</summary>
    public double FirstPassAccuracy
    {
        get
        {
            long correct = 0, total = 0;
            foreach (var s in Sentences)
                for (int i = 0; i < s.Gold.Length; i++)
                    if (!float.IsPositiveInfinity(s.Margins[i])) { total++; if (s.FirstTags[i] == s.Gold[i]) correct++; }
            return total == 0 ? 0 : (double)correct / total;
        }
    }

    /// <summary>First-pass margins of the model-scored tokens at the given quantiles (to choose <see cref="TrainerOptions.SecondPassMargin"/>).</summary>
    public float[] MarginQuantiles(params double[] quantiles)
    {
        var all = Sentences.SelectMany(s => s.Margins).Where(m => !float.IsPositiveInfinity(m)).Order().ToArray();
        return quantiles.Select(q => all.Length == 0 ? 0 : all[(int)Math.Min(all.Length - 1, q * all.Length)]).ToArray();
    }
}

/// <summary>
/// Stacking: a second averaged perceptron that re-tags the first pass's uncertain tokens with
/// <see cref="SecondPassFeatures"/> (the first pass's features plus its tags of the next words).
/// </summary>
public static class SecondPassTrainer
{
    /// <summary>Retrains the first pass <see cref="TrainerOptions.SecondPassFolds"/> times, each time tagging the held-out fold.</summary>
    public static JackknifedFirstPass Jackknife(IReadOnlyList<ConlluSentence> train, TrainerOptions options, IReadOnlyList<string> tagSet, Action<int>? foldDone = null)
    {
        int folds = Math.Max(2, options.SecondPassFolds);
        var foldOptions = options with { SecondPassFolds = 0, FixedTagSet = tagSet };
        var tagId = tagSet.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => (byte)x.i, StringComparer.Ordinal);
        var result = new JackknifedFirstPass();
        for (int fold = 0; fold < folds; fold++)
        {
            var trainer = new PerceptronTrainer(foldOptions);
            var tagger = new PosTagger(trainer.Train(train.Where((_, k) => k % folds != fold).ToList()));
            for (int k = fold; k < train.Count; k += folds)
            {
                var forms = train[k].Words.Select(w => w.Form).ToArray();
                var goldTags = train[k].Words.Select(w => w.Xpos).ToArray();
                var gold = goldTags.Select(t => tagId.TryGetValue(t, out var id) ? id
                    : throw new InvalidOperationException($"tag {t} is not in the tag set")).ToArray();
                result.Sentences.Add(TagFirstPass(tagger, forms, gold));
                if (trainer.GetsLowercaseCopy(forms, goldTags))
                    result.Sentences.Add(TagFirstPass(tagger, forms.Select(f => f.ToLowerInvariant()).ToArray(), gold));
            }
            foldDone?.Invoke(fold + 1);
        }
        return result;
    }

    private static JackknifedFirstPass.Sentence TagFirstPass(PosTagger tagger, string[] forms, byte[] gold)
    {
        var model = tagger.Model;
        int n = forms.Length, nTags = model.Tags.Count;
        bool lowercase = forms.All(f => WordFeatures.IsLowercase(f));
        var words = new WordFeatures[n];
        for (int i = 0; i < n; i++) model.ComputeWordFeatures(forms[i], lowercase, out words[i]);
        var tags = new byte[n];
        var margins = new int[n];
        tagger.TagFirstPass(words, default, lowercase, tags, margins);
        float scale = model.Data.WeightScale;
        return new JackknifedFirstPass.Sentence(words, tags,
            margins.Select(m => m == int.MaxValue ? float.PositiveInfinity : m * scale).ToArray(), gold, lowercase);
    }

    /// <summary>Trains the second pass on <paramref name="data"/> and returns <paramref name="firstPass"/> with it.</summary>
    public static TaggerModel Train(TaggerModel firstPass, JackknifedFirstPass data, TrainerOptions options, Action<int, double>? progress = null)
    {
        int nTags = firstPass.Tags.Count;
        var weights = new AveragedWeights();
        var scores = new float[nTags];
        var features = new ulong[SecondPassFeatures.Count];
        var featureIds = new int[features.Length];
        var order = Enumerable.Range(0, data.Count).ToArray();
        var rng = new PerceptronTrainer.SplitMix64(options.Seed ^ 0x2F0F1E2D3C4B5A69UL);
        for (int epoch = 1; epoch <= options.SecondPassEpochs; epoch++)
        {
            PerceptronTrainer.Shuffle(order, ref rng);
            long correct = 0, total = 0;
            foreach (int s in order)
            {
                var sentence = data.Sentences[s];
                for (int i = 0; i < sentence.Words.Length; i++)
                {
                    if (sentence.Margins[i] >= options.SecondPassMargin) continue;
                    SecondPassFeatures.Extract(sentence.Words, sentence.FirstTags, i, nTags, sentence.Lowercase, features);
                    Array.Clear(scores);
                    weights.Accumulate(features, featureIds, scores);
                    int guess = PerceptronTrainer.ArgMax(scores);
                    weights.Step++;
                    byte gold = sentence.Gold[i];
                    if (guess != gold)
                    {
                        weights.Update(features, featureIds, gold, 1f);
                        weights.Update(features, featureIds, (byte)guess, -1f);
                    }
                    else correct++;
                    total++;
                }
            }
            progress?.Invoke(epoch, total == 0 ? 0 : (double)correct / total);
        }

        var (keys, starts, entryTags, entryWeights) = weights.Averaged(options.PruneBelow);
        float maxAbs = entryWeights.Length == 0 ? 0 : entryWeights.Max(Math.Abs);
        float ownScale = maxAbs > 0 ? maxAbs / short.MaxValue : 1f;
        var quantized = entryWeights.Select(w => (short)Math.Round(w / ownScale)).ToArray();
        // The gate compares first-pass margins, so it is kept in the first pass's weight units.
        int margin = float.IsPositiveInfinity(options.SecondPassMargin) ? int.MaxValue : (int)Math.Ceiling(options.SecondPassMargin / firstPass.Data.WeightScale);
        return new TaggerModel(firstPass.Data with { SecondPass = new SecondPassData(keys, starts, entryTags, quantized, margin) });
    }
}
