using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Models.Tests;

public class CheckpointLoaderTests
{
    private static readonly VitConfig P8 = new("test/8", EmbedDim: 48, Depth: 2, Heads: 3, PatchSize: 8, ImageSize: 32);

    [Fact]
    public void DinoFullCheckpointUnwrapsTeacherAndStripsBackbonePrefix()
    {
        using var sd = CheckpointLoader.Read(ModelFixtures.File("wrapped_teacher.pth"));
        Assert.Equal(new[] { "bias", "head.last_layer.weight", "weight" }, sd.Tensors.Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5 }, sd["weight"].data<float>().ToArray());

        using var linear = nn.Linear(3, 2);
        var report = CheckpointLoader.LoadInto(linear, sd, strict: true, ignore: k => k.StartsWith("head."));
        Assert.True(report.IsExact, report.Describe());
        Assert.Equal(2, report.Loaded);
        Assert.Equal(new[] { "head.last_layer.weight" }, report.Ignored);
        Assert.Equal(new float[] { 0.5f, -0.5f }, linear.bias!.data<float>().ToArray());
    }

    [Fact]
    public void MaeStyleCheckpointUnwrapsModelKeyAndStripsModulePrefix()
    {
        using var linear = nn.Linear(3, 2);
        var report = CheckpointLoader.Load(linear, ModelFixtures.File("wrapped_model.pth"));
        Assert.Equal(2, report.Loaded);
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5 }, linear.weight!.data<float>().ToArray());
        Assert.Equal(CheckpointLoader.Sha256(ModelFixtures.File("wrapped_model.pth")), report.Sha256);
        Assert.Equal(64, report.Sha256.Length);
    }

    [Fact]
    public void StrictLoadListsMissingUnexpectedAndMisshapedKeys()
    {
        // A depth-3 model with a wider MLP ratio against the depth-2 fixture: blocks.2.* missing, fc shapes differ.
        using var vit = new VisionTransformer(P8 with { Depth = 3, MlpRatio = 2 });
        using var sd = CheckpointLoader.Read(ModelFixtures.File("vit_p8.safetensors"));
        var extra = new Dictionary<string, Tensor>(sd.Tensors) { ["head.weight"] = zeros(2) };
        using var withExtra = new StateDict(extra, sd.Path, sd.Format, sd.Sha256);
        var error = Assert.Throws<CheckpointMismatchException>(() => CheckpointLoader.LoadInto(vit, withExtra));
        var report = error.Report;
        Assert.Contains("blocks.2.attn.qkv.weight", report.Missing);
        Assert.Equal(new[] { "head.weight" }, report.Unexpected);
        Assert.Contains(report.Mismatched, m => m.Key == "blocks.0.mlp.fc1.weight" && m.Found.SequenceEqual(new long[] { 192, 48 }));
        Assert.Contains("blocks.2.attn.qkv.weight", error.Message);
        Assert.Contains("head.weight", error.Message);
        Assert.Contains("blocks.0.mlp.fc1.weight: expected [96, 48], found [192, 48]", error.Message);

        var lenient = CheckpointLoader.LoadInto(vit, withExtra, strict: false);
        Assert.False(lenient.IsExact);
        Assert.True(lenient.Loaded > 0);
    }

    [Fact]
    public void StateDictKeysEqualDinoNames()
    {
        using var vit = new VisionTransformer(VitConfig.Small(8));
        var keys = vit.state_dict().Keys.ToHashSet();
        Assert.Equal(150, keys.Count);
        foreach (var key in new[] { "cls_token", "pos_embed", "patch_embed.proj.weight", "patch_embed.proj.bias",
                     "blocks.0.norm1.weight", "blocks.0.attn.qkv.weight", "blocks.0.attn.qkv.bias", "blocks.0.attn.proj.weight",
                     "blocks.11.norm2.bias", "blocks.11.mlp.fc1.weight", "blocks.11.mlp.fc2.bias", "norm.weight", "norm.bias" })
            Assert.Contains(key, keys);
        Assert.Equal(new long[] { 1, 785, 384 }, vit.pos_embed.shape);
        Assert.Equal(new long[] { 1152, 384 }, vit.blocks[0].attn.qkv.weight!.shape);
    }

    [Fact]
    public void SafetensorsRoundTripKeepsValuesDtypesAndMetadata()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"sseg-models-{Guid.NewGuid():N}");
        try
        {
            var path = Path.Combine(dir, "roundtrip.safetensors");
            using var a = randn(3, 4);
            using var b = arange(5, dtype: ScalarType.Int64);
            using var c = tensor(new byte[] { 1, 2, 255 });
            SafetensorsFile.Write(path, new Dictionary<string, Tensor> { ["a"] = a, ["b.x"] = b, ["c"] = c },
                new Dictionary<string, string> { ["model"] = "vit_small/8" });
            using var sd = CheckpointLoader.Read(path);
            Assert.Equal("safetensors", sd.Format);
            Assert.Equal("vit_small/8", sd.Metadata["model"]);
            Assert.Equal(a.data<float>().ToArray(), sd["a"].data<float>().ToArray());
            Assert.Equal(ScalarType.Int64, sd["b.x"].dtype);
            Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, sd["b.x"].data<long>().ToArray());
            Assert.Equal(new byte[] { 1, 2, 255 }, sd["c"].data<byte>().ToArray());
            Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void MissingOrCorruptFilesGiveClearErrors()
    {
        var missing = Assert.Throws<FileNotFoundException>(() => CheckpointLoader.Read("/nonexistent/dino.pth"));
        Assert.Contains("/nonexistent/dino.pth", missing.Message);
        var bad = Path.GetTempFileName() + ".pth";
        File.WriteAllText(bad, "not a checkpoint");
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => CheckpointLoader.Read(bad));
            Assert.Contains(bad, error.Message);
        }
        finally { File.Delete(bad); }
    }
}
