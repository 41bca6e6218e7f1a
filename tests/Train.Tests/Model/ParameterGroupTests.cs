using SSeg.Train.Model;
using SSeg.Train.Training;

namespace SSeg.Train.Tests.Model;

public class ParameterGroupTests
{
    [Fact]
    public void Position_and_token_embeddings_biases_and_norms_get_no_weight_decay_and_weights_do()
    {
        using var model = new SSegModel(SSegModelConfig.Tiny with { VocabSize = 600 });
        var (decay, noDecay, noDecayNames) = ParameterGroups.Split(model);
        Assert.Equal(model.parameters().Count(), decay.Count + noDecay.Count);
        foreach (var exempt in new[] { "pos_embed", "cls_token", "query_embed.weight", "positional_embedding", "logit_scale" })
            Assert.Contains(noDecayNames, n => n.EndsWith(exempt, StringComparison.Ordinal));
        Assert.All(noDecayNames.Where(n => n.EndsWith(".weight", StringComparison.Ordinal) && !n.EndsWith("query_embed.weight", StringComparison.Ordinal)),
            n => Assert.True(model.named_parameters().Single(p => p.name == n).parameter.dim() <= 1, $"{n} is a matrix without decay"));
        var decayed = model.named_parameters().Where(p => !noDecayNames.Contains(p.name)).Select(p => p.name).ToList();
        Assert.Contains(decayed, n => n.EndsWith("region_proj.weight", StringComparison.Ordinal));
        Assert.Contains(decayed, n => n.Contains("token_embedding", StringComparison.Ordinal));
        Assert.DoesNotContain(decayed, n => n.EndsWith(".bias", StringComparison.Ordinal));
    }
}
