using SSeg.Shards;
using SSeg.Train.Data;
using SSeg.Train.Synthetic;
using SSeg.Train.Text;

namespace SSeg.Train.Tests.Data;

public class ShardTrainStreamTests(SyntheticFixture fx) : IClassFixture<SyntheticFixture>
{
    private async Task<ShardTrainStream> Open(int buffer = 10, int workers = 2)
    {
        var dataset = DatasetStore.Open(fx.Root).Dataset(SyntheticFixture.Name);
        var vocab = Path.Combine(fx.Root, VocabStage.VocabKey(SyntheticFixture.Name, SyntheticFixture.VocabSize));
        var tok = BpeTokenizer.Load(vocab, int.MaxValue, 24);
        await Task.CompletedTask;
        return new ShardTrainStream(dataset, new TrainDataOptions
        {
            MaskGenerator = SyntheticShapes.GeneratorId, CropSize = 64, MaskSize = 16, ShuffleBuffer = buffer, DecodeWorkers = workers, Seed = 3,
        }, tok);
    }

    private static async Task<List<TrainSample>> All(IAsyncEnumerable<TrainSample> s)
    {
        var list = new List<TrainSample>();
        await foreach (var x in s) list.Add(x);
        return list;
    }

    [Fact]
    public async Task Streams_every_joined_sample_once_per_epoch_shuffled_across_shards()
    {
        var stream = await Open();
        var (shards, samples) = await stream.DescribeAsync();
        Assert.Equal(3, shards.Count);
        Assert.Equal(SyntheticFixture.Images, samples);
        var epoch0 = await All(stream.ReadEpochAsync(0));
        Assert.Equal(SyntheticFixture.Images, epoch0.Select(s => s.Key).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, SyntheticFixture.Images).Select(i => (long)i), epoch0.Select(s => s.Position));
        Assert.All(epoch0, s =>
        {
            Assert.Equal(3 * 64 * 64, s.Image.Length);
            Assert.Equal(16 * 16, s.MaskIds.Length);
            Assert.Equal(4 * 24, s.Tokens.Length);
        });
        // shuffled: the first shard's keys are not all at the front
        var firstTen = epoch0.Take(10).Select(s => s.Key.Split('/')[1]).Distinct().Count();
        Assert.True(firstTen >= 2, "the shuffle buffer should mix shards");
        var epoch1 = await All(stream.ReadEpochAsync(1));
        Assert.NotEqual(epoch0.Select(s => s.Key), epoch1.Select(s => s.Key));
        Assert.Equal(0, stream.Failures);
    }

    [Fact]
    public async Task Order_and_augmentation_are_reproducible_and_skip_resumes_exactly()
    {
        var a = await All((await Open(workers: 1)).ReadEpochAsync(2));
        var b = await All((await Open(workers: 4)).ReadEpochAsync(2));
        var tail = await All((await Open(workers: 3)).ReadEpochAsync(2, skip: 17));
        Assert.Equal(a.Select(s => s.Key), b.Select(s => s.Key));
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Image, b[i].Image);
            Assert.Equal(a[i].MaskIds, b[i].MaskIds);
            Assert.Equal(a[i].Tokens, b[i].Tokens);
        }
        Assert.Equal(a.Skip(17).Select(s => s.Key), tail.Select(s => s.Key));
        Assert.Equal(a[17].Image, tail[0].Image);
        Assert.Equal(a[^1].Tokens, tail[^1].Tokens);
    }

    [Fact]
    public async Task Sample_sequence_does_not_depend_on_the_order_of_rows_in_the_shard_files()
    {
        // Ingest writes rows in download-completion order; the same rows in another order must train the same.
        var store = DatasetStore.Open(fx.Root);
        var source = store.Dataset(SyntheticFixture.Name);
        var manifest = await source.GetManifestAsync();
        var generator = manifest.Generators[SyntheticShapes.GeneratorId];
        var reversed = await store.CreateOrOpenAsync("shapes-reversed", source: "test");
        foreach (var shard in manifest.ImageShards.Select(s => s.Index))
        {
            var images = new List<ImageRow>();
            await using (var r = await source.OpenImageShardAsync(shard))
                await foreach (var row in r.ReadRowsAsync()) images.Add(row);
            var masks = new List<MaskRow>();
            await using (var r = await source.OpenMaskShardAsync(SyntheticShapes.GeneratorId, shard))
                await foreach (var row in r.ReadRowsAsync()) masks.Add(row);
            await using var imageWriter = await reversed.CreateImageShardWriterAsync(shard);
            foreach (var row in Enumerable.Reverse(images)) await imageWriter.AddAsync(row);
            await imageWriter.CommitAsync();
            await using var maskWriter = await reversed.CreateMaskShardWriterAsync(generator, shard);
            foreach (var row in masks.OrderBy(m => m.Key.GetHashCode())) await maskWriter.AddAsync(row);
            await maskWriter.CommitAsync();
        }
        var tok = BpeTokenizer.Load(Path.Combine(fx.Root, VocabStage.VocabKey(SyntheticFixture.Name, SyntheticFixture.VocabSize)), int.MaxValue, 24);
        var options = (await Open()).Options;
        var a = await All((await Open()).ReadEpochAsync(1));
        var b = await All(new ShardTrainStream(reversed, options, tok).ReadEpochAsync(1));
        Assert.Equal(a.Select(s => s.Key), b.Select(s => s.Key));
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Image, b[i].Image);
            Assert.Equal(a[i].MaskIds, b[i].MaskIds);
            Assert.Equal(a[i].Tokens, b[i].Tokens);
        }
    }

    [Fact]
    public async Task Missing_generator_is_a_clear_error()
    {
        var dataset = DatasetStore.Open(fx.Root).Dataset(SyntheticFixture.Name);
        var tok = BpeTokenizer.Load(Path.Combine(fx.Root, VocabStage.VocabKey(SyntheticFixture.Name, SyntheticFixture.VocabSize)), int.MaxValue, 24);
        var s = new ShardTrainStream(dataset, new TrainDataOptions { MaskGenerator = "dino-nope" }, tok);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => s.DescribeAsync());
        Assert.Contains("dino-nope", ex.Message);
        Assert.Contains(SyntheticShapes.GeneratorId, ex.Message);
    }
}
