using System.Text.Json;
using SSeg.Train.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Train.Tests.Losses;

/// <summary>Loss values against torch 1.13 + SciPy (Fixtures/generate_losses.py), float64 inputs.</summary>
public class LossGoldenTests
{
    private const double Tol = 1e-9;
    private static readonly JsonElement Golden = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Fixtures("Train.Tests"), "losses_golden.json"))).RootElement;

    private static double[] D(JsonElement e) => e.EnumerateArray().Select(x => x.GetDouble()).ToArray();
    private static Tensor T(JsonElement e, params long[] shape) => tensor(D(e), dtype: float64).reshape(shape);

    private static void Close(double[] expected, Tensor actual, double tol = Tol)
    {
        var a = actual.to(float64).cpu().data<double>().ToArray();
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(expected[i] - a[i]) <= tol, $"[{i}] expected {expected[i]}, got {a[i]}");
    }

    [Fact]
    public void Focal_and_dice_cost_matrices()
    {
        var c = Golden.GetProperty("costs");
        int q = c.GetProperty("q").GetInt32(), k = c.GetProperty("k").GetInt32(), hw = c.GetProperty("hw").GetInt32();
        var logits = T(c.GetProperty("logits"), q, hw);
        var targets = T(c.GetProperty("targets"), k, hw);
        Close(D(c.GetProperty("focal")), MaskCosts.Focal(logits, targets));
        Close(D(c.GetProperty("dice")), MaskCosts.Dice(logits, targets));
    }

    [Fact]
    public void Matched_focal_dice_with_deep_supervision()
    {
        var c = Golden.GetProperty("criterion");
        int L = c.GetProperty("L").GetInt32(), B = c.GetProperty("B").GetInt32(), Q = c.GetProperty("Q").GetInt32();
        int H = c.GetProperty("H").GetInt32(), W = c.GetProperty("W").GetInt32();
        var ks = c.GetProperty("ks").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        var pred = T(c.GetProperty("pred"), L, B, Q, H, W);
        var targets = c.GetProperty("targets").EnumerateArray().Select((t, b) => T(t, ks[b], H, W)).ToList();

        var criterion = new MaskCriterion(new MaskLossOptions());
        var (loss, layers) = criterion.Compute(pred, targets, c.GetProperty("num_masks").GetDouble());

        Assert.Equal(c.GetProperty("total").GetDouble(), loss.ToDouble(), 1e-9);
        var expected = c.GetProperty("per_layer").EnumerateArray().ToArray();
        Assert.Equal(L, layers.Count);
        for (int l = 0; l < L; l++)
        {
            Assert.Equal(expected[l].GetProperty("focal").GetDouble(), layers[l].Focal, 1e-9);
            Assert.Equal(expected[l].GetProperty("dice").GetDouble(), layers[l].Dice, 1e-9);
            var m = expected[l].GetProperty("matches").EnumerateArray().ToArray();
            for (int b = 0; b < B; b++)
            {
                Assert.Equal(m[b][0].EnumerateArray().Select(x => x.GetInt32()), layers[l].Matches[b].Queries);
                Assert.Equal(m[b][1].EnumerateArray().Select(x => x.GetInt32()), layers[l].Matches[b].Targets);
            }
        }

        // Without deep supervision only the final layer counts.
        var (last, lastLayers) = new MaskCriterion(new MaskLossOptions { DeepSupervision = false })
            .Compute(pred, targets, c.GetProperty("num_masks").GetDouble());
        Assert.Single(lastLayers);
        double lastExpected = 20 * expected[L - 1].GetProperty("focal").GetDouble() + expected[L - 1].GetProperty("dice").GetDouble();
        Assert.Equal(lastExpected, last.ToDouble(), 1e-9);
    }

    [Fact]
    public void Mask_loss_gradient_flows_and_empty_targets_are_skipped()
    {
        var pred = randn(new long[] { 2, 2, 5, 4, 4 }, dtype: float64).requires_grad_(true);
        var targets = new List<Tensor> { zeros(new long[] { 0, 4, 4 }, dtype: float64), (rand(new long[] { 3, 4, 4 }, dtype: float64) > 0.5).to(float64) };
        var (loss, layers) = new MaskCriterion(new MaskLossOptions()).Compute(pred, targets, 3);
        loss.backward();
        Assert.Empty(layers[0].Matches[0].Queries);
        Assert.Equal(3, layers[0].Matches[1].Queries.Length);
        Assert.Equal(0.0, pred.grad!.select(1, 0).abs().sum().ToDouble());
        Assert.True(pred.grad!.select(1, 1).abs().sum().ToDouble() > 0);
    }

    [Fact]
    public void Contrastive_and_multilabel_losses()
    {
        var c = Golden.GetProperty("contrastive");
        int B = c.GetProperty("B").GetInt32(), Dm = c.GetProperty("D").GetInt32(), L = c.GetProperty("L").GetInt32();
        var img = T(c.GetProperty("img"), B, Dm);
        var txt = T(c.GetProperty("txt"), B, Dm);
        var prm = T(c.GetProperty("prompts"), B, L, Dm);
        foreach (var cs in c.GetProperty("cases").EnumerateArray())
        {
            var theta = tensor(cs.GetProperty("theta").GetDouble(), dtype: float64);
            var scale = ContrastiveLosses.LogitScale(theta);
            Assert.True(scale.ToDouble() <= 100.0);
            Assert.Equal(cs.GetProperty("itc").GetDouble(), ContrastiveLosses.ImageText(img, txt, scale).ToDouble(), 1e-9);
            Assert.Equal(cs.GetProperty("multilabel").GetDouble(), ContrastiveLosses.MultiLabel(img, prm, scale).ToDouble(), 1e-9);
        }
    }
}
