using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SSeg.Models;
using SSeg.Selftrain.Data;
using SSeg.Selftrain.Model;
using SSeg.Selftrain.Optim;
using SSeg.Shards;
using SSeg.Shards.Storage;
using SSeg.Train.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Selftrain.Training;

/// <summary>What a training call did.</summary>
/// <param name="ModelPath">runs/&lt;run&gt;/model.safetensors when finished: a local path for a local root, else the storage URI.</param>
public sealed record SelftrainResult(long StartIteration, long EndIteration, bool Finished, string? ModelPath, double LastLoss, double Seconds);

/// <summary>
/// Trains S-Seg+ on teacher labels: per iteration a deterministic batch (sample order and augmentation seeded by
/// iteration), layer-decayed AdamW with warmup+poly lr, CE + 0.4·aux CE. Checkpoints every N iterations and
/// resumes exactly from the last one (model, BN statistics, AdamW moments; everything else derives from the
/// iteration number). Writes metrics.jsonl, loss.svg and, when finished, model.safetensors.
/// </summary>
public static class SelftrainTrainer
{
    public static async Task<SelftrainResult> TrainAsync(SelftrainTrainOptions options, IProgress<SelftrainProgress>? progress = null,
        CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var work = Path.Combine(Path.GetTempPath(), $"sseg-selftrain-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            return await TrainCoreAsync(options, work, clock, progress, ct);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<SelftrainResult> TrainCoreAsync(SelftrainTrainOptions options, string work, Stopwatch clock,
        IProgress<SelftrainProgress>? progress, CancellationToken ct)
    {
        var storage = StorageFactory.Open(options.StorageRoot, options.AzureConnectionString);
        var run = new RunStore(storage, ShardNames.ValidateName(options.Run, "run name"));
        var samples = await LabelledSamples.OpenAsync(options.StorageRoot, options.AzureConnectionString, options.Dataset, options.GeneratorId, ct);
        var modelConfig = await ResolveModelConfigAsync(options, samples, ct);
        options = options with { Model = modelConfig, Augment = options.Augment with { IgnoreIndex = modelConfig.IgnoreIndex } };
        options.Validate();
        await WriteRunConfigAsync(run, options, samples.GeneratorId, ct);

        DeviceSelector.SetThreads(options.Threads);
        var device = DeviceSelector.Select(options.Device);
        torch.manual_seed(SampleOrder.Mix(options.Seed, -1, 5)); // reproducible initial weights
        using var model = new SSegPlusModel(modelConfig);
        if (options.Pretrained is not null) MaeCheckpoint.LoadInto(model.backbone, options.Pretrained);
        model.to(device);
        using var optimizer = new LayerDecayOptimizer(model.named_parameters(), new LayerDecayOptions
        {
            NumBlocks = modelConfig.Depth, DecayRate = options.LayerDecayRate, BaseLearningRate = options.LearningRate,
            WeightDecay = options.WeightDecay,
        });
        var schedule = new WarmupPolySchedule(options.Iterations, options.WarmupIterations, options.WarmupRatio, options.PolyPower,
            options.MinLearningRate);

        var checkpoints = new RunCheckpoints(run, work);
        var start = await checkpoints.ResumeAsync(model, optimizer, ct);
        var metrics = await MetricsLog.ReadAsync(run, start, ct);
        var stopAt = Math.Min(options.Iterations, options.StopAtIteration ?? options.Iterations);
        var order = new SampleOrder(options.Seed, samples.Shards.Select(s => s.Rows).ToList());
        var metadata = new Dictionary<string, string>
        {
            ["sseg.labels.dataset"] = options.Dataset,
            ["sseg.labels.generator"] = samples.GeneratorId,
            ["sseg.pretrained"] = options.Pretrained is null ? "" : Path.GetFileName(options.Pretrained),
        };

        var lastLoss = double.NaN;
        var windowStart = clock.Elapsed.TotalSeconds;
        var windowImages = 0;
        model.train();
        for (var iteration = start; iteration < stopAt; iteration++)
        {
            ct.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var batch = new List<SegSample>(options.BatchSize);
            for (var b = 0; b < options.BatchSize; b++)
            {
                var k = iteration * options.BatchSize + b;
                var (position, row) = order.At(k);
                var sample = await samples.GetAsync(position, row, ct);
                batch.Add(SegAugment.Apply(sample, options.Augment, new Random(SampleOrder.Mix(options.Seed, k, 11))));
            }
            var (images, labels) = TrainBatch.Build(batch, options.Model.CropSize, options.Model.IgnoreIndex);
            torch.manual_seed(SampleOrder.Mix(options.Seed, iteration, 7));
            optimizer.ApplySchedule(schedule, iteration);
            using var logits = model.forward(images.to(device));
            var (loss, main, aux) = model.Loss(logits, labels.to(device));
            var lossValue = loss.item<float>();
            if (!float.IsFinite(lossValue))
                throw new InvalidOperationException($"non-finite loss {lossValue} at iteration {iteration} (run {run.Prefix})");
            optimizer.Optimizer.zero_grad();
            loss.backward();
            optimizer.Optimizer.step();
            lastLoss = lossValue;
            windowImages += options.BatchSize;

            var done = iteration + 1;
            if (done % options.LogEvery == 0 || done == stopAt)
            {
                var now = clock.Elapsed.TotalSeconds;
                var lr = optimizer.CurrentLearningRates.Max();
                metrics.Add(new TrainMetric(done, (double)done * options.BatchSize / order.SamplesPerEpoch, lossValue, main, aux, lr, now,
                    windowImages / Math.Max(now - windowStart, 1e-9)));
                windowStart = now;
                windowImages = 0;
                await MetricsLog.WriteAsync(run, metrics, ct);
            }
            if (done % options.CheckpointEvery == 0 || done == stopAt)
            {
                await checkpoints.SaveAsync(model, optimizer, done, options.KeepCheckpoints, metadata, ct);
                await run.WriteTextAsync("loss.svg", LossPlot.RenderSvg(metrics, $"S-Seg+ {options.Run} on {options.Dataset}"), ct);
            }
            progress?.Report(new SelftrainProgress(done, options.Iterations, "iterations",
                string.Create(CultureInfo.InvariantCulture, $"loss {lossValue:F4}")));
        }

        var finished = stopAt >= options.Iterations;
        string? modelPath = null;
        if (finished)
        {
            var key = await checkpoints.PublishFinalModelAsync(ct);
            modelPath = storage.RootUri.StartsWith("az://", StringComparison.OrdinalIgnoreCase)
                ? $"{storage.RootUri.TrimEnd('/')}/{key}"
                : Path.Combine(options.StorageRoot, key);
        }
        return new SelftrainResult(start, Math.Max(start, stopAt), finished, modelPath, lastLoss, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Class names default to those the label generator recorded; a resumed run must keep its model config.</summary>
    private static async Task<SSegPlusConfig> ResolveModelConfigAsync(SelftrainTrainOptions options, LabelledSamples samples, CancellationToken ct)
    {
        var config = options.Model;
        if (config.ClassNames.Length == 0)
        {
            var manifest = await DatasetStore.Open(options.StorageRoot, options.AzureConnectionString).Dataset(options.Dataset).GetManifestAsync(ct);
            var classes = manifest.Generators.TryGetValue(samples.GeneratorId, out var g) && g.Extra?.TryGetValue("classes", out var c) == true ? c : null;
            if (string.IsNullOrEmpty(classes))
                throw new InvalidOperationException($"generator {samples.GeneratorId} records no class names; pass the model's classes");
            config = config with { ClassNames = classes.Split('|') };
        }
        return config;
    }

    private static async Task WriteRunConfigAsync(RunStore run, SelftrainTrainOptions options, string generatorId, CancellationToken ct)
    {
        var modelJson = options.Model.ToJson();
        var existing = await run.ReadTextAsync("config.json", ct);
        if (existing is not null)
        {
            using var doc = JsonDocument.Parse(existing);
            using var current = JsonDocument.Parse(modelJson);
            if (!JsonElement.DeepEquals(doc.RootElement.GetProperty("model"), current.RootElement))
                throw new InvalidOperationException($"{run.Prefix}/config.json: the run was started with another model config; use a new run name");
            return;
        }
        var config = new Dictionary<string, object?>
        {
            ["dataset"] = options.Dataset, ["generator"] = generatorId, ["pretrained"] = options.Pretrained,
            ["iterations"] = options.Iterations, ["batch_size"] = options.BatchSize, ["lr"] = options.LearningRate,
            ["weight_decay"] = options.WeightDecay, ["layer_decay"] = options.LayerDecayRate, ["warmup"] = options.WarmupIterations,
            ["warmup_ratio"] = options.WarmupRatio, ["poly_power"] = options.PolyPower, ["min_lr"] = options.MinLearningRate,
            ["seed"] = options.Seed, ["augment"] = options.Augment, ["model"] = JsonDocument.Parse(modelJson).RootElement,
        };
        await run.WriteTextAsync("config.json", JsonSerializer.Serialize(config, new JsonSerializerOptions { WriteIndented = true }), ct);
    }
}
