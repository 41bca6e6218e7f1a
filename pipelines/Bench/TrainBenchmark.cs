using System.Diagnostics;
using SSeg.Models;
using SSeg.Train.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using SSeg.Train.Training;

namespace SSeg.Pipelines.Bench;

/// <summary>Throughput of full training steps (forward, Hungarian matching, losses, backward, clip, AdamW) on random
/// inputs of a model config, and the process's peak resident memory. CPU seconds per step (all threads) are reported
/// beside wall time, and the fastest step beside the mean: on this shared VM identical runs vary by an order of
/// magnitude (see train/README.md).</summary>
public static class TrainBenchmark
{
    public sealed record Result(string Config, string Device, int Batch, int Steps, double SecondsPerStep, double ImagesPerSecond,
        long Parameters, double PeakResidentMiB, double? PeakCudaMiB, double CpuSecondsPerStep, double FastestStepSeconds);

    public static Result Run(SSegModelConfig config, int batch, int steps, int warmup, Device device, int masksPerImage = 6)
    {
        manual_seed(0);
        using var model = new SSegModel(config);
        model.to(device);
        var (decay, noDecay, _) = ParameterGroups.Split(model);
        var optimizer = optim.AdamW(new[]
        {
            new AdamW.ParamGroup(decay, new AdamW.Options { weight_decay = 0.05 }),
            new AdamW.ParamGroup(noDecay, new AdamW.Options { weight_decay = 0.0 }),
        }, lr: 1e-4);
        var objective = new SSegObjective(new TrainOptions { Root = "", Dataset = "", MaskGenerator = "", Run = "" });
        var parameters = model.parameters().ToList();
        long paramCount = parameters.Sum(p => p.numel());
        var times = new List<double>();
        var cpuTimes = new List<double>();
        for (int s = 0; s < warmup + steps; s++)
        {
            using var scope = NewDisposeScope();
            var images = randn(batch, 3, config.CropSize, config.CropSize, device: device);
            var tokens = randint(1, config.VocabSize - 2, new long[] { batch, 4, config.ContextLength }, device: device);
            tokens[.., .., 0] = config.VocabSize - 2;
            tokens[.., .., 20] = config.VocabSize - 1;
            int m = config.MaskResolution;
            var ids = randint(0, masksPerImage, new long[] { batch, m, m });
            var targets = Enumerable.Range(0, batch).Select(b => nn.functional.one_hot(ids[b], masksPerImage).permute(2, 0, 1).to(float32)).ToList();
            if (device.type == DeviceType.CUDA) cuda.synchronize();
            var cpu0 = ProcessCpuSeconds();
            var sw = Stopwatch.StartNew();
            model.train();
            optimizer.zero_grad();
            var terms = objective.Compute(model, images, tokens, targets, device);
            terms.Total.backward();
            nn.utils.clip_grad_norm_(parameters, 5.0);
            optimizer.step();
            if (device.type == DeviceType.CUDA) cuda.synchronize();
            if (s < warmup) continue;
            times.Add(sw.Elapsed.TotalSeconds);
            cpuTimes.Add(ProcessCpuSeconds() - cpu0);
        }
        double perStep = times.Average();
        return new Result(config.Name, DeviceSelector.Describe(device), batch, steps, perStep, batch / perStep, paramCount, PeakResidentMiB(), null,
            cpuTimes.Average(), times.Min());
    }

    private static double ProcessCpuSeconds()
    {
        using var p = Process.GetCurrentProcess();
        return p.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>VmHWM of /proc/self/status (Linux), else the process's peak working set.</summary>
    public static double PeakResidentMiB()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line[6..].Trim().Split(' ')[0]) / 1024.0;
        }
        catch (IOException) { }
        return Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
    }
}
