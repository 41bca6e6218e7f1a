using System.Security.Cryptography;
using System.Text;
using SSeg.Pipelines.Jobs;
using SSeg.Shards;
using SSeg.Tests.Common;
using SSeg.Train.Synthetic;

namespace SSeg.Pipelines.Tests;

/// <summary>
/// The plans of the stages that read a dataset fingerprint its shards' content streamed a block at a time; the
/// digest is the one a plan computed from the whole manifest (comma-joined parts, by kind then index), so a run's
/// ledger still skips a stage whose input did not change.
/// </summary>
public sealed class StagePlanFingerprintTests : IAsyncLifetime
{
    private const string Name = "plan-prints";
    private const string OtherGenerator = "aaa-other";
    private readonly string _root = RepoPaths.NewTempDir("sseg-plan-prints");
    private Dataset _dataset = null!;

    public async Task InitializeAsync()
    {
        _dataset = await SyntheticShapes.WriteDatasetAsync(_root, Name, images: 12, shards: 3, size: 64, seed: 2);
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private StageContext Context(params (string Name, string Value)[] options) =>
        new("run", "pipeline", 0, options.Append(("dataset", Name)).Append(("run", "student")).ToDictionary(o => o.Item1, o => o.Item2), _root, null);

    private static string Digest(IEnumerable<string> parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(",", parts))));

    private async Task AddOtherGeneratorMaskAsync(int shard)
    {
        await using var writer = await _dataset.CreateMaskShardWriterAsync(new MaskGeneratorInfo(OtherGenerator, "rgb", "none", "rgb-cell-mean", 2, 0), shard);
        await writer.AddAsync(new MaskRow("synthetic/00001/00000", MaskPng.Encode(2, 2, new byte[4]), 2, 2, 1));
        await writer.CommitAsync();
    }

    [Fact]
    public async Task Pseudomask_plan_covers_the_image_shards_with_the_manifests_digest()
    {
        var manifest = await _dataset.GetManifestAsync();

        var plan = await new PseudomaskAdapter().PlanAsync(Context(), CancellationToken.None);

        Assert.Equal(3, plan.Shards);
        Assert.Equal(Digest(manifest.ImageShards.Select(s => $"{s.Index}:{s.Sha256}")), plan.InputHash);
    }

    [Fact]
    public async Task Train_plan_covers_images_and_the_chosen_generators_masks_with_the_manifests_digest()
    {
        var expected = Digest((await _dataset.GetManifestAsync()).Shards.Where(s => s.Kind == ShardNames.ImagesKind || s.Kind == ShardNames.MasksKind(SyntheticShapes.GeneratorId))
            .Select(s => $"{s.Kind}:{s.Index}:{s.Sha256}"));
        var adapter = new TrainAdapter();
        Assert.Equal(expected, (await adapter.PlanAsync(Context(), CancellationToken.None)).InputHash); // the only generator

        await AddOtherGeneratorMaskAsync(1);
        var ambiguous = await Assert.ThrowsAsync<InvalidDataException>(() => adapter.PlanAsync(Context(), CancellationToken.None));
        Assert.Contains($"dataset '{Name}' has masks from {OtherGenerator}, {SyntheticShapes.GeneratorId}: set option maskGenerator", ambiguous.Message);

        var plan = await adapter.PlanAsync(Context(("maskGenerator", SyntheticShapes.GeneratorId)), CancellationToken.None);
        Assert.Equal(expected, plan.InputHash);
        Assert.False(plan.Sharded);
    }

    [Fact]
    public async Task Selftrain_plan_covers_every_kind_with_the_manifests_digest()
    {
        await AddOtherGeneratorMaskAsync(1);
        var manifest = await _dataset.GetManifestAsync();
        Assert.Equal(3, manifest.Shards.Select(s => s.Kind).Distinct().Count());

        var plan = await new SelftrainAdapter().PlanAsync(Context(), CancellationToken.None);

        Assert.Equal(Digest(manifest.Shards.Select(s => $"{s.Kind}:{s.Index}:{s.Sha256}")), plan.InputHash);
    }

    [Fact]
    public async Task Plans_of_a_missing_dataset_name_it()
    {
        var context = Context() with { StorageRoot = Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName };
        foreach (var adapter in new IStageAdapter[] { new PseudomaskAdapter(), new TrainAdapter(), new SelftrainAdapter() })
        {
            var error = await Assert.ThrowsAsync<InvalidDataException>(() => adapter.PlanAsync(context, CancellationToken.None));
            Assert.Equal($"dataset '{Name}' does not exist", error.Message);
        }
    }
}
