using SSeg.Pseudomask;
using SSeg.Shards;
using static SSeg.Models.Tests.PseudomaskTestData;

namespace SSeg.Models.Tests;

public class PseudomaskStageTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"sseg-pseudomask-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private async Task WriteMixedShardAsync()
    {
        using var split = Paint(64, 48, (x, _) => x < 32 ? Red : Blue);          // two regions on patch borders
        using var bands = Paint(40, 40, (_, y) => y < 16 ? Green : y < 32 ? Red : Blue);
        using var wide = Paint(96, 32, (x, y) => (x / 8 + y / 8) % 2 == 0 ? Red : Green);
        await WriteShardAsync(_root, "demo", 3,
        [
            Row("test/00003/00000", Png(split), 64, 48),
            Row("test/00003/00001", Jpeg(bands), 40, 40),
            Row("test/00003/00002", [1, 2, 3, 4], 10, 10),                      // not an image
            Row("test/00003/00003", Png(wide), 96, 32),
            Row("test/00003/00004", Png(split), 64, 48),
        ]);
    }

    private PseudomaskOptions RgbOptions(int batchSize = 2) => new()
    {
        Root = _root,
        Dataset = "demo",
        Generator = new GeneratorOptions { Feature = FeatureKind.Rgb, Patch = 8, K = 4, Seed = 1, BatchSize = batchSize, MaxSide = 64, Threads = 2 },
    };

    [Fact]
    public async Task RgbMasksAreWrittenInInputOrderWithMetadataAndFailuresReported()
    {
        await WriteMixedShardAsync();
        var summary = await PseudomaskStage.RunShardAsync(RgbOptions(), 3);

        Assert.False(summary.Skipped);
        Assert.Equal(5, summary.Images);
        Assert.Equal(4, summary.Masks);
        var failure = Assert.Single(summary.Failures);
        Assert.Equal("test/00003/00002", failure.Key);
        Assert.Equal("decode_error", failure.Reason);
        Assert.Equal("rgb8_rgb_k4_s1_m64", summary.GeneratorId);

        var ds = DatasetStore.Open(_root).Dataset("demo");
        await using var reader = await ds.OpenMaskShardAsync(summary.GeneratorId, 3);
        Assert.Equal("rgb", reader.Generator!.Feature);
        Assert.Equal(4, reader.Generator.K);
        Assert.Equal("false", reader.Generator.Extra!["random_weights"]);
        var rows = new List<MaskRow>();
        await foreach (var row in reader.ReadRowsAsync()) rows.Add(row);
        Assert.Equal(new[] { "test/00003/00000", "test/00003/00001", "test/00003/00003", "test/00003/00004" }, rows.Select(r => r.Key));

        // 64x48 red|blue: 8x6 grid, left half cluster 0, right half cluster 1.
        var split = MaskPng.Decode(rows[0]);
        Assert.Equal((6, 8, 2), (rows[0].Height, rows[0].Width, rows[0].Segments));
        Assert.Equal((6, 8, 2), (split.Height, split.Width, split.Ids.Distinct().Count()));
        for (var y = 0; y < 6; y++)
            for (var x = 0; x < 8; x++)
                Assert.Equal(x < 4 ? 0 : 1, split.Ids[y * 8 + x]);
        // 40x40 three bands of two patch rows each.
        var bands = MaskPng.Decode(rows[1]);
        Assert.Equal(3, rows[1].Segments);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2 }, bands.Ids);
        // 96x32 capped to long side 64 -> 64x24 (8x3 grid, rounded to patch multiples), checkerboard of 2 colours.
        Assert.Equal((3, 8), (rows[2].Height, rows[2].Width));
        // Same image, same key-independent content -> same partition (PNG renumbered by first appearance).
        Assert.Equal(rows[0].MaskPng, rows[3].MaskPng);
    }

    [Fact]
    public async Task RerunIsSkippedAndResultsAreDeterministicAcrossBatchSizes()
    {
        await WriteMixedShardAsync();
        var first = await PseudomaskStage.RunShardAsync(RgbOptions(batchSize: 1), 3);
        var again = await PseudomaskStage.RunShardAsync(RgbOptions(batchSize: 1), 3);
        Assert.True(again.Skipped);

        var other = await PseudomaskStage.RunShardAsync(RgbOptions(batchSize: 8) with { GeneratorId = "batched" }, 3);
        Assert.False(other.Skipped);
        var ds = DatasetStore.Open(_root).Dataset("demo");
        var a = await ReadAllAsync(ds, first.GeneratorId, 3);
        var b = await ReadAllAsync(ds, "batched", 3);
        Assert.Equal(a.Select(r => Convert.ToHexString(r.MaskPng)), b.Select(r => Convert.ToHexString(r.MaskPng)));
        var manifest = await ds.GetManifestAsync();
        Assert.Contains(first.GeneratorId, manifest.Generators.Keys);
        Assert.Contains("batched", manifest.Generators.Keys);
    }

    [Fact]
    public async Task RandomWeightsWarnAndAreRecorded()
    {
        await WriteMixedShardAsync();
        var warnings = new List<string>();
        var options = RgbOptions() with
        {
            Generator = new GeneratorOptions { Model = "vit_tiny", Patch = 8, RandomWeights = true, Feature = FeatureKind.Keys, K = 3, MaxSide = 48, Threads = 2 },
        };
        var progress = new List<PseudomaskProgress>();
        var summary = await PseudomaskStage.RunShardAsync(options, 3, new SyncProgress<PseudomaskProgress>(progress.Add), log: warnings.Add);
        Assert.Contains(warnings, w => w.Contains("random weights", StringComparison.OrdinalIgnoreCase));
        Assert.EndsWith("_random", summary.GeneratorId);
        Assert.Equal(5, progress[^1].Done);
        Assert.Equal(5, progress[^1].Total);

        var ds = DatasetStore.Open(_root).Dataset("demo");
        await using var reader = await ds.OpenMaskShardAsync(summary.GeneratorId, 3);
        Assert.Equal("random-weights", reader.Generator!.CheckpointHash);
        Assert.Equal("true", reader.Generator.Extra!["random_weights"]);
        Assert.Equal("dino_vit_tiny/8", reader.Generator.Model);
        await foreach (var row in reader.ReadRowsAsync())
        {
            Assert.InRange(row.Segments, 1, 3);
            Assert.Equal(row.Height * row.Width, MaskPng.Decode(row).Ids.Length);
        }
    }

    [Fact]
    public async Task MissingWeightsNameTheOfficialFileAndUrl()
    {
        await WriteMixedShardAsync();
        var options = RgbOptions() with { Generator = new GeneratorOptions { Model = "vit_small", Patch = 8 } };
        var error = await Assert.ThrowsAsync<MissingWeightsException>(() => PseudomaskStage.RunShardAsync(options, 3));
        Assert.Contains("dino_deitsmall8_pretrain.pth", error.Message);
        Assert.Contains("https://dl.fbaipublicfiles.com/dino/dino_deitsmall8_pretrain/dino_deitsmall8_pretrain.pth", error.Message);
        Assert.Contains(Path.Combine(_root, "models"), error.Message);
        Assert.False(await DatasetStore.Open(_root).Dataset("demo").IsMaskCommittedAsync("dino_vit_small8_tokens_k8_s0_m448", 3));
    }

    [Fact]
    public async Task WrongCheckpointGivesKeyAndShapeReport()
    {
        await WriteMixedShardAsync();
        var options = RgbOptions() with
        {
            Generator = new GeneratorOptions { Model = "vit_small", Patch = 8, Checkpoint = ModelFixtures.File("vit_p8.pth") },
        };
        var error = await Assert.ThrowsAsync<CheckpointMismatchException>(() => PseudomaskStage.RunShardAsync(options, 3));
        Assert.Contains("blocks.11.attn.qkv.weight", error.Report.Missing);
        Assert.Contains(error.Report.Mismatched, m => m.Key == "pos_embed");
    }

    private static async Task<List<MaskRow>> ReadAllAsync(Dataset ds, string generatorId, int shard)
    {
        await using var reader = await ds.OpenMaskShardAsync(generatorId, shard);
        var rows = new List<MaskRow>();
        await foreach (var row in reader.ReadRowsAsync()) rows.Add(row);
        return rows;
    }

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
