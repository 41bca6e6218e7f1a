using System.Diagnostics;
using SSeg.Models;
using SSeg.Train.Data;
using SSeg.Train.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using SSeg.Train.Training;

namespace SSeg.Pipelines.Bench;

/// <summary>Time and peak memory of one gradient-cached optimizer step over a contrastive batch, beside a plain step
/// over one micro-batch, on random inputs. Memory is the process's peak resident set (VmHWM), reset through
/// <c>/proc/self/clear_refs</c> before each phase, so each figure is the peak of that phase alone (it includes what
/// the process already held: runtime, model, optimizer state, the random inputs). On CUDA this is host memory only.</summary>
public static class GradCacheBenchmark
{
    public sealed record Result(string Config, string Device, int Batch, int ContrastiveBatch, int Steps,
        double SecondsPerStep, double PlainSecondsPerStep, double PeakGiB, double PlainPeakGiB, bool PeakReset);

    public static Result Run(SSegModelConfig config, int batch, int contrastiveBatch, int steps, Device device, int masksPerImage = 6)
    {
        if (steps < 1) throw new ArgumentException("steps must be ≥ 1");
        var options = new TrainOptions
        {
            Root = "", Dataset = "", MaskGenerator = "", Run = "", Model = config, BatchSize = batch,
            Accumulation = Math.Max(1, contrastiveBatch / Math.Max(1, batch)), ContrastiveBatch = contrastiveBatch,
        };
        GradientCachedStep.ResolveContrastiveBatch(options);
        manual_seed(0);
        using var model = new SSegModel(config);
        model.to(device);
        var parameters = model.parameters().Where(p => p.requires_grad).ToList();
        using var optimizer = optim.AdamW(parameters, lr: 1e-4);
        var objective = new SSegObjective(options);
        var batches = Enumerable.Range(0, contrastiveBatch / batch).Select(i => RandomBatch(config, batch, masksPerImage, device)).ToList();
        try
        {
            // Plain step over one micro-batch: one warm-up step, then the timed ones.
            PlainStep(model, optimizer, objective, parameters, batches[0], device);
            bool reset = ResetPeak();
            var sw = Stopwatch.StartNew();
            for (int s = 0; s < steps; s++) PlainStep(model, optimizer, objective, parameters, batches[(s + 1) % batches.Count], device);
            Sync(device);
            double plainSeconds = sw.Elapsed.TotalSeconds / steps;
            double plainPeak = TrainBenchmark.PeakResidentMiB() / 1024.0;

            using var replicas = new DataParallelReplicas(model, [device]);
            var cached = new GradientCachedStep(replicas, objective);
            reset &= ResetPeak();
            sw.Restart();
            for (int s = 0; s < steps; s++) cached.Step(optimizer, batches, parameters, 1e-4, s);
            Sync(device);
            double seconds = sw.Elapsed.TotalSeconds / steps;
            double peak = TrainBenchmark.PeakResidentMiB() / 1024.0;
            return new Result(config.Name, DeviceSelector.Describe(device), batch, contrastiveBatch, steps, seconds, plainSeconds, peak, plainPeak, reset);
        }
        finally
        {
            foreach (var b in batches) b.Dispose();
        }
    }

    private static void PlainStep(SSegModel model, OptimizerHelper optimizer, SSegObjective objective, List<Parameter> parameters, TrainBatch b, Device device)
    {
        using var scope = NewDisposeScope();
        model.train();
        optimizer.zero_grad();
        var terms = objective.Compute(model, b.Images, b.Tokens, b.Targets, device);
        terms.Total.backward();
        nn.utils.clip_grad_norm_(parameters, 5.0);
        optimizer.step();
    }

    private static TrainBatch RandomBatch(SSegModelConfig config, int batch, int masksPerImage, Device device)
    {
        var images = randn(batch, 3, config.CropSize, config.CropSize, device: device).DetachFromDisposeScope();
        var tokens = randint(1, config.VocabSize - 2, new long[] { batch, 4, config.ContextLength }, device: device).DetachFromDisposeScope();
        tokens[.., .., 0] = config.VocabSize - 2;
        tokens[.., .., 20 % config.ContextLength] = config.VocabSize - 1;
        int m = config.MaskResolution;
        var ids = randint(0, masksPerImage, new long[] { batch, m, m });
        var targets = Enumerable.Range(0, batch)
            .Select(i => nn.functional.one_hot(ids[i], masksPerImage).permute(2, 0, 1).to(float32).DetachFromDisposeScope()).ToList();
        ids.Dispose();
        return new TrainBatch
        {
            Images = images, Tokens = tokens, Targets = targets, Keys = Enumerable.Range(0, batch).Select(i => $"random-{i}").ToList(),
            Epoch = 0, NextPosition = 0,
        };
    }

    /// <summary>Resets VmHWM to the current resident set (Linux ≥ 4.0); false where that is not possible, and the
    /// figures are then peaks since the process started.</summary>
    private static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void Sync(Device device)
    {
        if (device.type == DeviceType.CUDA) cuda.synchronize();
    }
}
