using SSeg.Models;
using System.Diagnostics;
using System.Text.Json.Nodes;
using SSeg.Runs.Plots;

namespace SSeg.Runs;

/// <summary>
/// The loop every trainer runs: pull the next batch, run the trainer's step, log metrics and plots every
/// <see cref="RunOptions.LogEvery"/> steps, checkpoint every <see cref="RunOptions.CheckpointEvery"/> steps and at
/// the end, report progress after each step. Cancellation saves a checkpoint of the steps done, then rethrows.
/// Exact resume rests on three rules the trainer keeps: the batches are a pure function of the data position,
/// any randomness inside a step is seeded from the step number, and the checkpoint holds model and optimiser.
/// </summary>
public static class TrainingLoop
{
    public static async Task<RunOutcome> RunAsync<TBatch>(RunSession session, TrainerParts<TBatch> parts, IProgress<RunProgress>? progress,
        CancellationToken ct)
    {
        var o = session.Options;
        var resumed = session.Resumed;
        long step = resumed?.State.Step ?? 0;
        long start = step;
        var position = resumed?.State.Data ?? default;
        double elapsedBefore = resumed?.State.ElapsedSeconds ?? 0;
        var clock = Stopwatch.StartNew();
        List<MetricsLine> metrics = step == 0 ? [] : await MetricsLog.ReadAsync(session.Folder, step, ct);

        using var model = parts.CreateModel();
        if (resumed is not null)
        {
            model.LoadWeights(Path.Combine(resumed.Directory, CheckpointManager.ModelFile));
            model.Optimizer.load_state_dict(Path.Combine(resumed.Directory, CheckpointManager.OptimizerFile));
        }
        progress?.Report(new RunProgress(step, parts.StopAt, position.Epoch, double.NaN, parts.LearningRateAt(step), 0, Empty,
            parts.StartMessage + (resumed is null ? "" : $", resumed from {resumed.Name}")));

        string? lastCheckpoint = resumed?.Name;
        long lastSaved = step;
        StepOutput? last = null;
        var windowStart = clock.Elapsed.TotalSeconds;
        var windowImages = 0;

        async Task SaveAsync(CancellationToken token)
        {
            var dir = Path.Combine(session.WorkDirectory, "save", CheckpointManager.Name(step));
            Directory.CreateDirectory(dir);
            DeviceSelector.SetThreads(o.Threads);   // the checkpoint records this thread's setting
            model.SaveWeights(Path.Combine(dir, CheckpointManager.ModelFile), step);
            model.Optimizer.save_state_dict(Path.Combine(dir, CheckpointManager.OptimizerFile));
            parts.WriteCheckpointFiles?.Invoke(dir);
            var state = new CheckpointState
            {
                Step = step, Epoch = position.Epoch, Position = position.Position, Seed = o.Seed,
                ElapsedSeconds = elapsedBefore + clock.Elapsed.TotalSeconds, SavedUtc = DateTimeOffset.UtcNow,
                Trainer = parts.CheckpointFields?.Invoke(),
            };
            await File.WriteAllTextAsync(Path.Combine(dir, CheckpointManager.StateFile), state.ToJson(), token);
            await session.Checkpoints.PublishAsync(dir, step, o.KeepCheckpoints, token);
            Directory.Delete(dir, recursive: true);
            await WriteLogAsync(session.Folder, metrics, parts, token);
            lastCheckpoint = CheckpointManager.Name(step);
            lastSaved = step;
        }

        try
        {
            if (step < parts.StopAt)
            {
                await foreach (var sourced in parts.Batches.ReadAsync(position, step, ct))
                {
                    ct.ThrowIfCancellationRequested();
                    var stepClock = Stopwatch.StartNew();
                    try
                    {
                        // libtorch's intra-op thread count is per OS thread (OpenMP), and an await may resume on
                        // another pool thread, so the run's setting is applied on the thread that computes the step.
                        DeviceSelector.SetThreads(o.Threads);
                        last = model.Step(sourced.Batch, step);
                    }
                    finally
                    {
                        (sourced.Batch as IDisposable)?.Dispose();
                    }
                    position = sourced.Next;
                    step++;
                    windowImages += sourced.Images;
                    var now = clock.Elapsed.TotalSeconds;
                    var epoch = parts.EpochOf?.Invoke(step) ?? sourced.Next.Epoch;
                    if (step % o.LogEvery == 0 || step == parts.TotalSteps)
                    {
                        metrics.Add(new MetricsLine
                        {
                            Step = step, Epoch = epoch, Loss = last.Loss, Lr = last.LearningRate,
                            ImagesPerSecond = windowImages / Math.Max(now - windowStart, 1e-9), Elapsed = elapsedBefore + now,
                            TimeUtc = DateTimeOffset.UtcNow, Fields = last.Fields,
                        });
                        (windowStart, windowImages) = (now, 0);
                        await WriteLogAsync(session.Folder, metrics, parts, ct);
                    }
                    progress?.Report(new RunProgress(step, parts.StopAt, epoch, last.Loss, last.LearningRate,
                        sourced.Images / Math.Max(stepClock.Elapsed.TotalSeconds, 1e-9), last.Fields));
                    if (step % o.CheckpointEvery == 0 && step < parts.StopAt) await SaveAsync(ct);
                    if (step >= parts.StopAt) break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            if (step > lastSaved) await SaveAsync(CancellationToken.None);
            throw;
        }
        if (step > lastSaved || lastCheckpoint is null) await SaveAsync(ct);
        progress?.Report(new RunProgress(step, parts.StopAt, position.Epoch, last?.Loss ?? metrics.LastOrDefault()?.Loss ?? double.NaN,
            parts.LearningRateAt(step), 0, last?.Fields ?? Empty,
            $"done: {step} steps, checkpoint {lastCheckpoint}" + (parts.EndMessage is null ? "" : ", " + parts.EndMessage())));
        return new RunOutcome(start, step, lastCheckpoint, metrics, last?.Loss ?? double.NaN, clock.Elapsed.TotalSeconds);
    }

    private static readonly IReadOnlyDictionary<string, double> Empty = new Dictionary<string, double>();

    private static async Task WriteLogAsync<TBatch>(RunFolder run, IReadOnlyList<MetricsLine> metrics, TrainerParts<TBatch> parts, CancellationToken ct)
    {
        await MetricsLog.WriteAsync(run, metrics, ct);
        await TrainingPlots.WriteAsync(run, metrics, parts.PlotTitle, parts.PlottedLosses, parts.LearningRateAt, parts.TotalSteps, ct);
    }
}
