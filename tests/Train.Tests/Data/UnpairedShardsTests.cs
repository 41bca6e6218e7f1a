using System.Security.Cryptography;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Shards;
using SSeg.Train.Data;
using SSeg.Train.Synthetic;
using SSeg.Train.Text;

namespace SSeg.Train.Tests.Data;

/// <summary>
/// A dataset whose image and mask shards do not pair one to one (image shards 0-3, 5, 7; mask shards 0-3, 6, 7):
/// the trainer's shard list and its pre-flight check both take exactly the pairs, skipping an unpaired shard on
/// either side wherever it falls.
/// </summary>
public sealed class UnpairedShardsTests : IAsyncLifetime
{
    private const string Name = "shapes-unpaired";
    private readonly string _root = RepoPaths.NewTempDir("sseg-train-unpaired");
    private Dataset _dataset = null!;

    public async Task InitializeAsync()
    {
        _dataset = await SyntheticShapes.WriteDatasetAsync(_root, Name, images: 24, shards: 4, size: 96, seed: 5);
        var generator = new MaskGeneratorInfo(SyntheticShapes.GeneratorId, "rgb", "none", "rgb-cell-mean", 4, 5);
        foreach (var shard in new[] { 5, 7 })
        {
            await using var writer = await _dataset.CreateImageShardWriterAsync(shard);
            for (var i = 0; i < 3; i++) await writer.AddAsync(ImageRowOf($"extra/{shard}/{i}"));
            await writer.CommitAsync();
        }
        foreach (var (shard, rows) in new[] { (6, 3), (7, 2) })
        {
            await using var writer = await _dataset.CreateMaskShardWriterAsync(generator, shard);
            for (var i = 0; i < rows; i++) await writer.AddAsync(new MaskRow($"extra/{shard}/{i}", MaskPng.Encode(2, 2, new byte[4]), 2, 2, 1));
            await writer.CommitAsync();
        }
        await VocabStage.RunAsync(_root, Name, SyntheticFixture.VocabSize);
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private static ImageRow ImageRowOf(string key)
    {
        using var image = new Image<Rgb24>(8, 8, new Rgb24(200, 30, 30));
        using var jpeg = new MemoryStream();
        image.Save(jpeg, new JpegEncoder());
        var bytes = jpeg.ToArray();
        return new ImageRow(key, bytes, "a red square", ["square"], [], $"synthetic://{Name}/{key}", "synthetic", 8, 8, 8, 8,
            Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    private async Task<string> DamageAsync(string kind, int index)
    {
        var path = (await _dataset.FindCommittedAsync(kind, index))!.Path;
        ShardDamage.TruncateToHalf(ShardDamage.LocalFile(_root, _dataset, path));
        return path;
    }

    [Fact]
    public async Task The_stream_trains_on_the_paired_shards_only_with_the_smaller_row_count_of_each_pair()
    {
        var vocab = Path.Combine(_root, VocabStage.VocabKey(Name, SyntheticFixture.VocabSize));
        var stream = new ShardTrainStream(_dataset, new TrainDataOptions { MaskGenerator = SyntheticShapes.GeneratorId, ExcludedShards = new HashSet<int> { 1 } },
            BpeTokenizer.Load(vocab, int.MaxValue, 24));

        var (shards, samples) = await stream.DescribeAsync();

        Assert.Equal([0, 2, 3, 7], shards);
        Assert.Equal(6 + 6 + 6 + 2, samples); // shard 7: 3 images, 2 masks
    }

    [Fact]
    public async Task The_check_reports_damage_in_paired_shards_and_leaves_unpaired_ones_to_the_stream_that_never_reads_them()
    {
        var badMask = await DamageAsync(ShardNames.MasksKind(SyntheticShapes.GeneratorId), 2);
        var badImage = await DamageAsync(ShardNames.ImagesKind, 7);
        await DamageAsync(ShardNames.ImagesKind, 5); // no mask shard: never read
        await DamageAsync(ShardNames.MasksKind(SyntheticShapes.GeneratorId), 6); // no image shard: never read

        var bad = await InputShardCheck.FindBadShardsAsync(_dataset, SyntheticShapes.GeneratorId);

        Assert.Equal(
            [(ShardNames.MasksKind(SyntheticShapes.GeneratorId), 2, badMask), (ShardNames.ImagesKind, 7, badImage)],
            bad.Select(c => (c.Kind, c.Index, c.Path)));
        Assert.All(bad, c => Assert.False(string.IsNullOrEmpty(c.Problem)));
    }
}
