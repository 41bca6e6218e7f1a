using SSeg.Ingest.Nlp;
using SSeg.Ingest.Nlp.Tagging;

namespace SSeg.Nlp.Tests;

public class ShippedModelTests
{
    [Fact]
    public void Embedded_model_meets_the_dev_targets()
    {
        var scores = TaggerEvaluation.Evaluate(CaptionWords.Default.Tagger, EwtData.Dev);
        Assert.Equal(25147, scores.Tokens);
        Assert.True(scores.Accuracy >= 0.955, scores.ToString());
        Assert.True(scores.F1 >= 0.96, scores.ToString());
    }

    [Fact]
    public void Embedded_model_tags_lowercased_text_well()
    {
        var scores = TaggerEvaluation.Evaluate(CaptionWords.Default.Tagger, EwtData.Dev, lowercase: true);
        Assert.True(scores.Accuracy >= 0.93, scores.ToString());
        Assert.True(scores.F1 >= 0.96, scores.ToString());
    }

    [Fact]
    public void Embedded_model_is_compact()
    {
        using var stream = typeof(CaptionWords).Assembly.GetManifestResourceStream(EmbeddedTaggerModel.ResourceName);
        Assert.NotNull(stream);
        Assert.InRange(stream!.Length, 100_000, 5_000_000);
        var model = EmbeddedTaggerModel.Load();
        Assert.Contains("NN", model.Tags);
        Assert.Contains("VBZ", model.Tags);
        Assert.Contains("ADD", model.Tags);
    }
}
