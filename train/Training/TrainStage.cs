using System.Diagnostics;
using System.Text;
using System.Text.Json;
using SSeg.Models;
using SSeg.Shards;
using SSeg.Shards.Storage;
using SSeg.Train.Data;
using SSeg.Train.Model;
using SSeg.Train.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SSeg.Train.Training;

/// <summary>
/// The train stage (one run, resumable from its last checkpoint): the entry point the CLI, the Hangfire job and
/// the tests call. Streams image+mask shards, optimises the S-Seg objective with AdamW, warmup+cosine and
/// gradient clipping/accumulation, writes metrics.jsonl, loss.png and checkpoints under <c>runs/&lt;run&gt;/</c>.
/// </summary>
public static class TrainStage
{
    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static async Task<TrainResult> RunAsync(TrainOptions o, IProgress<TrainProgress>? progress = null, CancellationToken ct = default)
    {
        if (o.BatchSize < 1 || o.Accumulation < 1) throw new ArgumentException("batch size and accumulation must be ≥ 1");
        GradientCachedStep.ResolveContrastiveBatch(o);
        var devices = DataParallelReplicas.SelectDevices(o);
        var device = devices[0];
        DeviceSelector.SetThreads(o.Threads);
        var storage = StorageFactory.Open(o.Root, o.AzureConnectionString);
        var dataset = new DatasetStore(storage).Dataset(o.Dataset);
        var run = new RunStore(storage, o.Run);
        var work = Path.Combine(Path.GetTempPath(), $"sseg-train-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            return await RunCoreAsync(o, devices, dataset, run, work, progress, ct);
        }
        finally
        {
            try { Directory.Delete(work, true); } catch (IOException) { }
        }
    }

    private static async Task<TrainResult> RunCoreAsync(TrainOptions o, IReadOnlyList<Device> devices, Dataset dataset, RunStore run, string work,
        IProgress<TrainProgress>? progress, CancellationToken ct)
    {
        var device = devices[0];
        // --- inputs: refuse bad shards up front (or leave them out when told to) rather than fail mid-run
        var bad = await InputShardCheck.FindBadShardsAsync(dataset, o.MaskGenerator, ct);
        if (bad.Count > 0 && !o.SkipBadShards)
            throw new InvalidDataException($"dataset '{dataset.Name}' has {bad.Count} bad input shard(s): {InputShardCheck.Describe(bad)}. " +
                "Re-ingest them, or train on the rest with --skip-bad-shards (stage option skipBadShards).");
        var skipped = bad.Select(c => c.Index).ToHashSet();

        // --- resume point, tokenizer and model config
        string? latest = o.Resume ? await run.LatestCheckpointAsync(ct) : null;
        TrainerState? state = null;
        var vocabLocal = Path.Combine(work, RunStore.VocabFile);
        string? resumeDir = null;
        if (latest is not null)
        {
            resumeDir = Path.Combine(work, latest);
            await run.DownloadCheckpointAsync(latest, resumeDir, ct);
            state = JsonSerializer.Deserialize<TrainerState>(await File.ReadAllTextAsync(Path.Combine(resumeDir, RunStore.TrainerFile), ct))!;
            File.Copy(Path.Combine(resumeDir, RunStore.VocabFile), vocabLocal);
        }
        else await FetchVocabularyAsync(o, dataset, vocabLocal, ct);

        var tokenizer = BpeTokenizer.Load(vocabLocal, maxMerges: int.MaxValue, contextLength: o.Model.ContextLength);
        var config = o.Model with { VocabSize = tokenizer.VocabSize };
        if (state is not null)
        {
            var saved = JsonSerializer.Deserialize<SSegModelConfig>(state.ConfigJson)!;
            if (saved != config)
                throw new InvalidOperationException($"run '{o.Run}' was started with model config {state.ConfigJson}; the requested config differs " +
                    "(use a new --run name, or the same --config)");
        }

        manual_seed(o.Seed);
        using var model = new SSegModel(config);
        model.to(device);
        var (decay, noDecay, _) = ParameterGroups.Split(model);
        var optimizer = optim.AdamW(new[]
        {
            new AdamW.ParamGroup(decay, new AdamW.Options { weight_decay = o.WeightDecay }),
            new AdamW.ParamGroup(noDecay, new AdamW.Options { weight_decay = 0.0 }),
        }, lr: o.BaseLr, beta1: o.Beta1, beta2: o.Beta2, eps: o.Eps);
        if (resumeDir is not null)
        {
            CheckpointLoader.Load(model, Path.Combine(resumeDir, RunStore.ModelFile));
            optimizer.load_state_dict(Path.Combine(resumeDir, RunStore.OptimizerFile));
        }

        // --- data and schedule
        var data = new ShardTrainStream(dataset, new TrainDataOptions
        {
            MaskGenerator = o.MaskGenerator, CropSize = config.CropSize, MaskSize = config.MaskResolution,
            ShuffleBuffer = o.ShuffleBuffer, DecodeWorkers = o.DecodeWorkers, Seed = o.Seed, PromptWords = o.PromptWords,
            MinMaskArea = o.MinMaskArea, ExcludedShards = skipped,
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
            ? LrSchedule.Scaled(o.BaseLr, o.WarmupLr, o.MinLr, warmup, scheduleSteps, effective, o.ReferenceBatch)
            : new LrSchedule(o.BaseLr, o.WarmupLr, o.MinLr, warmup, scheduleSteps);

        long step = state?.Step ?? 0;
        int epoch = state?.Epoch ?? 0;
        long position = state?.Position ?? 0;
        var metrics = await ReadMetricsAsync(run, step, ct);
        await run.WriteTextAsync("config.json", JsonSerializer.Serialize(new { options = o with { AzureConnectionString = null }, model = config,
            samples, skipped_shards = bad.Select(c => new { kind = c.Kind, index = c.Index, path = c.Path, problem = c.Problem }),
            steps_per_epoch = stepsPerEpoch, schedule_steps = scheduleSteps, warmup_steps = warmup, device = DeviceSelector.Describe(device),
            contrastive_batch = GradientCachedStep.ResolveContrastiveBatch(o), devices = devices.Select(DeviceSelector.Describe) }, Json), ct);
        progress?.Report(new TrainProgress(step, stopAt, epoch, double.NaN, double.NaN, double.NaN, 0, schedule.At(step),
            $"{samples} samples, {stepsPerEpoch} steps/epoch, effective batch {effective}, contrastive batch {GradientCachedStep.ResolveContrastiveBatch(o)}, " +
            $"device {string.Join(",", devices.Select(DeviceSelector.Describe))}" +
            (latest is null ? "" : $", resumed from {latest}")));

        var objective = new SSegObjective(o);
        var parameters = model.parameters().Where(p => p.requires_grad).ToList();
        // Seam: gradient caching and data-parallel replicas (null on the default path: one device, contrastive batch = micro-batch).
        using var replicas = GradientCachedStep.IsNeeded(o, devices.Count) ? new DataParallelReplicas(model, devices) : null;
        var cachedStep = replicas is null ? null : new GradientCachedStep(replicas, objective);
        string? lastCheckpoint = latest;
        long lastSaved = step;
        try
        {
            while (step < stopAt)
            {
                var micro = new List<TrainSample>(o.BatchSize);
                var pending = new List<TrainBatch>(o.Accumulation);
                await foreach (var sample in data.ReadEpochAsync(epoch, position, ct))
                {
                    micro.Add(sample);
                    if (micro.Count < o.BatchSize) continue;
                    pending.Add(TrainBatch.Collate(micro, config.CropSize, config.MaskResolution, 1 + o.PromptWords, config.ContextLength, epoch, o.MinMaskArea));
                    micro.Clear();
                    if (pending.Count < o.Accumulation) continue;

                    var sw = Stopwatch.StartNew();
                    var m = cachedStep?.Step(optimizer, pending, parameters, schedule.At(step), step)
                            ?? Step(model, optimizer, objective, pending, parameters, schedule.At(step), step, o, device);
                    position = pending[^1].NextPosition;
                    foreach (var b in pending) b.Dispose();
                    pending.Clear();
                    step++;
                    var record = m with { Step = step, Epoch = epoch, ImagesPerSecond = effective / sw.Elapsed.TotalSeconds, TimeUtc = DateTimeOffset.UtcNow };
                    metrics.Add(record);
                    progress?.Report(new TrainProgress(step, stopAt, epoch, record.Loss, record.Mask, record.Itc + record.MultiLabel,
                        record.ImagesPerSecond, record.Lr));
                    if (step % Math.Max(1, o.LogEverySteps) == 0) await WriteMetricsAsync(run, metrics, ct);
                    if (step % Math.Max(1, o.CheckpointEverySteps) == 0)
                    {
                        lastCheckpoint = await SaveAsync(run, work, model, optimizer, tokenizer, config, o, step, epoch, position, data.Failures, metrics, ct);
                        lastSaved = step;
                    }
                    if (step >= stopAt) break;
                }
                foreach (var b in pending) b.Dispose();
                if (step >= stopAt) break;
                epoch++;
                position = 0;
            }
        }
        catch (OperationCanceledException)
        {
            if (step > lastSaved)
                await SaveAsync(run, work, model, optimizer, tokenizer, config, o, step, epoch, position, data.Failures, metrics, CancellationToken.None);
            throw;
        }
        if (step > lastSaved || lastCheckpoint is null)
            lastCheckpoint = await SaveAsync(run, work, model, optimizer, tokenizer, config, o, step, epoch, position, data.Failures, metrics, ct);
        progress?.Report(new TrainProgress(step, stopAt, epoch, metrics.LastOrDefault()?.Loss ?? double.NaN, metrics.LastOrDefault()?.Mask ?? double.NaN,
            metrics.LastOrDefault() is { } l ? l.Itc + l.MultiLabel : double.NaN, 0, schedule.At(step),
            $"done: {step} steps, checkpoint {lastCheckpoint}, {data.Failures} undecodable samples, {data.MissingMasks} images without masks"));
        return new TrainResult(run.Prefix, step, lastCheckpoint, metrics, data.Failures);
    }

    /// <summary>One optimizer step over the accumulated micro-batches.</summary>
    private static StepMetrics Step(SSegModel model, OptimizerHelper optimizer, SSegObjective objective, List<TrainBatch> batches,
        List<Parameter> parameters, double lr, long step, TrainOptions o, Device device)
    {
        using var scope = NewDisposeScope();
        manual_seed(ShardTrainStream.Mix(o.Seed, -3, step)); // dropout / drop-path: reproducible on resume
        model.train();
        optimizer.zero_grad();
        double loss = 0, mask = 0, focal = 0, dice = 0, itc = 0, ml = 0, masks = 0, images = 0;
        foreach (var b in batches)
        {
            var terms = objective.Compute(model, b.Images.to(device), b.Tokens.to(device), b.Targets, device);
            (terms.Total / batches.Count).backward();
            loss += terms.Total.ToDouble() / batches.Count;
            mask += terms.Mask / batches.Count;
            focal += terms.Focal / batches.Count;
            dice += terms.Dice / batches.Count;
            itc += terms.Itc / batches.Count;
            ml += terms.MultiLabel / batches.Count;
            masks += b.TotalMasks;
            images += b.Count;
        }
        double gradNorm = o.ClipGrad > 0 ? nn.utils.clip_grad_norm_(parameters, o.ClipGrad) : double.NaN;
        foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
        optimizer.step();
        return new StepMetrics
        {
            Lr = lr, Loss = loss, Mask = mask, Focal = focal, Dice = dice, Itc = itc, MultiLabel = ml,
            Scale = model.Scale().ToDouble(), GradNorm = gradNorm, MasksPerImage = masks / Math.Max(1, images),
        };
    }

    private static async Task<string> SaveAsync(RunStore run, string work, SSegModel model, OptimizerHelper optimizer, BpeTokenizer tokenizer,
        SSegModelConfig config, TrainOptions o, long step, int epoch, long position, long failures, List<StepMetrics> metrics, CancellationToken ct)
    {
        var name = RunStore.CheckpointName(step);
        var dir = Path.Combine(work, "save", name);
        Directory.CreateDirectory(dir);
        var configJson = JsonSerializer.Serialize(config);
        CheckpointLoader.SaveSafetensors(model, Path.Combine(dir, RunStore.ModelFile), new Dictionary<string, string>
        {
            [SSegCheckpoint.KindKey] = SSegCheckpoint.Kind,
            [SSegCheckpoint.ConfigKey] = configJson,
            ["sseg.step"] = step.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["sseg.run"] = o.Run,
        });
        optimizer.save_state_dict(Path.Combine(dir, RunStore.OptimizerFile));
        using (var f = File.Create(Path.Combine(dir, RunStore.VocabFile)))
            BpeTokenizer.Save(tokenizer.Merges, f, RunStore.VocabFile, $"#version: sseg bpe ({tokenizer.Merges.Count} merges)");
        var state = new TrainerState
        {
            Step = step, Epoch = epoch, Position = position, ConfigJson = configJson, Seed = o.Seed, DataFailures = failures,
            SavedUtc = DateTimeOffset.UtcNow,
        };
        await File.WriteAllTextAsync(Path.Combine(dir, RunStore.TrainerFile), JsonSerializer.Serialize(state, Json), ct);
        await run.PublishCheckpointAsync(dir, step, o.KeepCheckpoints, ct);
        Directory.Delete(dir, true);
        await WriteMetricsAsync(run, metrics, ct);
        return name;
    }

    private static async Task<List<StepMetrics>> ReadMetricsAsync(RunStore run, long upToStep, CancellationToken ct)
    {
        var text = await run.ReadTextAsync("metrics.jsonl", ct);
        if (text is null || upToStep == 0) return [];
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonSerializer.Deserialize<StepMetrics>(l)!)
            .Where(m => m.Step <= upToStep).ToList();
    }

    private static async Task WriteMetricsAsync(RunStore run, List<StepMetrics> metrics, CancellationToken ct)
    {
        var sb = new StringBuilder();
        foreach (var m in metrics) sb.Append(JsonSerializer.Serialize(m)).Append('\n');
        await run.WriteTextAsync("metrics.jsonl", sb.ToString(), ct);
        await run.Storage.WriteAsync(run.Key("loss.png"), LossPlot.Render(metrics), ct);
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
