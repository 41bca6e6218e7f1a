using SSeg.Train.Scoring;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Train.Tests.Scoring;

/// <summary>The score combinations against a plain-loop evaluation of their formulas, and the background concepts the
/// scorer adds beside the classes.</summary>
public class ScoreCombinationTests
{
    private const int B = 2, Q = 5, C = 3, H = 4, W = 3;

    [Theory]
    [InlineData("normalized")]
    [InlineData("argmax-query")]
    public void Combination_matches_its_formula(string name)
    {
        var combination = ScoreCombinations.Parse(name);
        var rng = new Random(5);
        const double scale = 7.5;
        var cos = new double[B, Q, C];
        var p = new double[B, Q, C];
        var m = new double[B, Q, H, W];
        for (int b = 0; b < B; b++)
            for (int q = 0; q < Q; q++)
            {
                for (int c = 0; c < C; c++) cos[b, q, c] = 2 * rng.NextDouble() - 1;
                double z = Enumerable.Range(0, C).Sum(c => Math.Exp(scale * cos[b, q, c]));
                for (int c = 0; c < C; c++) p[b, q, c] = Math.Exp(scale * cos[b, q, c]) / z;
                for (int y = 0; y < H; y++)
                    for (int x = 0; x < W; x++) m[b, q, y, x] = rng.NextDouble() < 0.3 ? 0.01 * rng.NextDouble() : rng.NextDouble();
            }
        using var ct = tensor(cos.Cast<double>().ToArray(), new long[] { B, Q, C }, dtype: float64);
        using var mt = tensor(m.Cast<double>().ToArray(), new long[] { B, Q, H, W }, dtype: float64);
        using var actual = ScoreCombinations.Combine(ct, scale, mt, combination);
        Assert.Equal(new long[] { B, C, H, W }, actual.shape);
        var values = actual.data<double>().ToArray();

        for (int b = 0; b < B; b++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                {
                    var s = new double[C];
                    double maxMask = -1;
                    int bestQuery = 0;
                    for (int q = 0; q < Q; q++)
                    {
                        if (m[b, q, y, x] > maxMask) (maxMask, bestQuery) = (m[b, q, y, x], q);
                        for (int c = 0; c < C; c++) s[c] += p[b, q, c] * m[b, q, y, x];
                    }
                    double total = s.Sum();
                    for (int c = 0; c < C; c++)
                    {
                        double expected = combination == ScoreCombination.Normalized ? s[c] / total : p[b, bestQuery, c];
                        double got = values[((b * C + c) * H + y) * W + x];
                        Assert.True(Math.Abs(expected - got) < 1e-12, $"{name} b{b} c{c} ({y},{x}): {got} vs {expected}");
                        Assert.InRange(got, 0, 1);
                    }
                }
    }

    [Fact]
    public void Names_round_trip_and_unknown_names_are_rejected_with_the_known_list()
    {
        foreach (var c in ScoreCombinations.All) Assert.Equal(c, ScoreCombinations.Parse(ScoreCombinations.Name(c).ToUpperInvariant()));
        var e = Assert.Throws<ArgumentException>(() => ScoreCombinations.Parse("softmax"));
        Assert.Contains("softmax", e.Message);
        Assert.Contains("argmax-query", e.Message);
    }

    [Fact]
    public void Background_concepts_parse_and_never_shadow_a_class_name()
    {
        Assert.Same(BackgroundPrompts.Default, BackgroundPrompts.Parse(null));
        Assert.Same(BackgroundPrompts.Default, BackgroundPrompts.Parse("Default"));
        Assert.Empty(BackgroundPrompts.Parse("none"));
        Assert.Equal(["sky", "wall"], BackgroundPrompts.Parse(" sky, wall ,SKY"));
        // Pascal Context scores "sky" and "wall" as classes: they are classes there, not background.
        var kept = BackgroundPrompts.Without(BackgroundPrompts.Default, ["aeroplane", "Sky", "wall"]);
        Assert.DoesNotContain("sky", kept);
        Assert.DoesNotContain("wall", kept);
        Assert.Contains("grass", kept);
        Assert.Equal(BackgroundPrompts.Default.Count - 2, kept.Count);
    }
}
