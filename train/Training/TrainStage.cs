using System.Text.Json;
using System.Text.Json.Nodes;
using SSeg.Models;
using SSeg.Runs;
using SSeg.Shards;
using SSeg.Train.Data;
using SSeg.Train.Model;
using SSeg.Train.Text;
using static TorchSharp.torch;

namespace SSeg.Train.Training;

/// <summary>Outcome of <see cref="TrainStage.RunAsync"/>.</summary>
/// <param name="Metrics">Every metrics line of the run (one per <see cref="RunOptions.LogEvery"/> steps).</param>
public sealed record TrainResult(string RunKey, long Steps, string? LastCheckpoint, IReadOnlyList<MetricsLine> Metrics, long DataFailures);

/// <summary>
/// The train stage (one run, resumable from its last checkpoint): the entry point the CLI, the Hangfire job and
/// the tests call. Prepares S-Seg's parts — input shard check, tokenizer, model config, shard stream, warmup+cosine
/// schedule — and hands them to the run layer's loop (<see cref="TrainingLoop"/>), which logs, plots and
/// checkpoints under <c>runs/&lt;run&gt;/</c>.
/// </summary>
public static class TrainStage
{
    public static async Task<TrainResult> RunAsync(TrainOptions o, IProgress<RunProgress>? progress = null, CancellationToken ct = default)
    {
        o.Validate();
        int contrastiveBatch = GradientCachedStep.ResolveContrastiveBatch(o);
        var devices = DataParallelReplicas.SelectDevices(o);
        var device = devices[0];
        DeviceSelector.SetThreads(o.Threads);
        using var session = await RunSession.OpenAsync(o, ct);
        var dataset = new DatasetStore(session.Folder.Storage).Dataset(o.Dataset);

        // --- inputs: refuse bad shards up front (or leave them out when told to) rather than fail mid-run
        var bad = await InputShardCheck.FindBadShardsAsync(dataset, o.MaskGenerator, ct);
        if (bad.Count > 0 && !o.SkipBadShards)
            throw new InvalidDataException($"dataset '{dataset.Name}' has {bad.Count} bad input shard(s): {InputShardCheck.Describe(bad)}. " +
                "Re-ingest them, or train on the rest with --skip-bad-shards (stage option skipBadShards).");

        // --- tokenizer (a resumed run keeps its checkpoint's) and model config
        var vocabLocal = Path.Combine(session.WorkDirectory, SSegCheckpoint.VocabFile);
        if (session.Resumed is { } resumed) File.Copy(Path.Combine(resumed.Directory, SSegCheckpoint.VocabFile), vocabLocal);
        else await FetchVocabularyAsync(o, dataset, vocabLocal, ct);
        var tokenizer = BpeTokenizer.Load(vocabLocal, maxMerges: int.MaxValue, contextLength: o.Model.ContextLength);
        var config = o.Model with { VocabSize = tokenizer.VocabSize };

        // --- data and schedule
        var data = new ShardTrainStream(dataset, new TrainDataOptions
        {
            MaskGenerator = o.MaskGenerator, CropSize = config.CropSize, MaskSize = config.MaskResolution,
            ShuffleBuffer = o.ShuffleBuffer, DecodeWorkers = o.DecodeWorkers, Seed = o.Seed, PromptWords = o.PromptWords,
            MinMaskArea = o.MinMaskArea, ExcludedShards = bad.Select(c => c.Index).ToHashSet(), SkipUnreadableShards = o.SkipBadShards,
        }, tokenizer);
        var (_, samples) = await data.DescribeAsync(ct);
        int effective = o.BatchSize * o.Accumulation;
        long stepsPerEpoch = samples / effective;
        if (stepsPerEpoch == 0)
            throw new InvalidOperationException($"dataset '{dataset.Name}' has {samples} samples with masks, fewer than one effective batch ({effective})");
        long scheduleSteps = o.Epochs * stepsPerEpoch;
        if (o.MaxSteps is { } max && o.ScheduleToMaxSteps) scheduleSteps = Math.Min(scheduleSteps, max);
        long stopAt = o.MaxSteps is { } maxSteps ? Math.Min(maxSteps, o.Epochs * stepsPerEpoch) : o.Epochs * stepsPerEpoch;
        long warmup = Math.Min(scheduleSteps, (long)Math.Round(o.WarmupEpochs * stepsPerEpoch));
        var schedule = o.ScaleLrWithBatch
            ? LrSchedule.Scaled(o.LearningRate, o.WarmupLearningRate, o.MinLearningRate, warmup, scheduleSteps, effective, o.ReferenceBatch)
            : new LrSchedule(o.LearningRate, o.WarmupLearningRate, o.MinLearningRate, warmup, scheduleSteps);

        await session.RecordAsync(SSegCheckpoint.Kind, JsonSerializer.Serialize(config), new
        {
            samples, steps_per_epoch = stepsPerEpoch, schedule_steps = scheduleSteps, warmup_steps = warmup,
            device = DeviceSelector.Describe(device),
            contrastive_batch = contrastiveBatch, devices = devices.Select(DeviceSelector.Describe),
            skipped_shards = bad.Select(c => new { kind = c.Kind, index = c.Index, path = c.Path, problem = c.Problem }),
        }, ct);

        var outcome = await ExplainBadShardAsync(session.TrainAsync(new TrainerParts<MicroBatches>
        {
            CreateModel = () =>
            {
                manual_seed(o.Seed); // reproducible initial weights
                return new SSegTrainingModel(config, o, schedule, devices);
            },
            Batches = new ShardBatchSource(data, config, o),
            TotalSteps = scheduleSteps,
            StopAt = stopAt,
            LearningRateAt = schedule.At,
            PlotTitle = $"S-Seg {o.Run} on {o.Dataset}",
            PlottedLosses = ["mask", "itc", "multilabel"],
            WriteCheckpointFiles = dir =>
            {
                using var f = File.Create(Path.Combine(dir, SSegCheckpoint.VocabFile));
                BpeTokenizer.Save(tokenizer.Merges, f, SSegCheckpoint.VocabFile, $"#version: sseg bpe ({tokenizer.Merges.Count} merges)");
            },
            CheckpointFields = () => new JsonObject
            {
                ["data_failures"] = data.Failures,
                ["skipped_shards_during_training"] = new JsonArray(data.SkippedShards.Values.Order(StringComparer.Ordinal).Select(m => (JsonNode?)m).ToArray()),
            },
            StartMessage = $"{samples} samples, {stepsPerEpoch} steps/epoch, effective batch {effective}, contrastive batch {contrastiveBatch}, " +
                           $"{ComputeInfo.Of(device)}" + (devices.Count > 1 ? $", replicas on {string.Join(",", devices.Select(DeviceSelector.Describe))}" : ""),
            EndMessage = () => $"{data.Failures} undecodable samples, {data.MissingMasks} images without masks" +
                               (data.SkippedShards.Count > 0 ? $", {data.SkippedShards.Count} shard(s) skipped mid-run: {string.Join("; ", data.SkippedShards.Values)}" : ""),
        }, progress, ct));
        return new TrainResult(session.Folder.Prefix, outcome.Steps, outcome.LastCheckpoint, outcome.Metrics, data.Failures);
    }

    /// <summary>
    /// Awaits the training loop; a shard that became unreadable during it (the pre-flight check passed, so the file
    /// changed during the run, or a row group inside it is damaged) ends the run with what to do instead of a trace.
    /// The checkpoints already written stay, so training resumes from the last one.
    /// </summary>
    private static async Task<T> ExplainBadShardAsync<T>(Task<T> training)
    {
        try
        {
            return await training;
        }
        catch (Exception e) when (UnreadableShardIn(e) is { } shard)
        {
            throw new InvalidDataException($"{shard.Message.TrimEnd('.')}. The shard went bad during training, or is damaged inside where the " +
                "input check (file size and Parquet footer) cannot see. " +
                "The run keeps its last checkpoint: re-ingest the shard and run train again to resume, or resume without it " +
                "with --skip-bad-shards (stage option skipBadShards).", e);
        }
    }

    /// <summary>The <see cref="UnreadableShardException"/> behind a training failure, however the loader wrapped it.</summary>
    private static UnreadableShardException? UnreadableShardIn(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is UnreadableShardException shard) return shard;
            if (e is AggregateException { InnerExceptions: var inner })
                return inner.Select(UnreadableShardIn).FirstOrDefault(found => found is not null);
        }
        return null;
    }

    private static async Task FetchVocabularyAsync(TrainOptions o, Dataset dataset, string localPath, CancellationToken ct)
    {
        if (o.VocabPath is not null)
        {
            if (!File.Exists(o.VocabPath)) throw new FileNotFoundException($"vocabulary file not found: {o.VocabPath}", o.VocabPath);
            var t = BpeTokenizer.Load(o.VocabPath);
            using var f = File.Create(localPath);
            BpeTokenizer.Save(t.Merges, f, localPath);
            return;
        }
        var key = VocabStage.VocabKey(dataset.Name, o.VocabSize);
        if (await dataset.Storage.GetInfoAsync(key, ct) is null)
            throw new FileNotFoundException(
                $"no vocabulary at {dataset.Storage.RootUri}/{key}: run `train vocab --dataset {dataset.Name} --size {o.VocabSize}` first, or pass --vocab bpe_simple_vocab_16e6.txt.gz");
        await using var s = await dataset.Storage.OpenReadAsync(key, ct);
        await using var file = File.Create(localPath);
        await s.CopyToAsync(file, ct);
    }
}
