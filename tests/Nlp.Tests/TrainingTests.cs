using SSeg.Ingest.Nlp.Conllu;
using SSeg.Ingest.Nlp.Tagging;

namespace SSeg.Nlp.Tests;

public class TrainingTests
{
    [Fact]
    public void Reads_the_whole_treebank()
    {
        Assert.Equal(12544, EwtData.Train.Count);
        Assert.Equal(204577, EwtData.Train.Sum(s => s.Words.Count));
        Assert.Equal(2001, EwtData.Dev.Count);
        Assert.Equal(25147, EwtData.Dev.Sum(s => s.Words.Count));
    }

    [Fact]
    public void A_small_slice_trains_to_a_reasonable_accuracy()
    {
        var slice = EwtData.Train.Take(2500).ToList();
        var epochAccuracies = new List<double>();
        var options = new TrainerOptions { Epochs = 4 };
        var model = new PerceptronTrainer(options).Train(slice, (_, acc) => epochAccuracies.Add(acc));
        Assert.Equal(options.Epochs * options.Shuffles, epochAccuracies.Count);
        for (int run = 0; run < options.Shuffles; run++)
            Assert.True(epochAccuracies[run * 4 + 3] > epochAccuracies[run * 4], "training accuracy should rise over the epochs of each shuffle");

        var scores = TaggerEvaluation.Evaluate(new PosTagger(model), EwtData.Dev.Take(600));
        Assert.True(scores.Accuracy > 0.88, scores.ToString());
        Assert.True(scores.F1 > 0.93, scores.ToString());

        // The unseen-word guesser reads the whole spelling of words the slice never had; seen words get no guess.
        int Guess(string form)
        {
            model.ComputeWordFeatures(form, lowercaseText: false, out var f);
            if (f.Guess == 0) return -1;
            return model.Tags.Select((_, t) => t).Single(t => UnseenWordGuesser.Value(t) == f.Guess);
        }
        Assert.Equal(-1, Guess("the"));
        Assert.Equal("VBG", model.Tags[Guess("zorbling")]);
        Assert.Equal("NNS", model.Tags[Guess("zorblations")]);
        Assert.Equal("RB", model.Tags[Guess("zorbfully")]);
    }

    [Fact]
    public void The_backward_model_is_deterministic_survives_a_save_and_retags_uncertain_words()
    {
        var slice = EwtData.Train.Skip(7000).Take(600).ToList();
        var options = new TrainerOptions { Epochs = 2, Shuffles = 1, Bidirectional = true, BackwardMargin = float.PositiveInfinity };
        var loaded = TrainTwiceSaveAndLoad(options, slice);
        Assert.True(loaded.HasBackward);

        // The same forward model without the backward one: combining both directions must change some tags.
        var forward = new PerceptronTrainer(options with { Bidirectional = false }).Train(slice);
        Assert.False(forward.HasBackward);
        AssertChangesSomeTagsAndTagsWell(new PosTagger(loaded), new PosTagger(forward), minAccuracy: 0.85);
    }

    [Fact]
    public void Training_is_deterministic_for_a_seed()
    {
        var slice = EwtData.Train.Skip(3000).Take(500).ToList();
        byte[] Train(ulong seed) => TaggerModelFormat.ToBytes(new PerceptronTrainer(new TrainerOptions { Epochs = 2, Seed = seed }).Train(slice));
        var a = Train(7);
        var b = Train(7);
        var c = Train(8);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Saved_models_load_back_identically_and_corrupt_files_fail_clearly()
    {
        var model = new PerceptronTrainer(new TrainerOptions { Epochs = 1 }).Train(EwtData.Train.Take(200).ToList());
        var dir = SSeg.Tests.Common.RepoPaths.NewTempDir("nlp-model");
        try
        {
            var path = Path.Combine(dir, "m.model");
            TaggerModelFormat.Save(model, path);
            var loaded = TaggerModelFormat.Load(path);
            Assert.Equal(TaggerModelFormat.ToBytes(model), TaggerModelFormat.ToBytes(loaded));
            var words = new[] { "The", "dog", "runs", "home", "." };
            Assert.Equal(new PosTagger(model).Tag(words), new PosTagger(loaded).Tag(words));

            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
            var e = Assert.Throws<FormatException>(() => TaggerModelFormat.Load(path));
            Assert.Contains(path, e.Message);
            File.WriteAllText(path, "not a model");
            Assert.Throws<FormatException>(() => TaggerModelFormat.Load(path));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Averaging_shuffles_takes_the_mean_weight_and_prunes_small_ones()
    {
        // feature 5: tags 0 and 2 in the first model, tag 2 only in the second; feature 9 only in the second.
        var a = (new ulong[] { 5 }, new[] { 0, 2 }, new byte[] { 0, 2 }, new[] { 1.0f, 0.5f });
        var b = (new ulong[] { 5, 9 }, new[] { 0, 1, 2 }, new byte[] { 2, 1 }, new[] { 0.3f, 0.01f });
        var (keys, starts, tags, weights) = AveragedWeights.Mean([a, b], pruneBelow: 0.1f);
        Assert.Equal(new ulong[] { 5 }, keys); // feature 9's mean 0.005 is pruned, and with it the feature
        Assert.Equal(new[] { 0, 2 }, starts);
        Assert.Equal(new byte[] { 0, 2 }, tags);
        Assert.Equal(0.5f, weights[0], 5);
        Assert.Equal(0.4f, weights[1], 5);
    }

    /// <summary>Trains twice (the bytes must match), saves, loads back (the bytes must match again) and returns the loaded model.</summary>
    private static TaggerModel TrainTwiceSaveAndLoad(TrainerOptions options, IReadOnlyList<ConlluSentence> slice)
    {
        var bytes = TaggerModelFormat.ToBytes(new PerceptronTrainer(options).Train(slice));
        Assert.Equal(bytes, TaggerModelFormat.ToBytes(new PerceptronTrainer(options).Train(slice)));
        var loaded = TaggerModelFormat.Read(new MemoryStream(bytes), "trained");
        Assert.Equal(bytes, TaggerModelFormat.ToBytes(loaded));
        return loaded;
    }

    /// <summary>
    /// On a dev slice, <paramref name="tagger"/> must tag some words (at most a tenth) differently from
    /// <paramref name="reference"/>, so the part under test is used, and reach <paramref name="minAccuracy"/>.
    /// </summary>
    private static void AssertChangesSomeTagsAndTagsWell(PosTagger tagger, PosTagger reference, double minAccuracy)
    {
        var dev = EwtData.Dev.Take(300).ToList();
        int changed = dev.Sum(s =>
        {
            var words = s.Words.Select(w => w.Form).ToArray();
            return tagger.Tag(words).Zip(reference.Tag(words)).Count(p => p.First != p.Second);
        });
        Assert.InRange(changed, 1, dev.Sum(s => s.Words.Count) / 10);
        var scores = TaggerEvaluation.Evaluate(tagger, dev);
        Assert.True(scores.Accuracy > minAccuracy, scores.ToString());
    }

    [Fact]
    public void Rejects_a_treebank_with_too_many_tags()
    {
        var words = Enumerable.Range(0, 70).Select(i => new ConlluWord("w" + i, "w", "X", "T" + i)).ToList();
        var e = Assert.Throws<InvalidOperationException>(() => new PerceptronTrainer(new TrainerOptions { Epochs = 1 }).Train([new ConlluSentence(null, null, words)]));
        Assert.Contains("70 tags", e.Message);
    }
}
