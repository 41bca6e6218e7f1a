using System.Text.Json;
using SSeg.Train.Data;
using SSeg.Train.Model;
using SSeg.Train.Synthetic;
using SSeg.Train.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SSeg.Train.Tests.Training;

/// <summary>Gradient caching and data-parallel replicas against the direct computation: the same losses with every
/// activation kept and one backward pass. In float64, so that 1e-5 measures the algorithm, not float32 summation order.</summary>
public class GradientCacheTests(SyntheticFixture fx) : IClassFixture<SyntheticFixture>
{
    private const int Seed = 7;
    private const long StepIndex = 3;

    // Dropout and drop path switched on, so that a pass 2 that did not replay pass 1's draws would show.
    private static readonly SSegModelConfig Config = SSegModelConfig.Tiny with { VocabSize = 120, Dropout = 0.1, BackboneDropPath = 0.1 };

    private static TrainOptions Options(int batch, int accumulation, string? devices = null) => new()
    {
        Root = "", Dataset = "", MaskGenerator = "", Run = "", Model = Config, BatchSize = batch, Accumulation = accumulation,
        Devices = devices, Seed = Seed,
    };

    [Fact]
    public void Cached_step_over_four_micro_batches_of_16_has_the_gradients_of_one_pass_over_the_64_samples()
    {
        using var d = NewDisposeScope();
        using var model = NewModel();
        var initialBuffers = model.buffers().Select(b => b.clone()).ToList();
        var batches = RandomBatches(64, 16);
        var options = Options(16, 4);
        Assert.Equal(64, GradientCachedStep.ResolveContrastiveBatch(options));

        using var replicas = new DataParallelReplicas(model, [CPU]);
        var metrics = new GradientCachedStep(replicas, new SSegObjective(options)).ComputeGradients(batches, StepIndex);
        var cached = Gradients(model);
        var cachedBuffers = model.buffers().Select(b => b.clone()).ToList();
        Assert.True(double.IsFinite(metrics.Loss) && metrics.Itc > 0 && metrics.MultiLabel > 0 && metrics.Mask > 0);

        RestoreBuffers(model, initialBuffers);
        var reference = DirectGradients(model, new SSegObjective(options), batches, chunk => GradientCachedStep.ChunkSeed(Seed, StepIndex, chunk));
        AssertClose(reference, cached, 1e-5);
        Assert.True(reference["logit_scale"].abs().item<double>() > 1e-6, "the contrastive loss reaches the logit scale");
        // Pass 1 leaves BatchNorm's running statistics alone: they are updated once per chunk, as by the direct pass.
        foreach (var (a, b) in model.buffers().Zip(cachedBuffers)) Assert.True((a.to(float64) - b.to(float64)).abs().max().item<double>() <= 1e-12);

        // The comparison can fail: other dropout draws in pass 2 give other gradients.
        RestoreBuffers(model, initialBuffers);
        var otherDraws = DirectGradients(model, new SSegObjective(options), batches, chunk => GradientCachedStep.ChunkSeed(Seed, StepIndex + 1, chunk));
        Assert.True(MaxDifference(otherDraws, cached) > 1e-3);
    }

    [Fact]
    public void Two_cpu_replicas_give_the_gradients_of_one_replica_over_the_concatenated_batch()
    {
        using var d = NewDisposeScope();
        var batches16 = RandomBatches(32, 16);
        var batches8 = batches16.SelectMany(b => Split(b, 8)).ToList();

        using var single = NewModel();
        using (var one = new DataParallelReplicas(single, [CPU]))
            new GradientCachedStep(one, new SSegObjective(Options(8, 4))).ComputeGradients(batches8, StepIndex);
        var expected = Gradients(single);

        using var main = NewModel();
        var options = Options(16, 2, "cpu,cpu");
        var devices = DataParallelReplicas.SelectDevices(options);
        Assert.Equal(2, devices.Count);
        using var two = new DataParallelReplicas(main, devices);
        var step = new GradientCachedStep(two, new SSegObjective(options));
        Assert.Equal(32, step.ContrastiveBatch);
        step.ComputeGradients(batches16, StepIndex);
        AssertClose(expected, Gradients(main), 1e-5);
        // Each replica computed on its half only: the second one's own gradients are not the sum.
        Assert.True(MaxDifference(expected, Gradients(two.Models[1])) > 1e-4);

        // After an optimizer step the replicas hold replica 0's weights again.
        var parameters = main.parameters().Where(p => p.requires_grad).ToList();
        using var optimizer = optim.AdamW(parameters, lr: 1e-3);
        step.Step(optimizer, batches16, parameters, lr: 1e-3, StepIndex + 1);
        foreach (var ((name, a), b) in main.named_parameters().Zip(two.Models[1].parameters()))
            Assert.True(a.equal(b).all().item<bool>(), $"{name} differs between the replicas after the step");
    }

    [Fact]
    public void A_contrastive_batch_that_does_not_fit_the_step_is_refused_with_the_fix()
    {
        var notMultiple = Assert.Throws<ArgumentException>(() => GradientCachedStep.ResolveContrastiveBatch(Options(16, 4) with { ContrastiveBatch = 24 }));
        Assert.Contains("multiple of the batch size 16", notMultiple.Message);
        var tooLarge = Assert.Throws<ArgumentException>(() => GradientCachedStep.ResolveContrastiveBatch(Options(16, 1) with { ContrastiveBatch = 512 }));
        Assert.Contains("--accumulation 32", tooLarge.Message);
        Assert.Equal(32, GradientCachedStep.ResolveContrastiveBatch(Options(16, 4) with { ContrastiveBatch = 32 }));
        Assert.False(GradientCachedStep.IsNeeded(Options(16, 4) with { ContrastiveBatch = 16 }, devices: 1));
        Assert.False(GradientCachedStep.IsNeeded(Options(16, 1), devices: 1));
        Assert.True(GradientCachedStep.IsNeeded(Options(16, 1), devices: 2));
        Assert.Throws<ArgumentException>(() => DataParallelReplicas.SelectDevices(Options(16, 1, "cpu,,cpu")));
    }

    [Fact]
    public async Task A_run_on_two_cpu_replicas_with_a_cached_contrastive_batch_records_both_and_resumes()
    {
        var options = new TrainOptions
        {
            Root = fx.Root, Dataset = SyntheticFixture.Name, MaskGenerator = SyntheticShapes.GeneratorId, Run = "gradcache-2cpu",
            Model = SSegModelConfig.Tiny, VocabSize = SyntheticFixture.VocabSize,
            BatchSize = 4, Accumulation = 2, Epochs = 2, WarmupEpochs = 0.5, MaxSteps = 2, ScheduleToMaxSteps = false,
            BaseLr = 0.1, ShuffleBuffer = 8, DecodeWorkers = 2, CheckpointEverySteps = 1, LogEverySteps = 1, Device = "cpu", Seed = 5,
            Devices = "cpu,cpu",
        };
        var first = await TrainStage.RunAsync(options);
        Assert.Equal(2, first.Steps);
        Assert.All(first.Metrics, m => Assert.True(double.IsFinite(m.Loss) && m.Itc > 0 && double.IsFinite(m.GradNorm)));
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(fx.Root, "runs", "gradcache-2cpu", "config.json")));
        Assert.Equal(8, config.RootElement.GetProperty("contrastive_batch").GetInt32());
        Assert.Equal(2, config.RootElement.GetProperty("devices").GetArrayLength());
        Assert.Equal("cpu,cpu", config.RootElement.GetProperty("options").GetProperty("Devices").GetString());

        // Resume exactness holds for the cached path too: 2 + 1 steps = 3 straight steps.
        var resumed = await TrainStage.RunAsync(options with { MaxSteps = 3 });
        var straight = await TrainStage.RunAsync(options with { Run = "gradcache-2cpu-straight", MaxSteps = 3 });
        Assert.Equal(3, resumed.Metrics.Count);
        for (int i = 0; i < 3; i++)
            Assert.True(Math.Abs(straight.Metrics[i].Loss - resumed.Metrics[i].Loss) < 1e-4 * Math.Max(1, straight.Metrics[i].Loss),
                $"step {i + 1}: straight {straight.Metrics[i].Loss} vs resumed {resumed.Metrics[i].Loss}");
    }

    private static SSegModel NewModel()
    {
        manual_seed(11);
        var model = new SSegModel(Config);
        model.to(float64);
        return model;
    }

    /// <summary>Random images, captions + 3 prompts and 1–5 masks per image (so the mask normaliser differs per micro-batch).</summary>
    private static List<TrainBatch> RandomBatches(int samples, int batch)
    {
        manual_seed(5);
        var images = randn(samples, 3, Config.CropSize, Config.CropSize, dtype: float64);
        var tokens = randint(1, Config.VocabSize - 2, new long[] { samples, 4, Config.ContextLength });
        tokens[.., .., 0] = Config.VocabSize - 2;
        tokens[.., .., 9] = Config.VocabSize - 1;
        int m = Config.MaskResolution;
        var targets = Enumerable.Range(0, samples).Select(i =>
        {
            int k = 1 + i % 5;
            return nn.functional.one_hot(randint(0, k, new long[] { m, m }), k).permute(2, 0, 1).to(float64);
        }).ToList();
        return Enumerable.Range(0, samples / batch).Select(b => new TrainBatch
        {
            Images = images.narrow(0, b * batch, batch), Tokens = tokens.narrow(0, b * batch, batch),
            Targets = targets.Skip(b * batch).Take(batch).ToList(), Keys = Enumerable.Range(b * batch, batch).Select(i => $"k{i}").ToList(),
            Epoch = 0, NextPosition = (b + 1) * batch,
        }).ToList();
    }

    private static IEnumerable<TrainBatch> Split(TrainBatch b, int size) => Enumerable.Range(0, b.Count / size).Select(i => new TrainBatch
    {
        Images = b.Images.narrow(0, i * size, size), Tokens = b.Tokens.narrow(0, i * size, size),
        Targets = b.Targets.Skip(i * size).Take(size).ToList(), Keys = b.Keys.Skip(i * size).Take(size).ToList(), Epoch = 0, NextPosition = 0,
    });

    /// <summary>The objective without caching: every micro-batch's forward pass keeps its graph (each with its own
    /// BatchNorm statistics, the treatment the cached step uses), the contrastive losses are computed over all
    /// samples, the mask losses are normalised by all samples' masks, and one backward pass gives the gradients.</summary>
    private static Dictionary<string, Tensor> DirectGradients(SSegModel model, SSegObjective objective, List<TrainBatch> batches, Func<int, int> seedOf)
    {
        var o = objective.Options;
        model.train();
        model.zero_grad();
        double numMasks = batches.Sum(b => b.TotalMasks);
        var images = new List<Tensor>();
        var texts = new List<Tensor>();
        Tensor mask = zeros(1, dtype: float64).squeeze();
        for (int k = 0; k < batches.Count; k++)
        {
            manual_seed(seedOf(k));
            var output = model.EncodeImages(batches[k].Images);
            var (img, txt) = objective.Embed(model, output, batches[k].Tokens);
            mask = mask + objective.MaskLoss(output, batches[k].Targets, CPU, numMasks).Loss;
            images.Add(img);
            texts.Add(txt);
        }
        var (contrast, _, _) = objective.Contrastive(model, cat(images, 0), cat(texts, 0));
        (o.MaskWeight * mask + o.ContrastiveWeight * contrast).backward();
        return Gradients(model);
    }

    private static Dictionary<string, Tensor> Gradients(SSegModel model) =>
        model.named_parameters().Where(p => p.parameter.requires_grad)
            .ToDictionary(p => p.name, p => p.parameter.grad is { } g ? g.clone() : zeros_like(p.parameter));

    private static void RestoreBuffers(SSegModel model, List<Tensor> buffers)
    {
        using var noGrad = no_grad();
        foreach (var (b, saved) in model.buffers().Zip(buffers)) b.copy_(saved);
    }

    private static double MaxDifference(Dictionary<string, Tensor> a, Dictionary<string, Tensor> b) =>
        a.Max(kv => (kv.Value - b[kv.Key]).abs().max().item<double>());

    private static void AssertClose(Dictionary<string, Tensor> expected, Dictionary<string, Tensor> actual, double tolerance)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        Assert.True(expected.Values.Sum(g => g.abs().sum().item<double>()) > 1e-3, "the gradients are not all zero");
        foreach (var (name, g) in expected)
        {
            double diff = (g - actual[name]).abs().max().item<double>();
            Assert.True(diff <= tolerance, $"{name}: max |Δ gradient| {diff:E2} > {tolerance:E0}");
        }
    }
}
