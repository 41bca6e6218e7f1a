using System.Globalization;
using SSeg.Models;
using SSeg.Runs;
using SSeg.Selftrain.Data;
using SSeg.Selftrain.Model;
using SSeg.Selftrain.Optim;
using SSeg.Shards;
using TorchSharp;

namespace SSeg.Selftrain.Training;

/// <summary>What a training call did.</summary>
/// <param name="ModelPath">runs/&lt;run&gt;/model.safetensors when finished: a local path for a local root, else the storage URI.</param>
public sealed record SelftrainResult(long StartIteration, long EndIteration, bool Finished, string? ModelPath, double LastLoss, double Seconds);

/// <summary>
/// Trains S-Seg+ on teacher labels through the run layer (<see cref="TrainingLoop"/>): S-Seg+'s parts are the
/// model with its layer-decayed AdamW (<see cref="SSegPlusTrainingModel"/>), the seeded sampler
/// (<see cref="LabelledBatchSource"/>) and the warmup+poly schedule. When the schedule is done, the last
/// checkpoint's weights are published as <c>runs/&lt;run&gt;/model.safetensors</c> (what eval scores).
/// </summary>
public static class SelftrainTrainer
{
    public const string FinalModelFile = "model.safetensors";

    public static async Task<SelftrainResult> TrainAsync(SelftrainTrainOptions options, IProgress<SelftrainProgress>? progress = null,
        CancellationToken ct = default)
    {
        ShardNames.ValidateName(options.Run, "run name");
        var samples = await LabelledSamples.OpenAsync(options.StorageRoot, options.AzureConnectionString, options.Dataset, options.GeneratorId, ct);
        var modelConfig = await ResolveModelConfigAsync(options, samples, ct);
        options = options with { Model = modelConfig, Augment = options.Augment with { IgnoreIndex = modelConfig.IgnoreIndex } };
        options.Validate();

        using var session = await RunSession.OpenAsync(options, ct);
        await session.RecordAsync(SSegPlusCheckpoint.Kind, modelConfig.ToJson(), new { generator = samples.GeneratorId }, ct);
        DeviceSelector.SetThreads(options.Threads);
        var device = DeviceSelector.Select(options.Device);
        var schedule = new WarmupPolySchedule(options.Iterations, options.WarmupIterations, options.WarmupRatio, options.PolyPower,
            options.MinLearningRate);
        var order = new SampleOrder(options.Seed, samples.Shards.Select(s => s.Rows).ToList());
        var stopAt = Math.Min(options.Iterations, options.StopAtIteration ?? options.Iterations);
        var metadata = new Dictionary<string, string>
        {
            ["sseg.labels.dataset"] = options.Dataset,
            ["sseg.labels.generator"] = samples.GeneratorId,
            ["sseg.pretrained"] = options.Pretrained is null ? "" : Path.GetFileName(options.Pretrained),
        };
        var batch = options.BatchSize;
        var iterations = options.Iterations;

        var outcome = await session.TrainAsync(new TrainerParts<SegBatch>
        {
            CreateModel = () =>
            {
                torch.manual_seed(SeedMixer.NonNegative(options.Seed, -1, 5)); // reproducible initial weights
                return new SSegPlusTrainingModel(options, schedule, metadata, device);
            },
            Batches = new LabelledBatchSource(samples, order, options),
            TotalSteps = iterations,
            StopAt = stopAt,
            LearningRateAt = i => schedule.LearningRate(options.LearningRate, i),
            EpochOf = done => (double)done * batch / order.SamplesPerEpoch,
            PlotTitle = $"S-Seg+ {options.Run} on {options.Dataset}",
            PlottedLosses = ["loss_main", "loss_aux"],
            StartMessage = $"{order.SamplesPerEpoch} labelled images, batch {batch}, device {DeviceSelector.Describe(device)}",
        }, progress is null ? null : new ProgressAdapter(progress, iterations), ct);

        var finished = outcome.Steps >= iterations;
        string? modelPath = null;
        if (finished)
        {
            var key = await PublishFinalModelAsync(session, ct);
            var storage = session.Folder.Storage;
            modelPath = storage.RootUri.StartsWith("az://", StringComparison.OrdinalIgnoreCase)
                ? $"{storage.RootUri.TrimEnd('/')}/{key}"
                : Path.Combine(options.StorageRoot, key);
        }
        return new SelftrainResult(outcome.StartStep, outcome.Steps, finished, modelPath, outcome.LastLoss, outcome.Seconds);
    }

    /// <summary>Copies the newest checkpoint's weights to runs/&lt;run&gt;/model.safetensors.</summary>
    private static async Task<string> PublishFinalModelAsync(RunSession session, CancellationToken ct)
    {
        var run = session.Folder;
        var latest = await session.Checkpoints.LatestAsync(ct) ?? throw new InvalidOperationException($"{run.Prefix} has no checkpoint");
        var local = Path.Combine(session.WorkDirectory, "final.safetensors");
        await run.DownloadFileAsync($"checkpoints/{latest}/{CheckpointManager.ModelFile}", local, ct);
        await run.UploadFileAsync(local, FinalModelFile, ct);
        File.Delete(local);
        return run.Key(FinalModelFile);
    }

    /// <summary>Class names default to those the label generator recorded.</summary>
    private static async Task<SSegPlusConfig> ResolveModelConfigAsync(SelftrainTrainOptions options, LabelledSamples samples, CancellationToken ct)
    {
        var config = options.Model;
        if (config.ClassNames.Length == 0)
        {
            var index = await DatasetStore.Open(options.StorageRoot, options.AzureConnectionString).Dataset(options.Dataset).GetIndexAsync(ct);
            var classes = index.Generators.TryGetValue(samples.GeneratorId, out var g) && g.Extra?.TryGetValue("classes", out var c) == true ? c : null;
            if (string.IsNullOrEmpty(classes))
                throw new InvalidOperationException($"generator {samples.GeneratorId} records no class names; pass the model's classes");
            config = config with { ClassNames = classes.Split('|') };
        }
        return config;
    }

    /// <summary>The run layer's progress as selftrain's (iterations done of the schedule, with the loss or the start/end message).</summary>
    private sealed class ProgressAdapter(IProgress<SelftrainProgress> inner, long iterations) : IProgress<RunProgress>
    {
        public void Report(RunProgress p) => inner.Report(new SelftrainProgress(p.Step, iterations, "iterations",
            p.Message.Length > 0 ? p.Message : string.Create(CultureInfo.InvariantCulture, $"loss {p.Loss:F4}")));
    }
}
