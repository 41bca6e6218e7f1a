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
        var model = new PerceptronTrainer(new TrainerOptions { Epochs = 4 }).Train(slice, (_, acc) => epochAccuracies.Add(acc));
        Assert.Equal(4, epochAccuracies.Count);
        Assert.True(epochAccuracies[^1] > epochAccuracies[0], "training accuracy should rise over epochs");

        var scores = TaggerEvaluation.Evaluate(new PosTagger(model), EwtData.Dev.Take(600));
        Assert.True(scores.Accuracy > 0.88, scores.ToString());
        Assert.True(scores.F1 > 0.93, scores.ToString());
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
    public void Rejects_a_treebank_with_too_many_tags()
    {
        var words = Enumerable.Range(0, 70).Select(i => new ConlluWord("w" + i, "w", "X", "T" + i)).ToList();
        var e = Assert.Throws<InvalidOperationException>(() => new PerceptronTrainer(new TrainerOptions { Epochs = 1 }).Train([new ConlluSentence(null, null, words)]));
        Assert.Contains("70 tags", e.Message);
    }
}
