using SSeg.Pseudomask;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Models.Tests;

/// <summary>BatchedKMeans against the NumPy mirror in Fixtures/generate_kmeans_fixture.py.</summary>
public class KMeansGoldenTests : IDisposable
{
    private readonly StateDict _ref = CheckpointLoader.Read(ModelFixtures.File("kmeans_reference.safetensors"));

    public void Dispose() => _ref.Dispose();

    [Fact]
    public void SeededUniformsMatchPythonSplitMix()
    {
        var keys = _ref.Metadata["keys"].Split('|');
        var expected = _ref["uniforms"];
        for (var i = 0; i < keys.Length; i++)
        {
            var u = SeededUniforms.For(42, keys[i], 8);
            Assert.Equal(expected[i].data<double>().ToArray(), u);
        }
        Assert.NotEqual(SeededUniforms.For(42, keys[0], 8), SeededUniforms.For(43, keys[0], 8));
    }

    [Fact]
    public void KMeansPlusPlusInitMatchesNumPy()
    {
        using var init = BatchedKMeans.InitPlusPlus(_ref["x"], _ref["uniforms"]);
        AssertClose(_ref["init"], init, 0);
    }

    [Theory]
    [InlineData("", 30)]
    [InlineData("forced.", 30)]
    [InlineData("cap2.", 2)]
    public void LloydFromFixedInitMatchesNumPy(string prefix, int maxIterations)
    {
        var init = prefix == "forced." ? _ref["forced.init"] : _ref["init"];
        using var result = BatchedKMeans.Lloyd(_ref["x"], init, maxIterations);
        Assert.Equal(_ref[prefix + "labels"].data<long>().ToArray(), result.Labels.data<long>().ToArray());
        AssertClose(_ref[prefix + "centers"], result.Centers, 1e-5);
        Assert.Equal(_ref[prefix + "iterations"].data<long>().ToArray().Select(v => (int)v), result.Iterations);
    }

    [Fact]
    public void ForcedDuplicateCenterIsReseededNotLeftEmpty()
    {
        using var result = BatchedKMeans.Lloyd(_ref["x"], _ref["forced.init"], 30);
        for (var i = 0; i < 3; i++)
        {
            var distinct = result.Labels[i].data<long>().ToArray().Distinct().Count();
            Assert.Equal(8, distinct);
        }
    }

    [Fact]
    public void EachImageIsIndependentOfItsBatch()
    {
        using var all = BatchedKMeans.Run(_ref["x"], _ref["uniforms"]);
        for (var i = 0; i < 3; i++)
        {
            using var one = BatchedKMeans.Run(_ref["x"].narrow(0, i, 1), _ref["uniforms"].narrow(0, i, 1));
            Assert.Equal(all.Labels[i].data<long>().ToArray(), one.Labels[0].data<long>().ToArray());
            Assert.Equal(all.Iterations[i], one.Iterations[0]);
        }
        Assert.Equal(_ref["labels"].data<long>().ToArray(), all.Labels.data<long>().ToArray());
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tolerance)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var diff = (expected.to_type(ScalarType.Float64) - actual.to_type(ScalarType.Float64)).abs().max();
        Assert.True(diff.item<double>() <= tolerance, $"max abs diff {diff.item<double>()} > {tolerance}");
    }
}
