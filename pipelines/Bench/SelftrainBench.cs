using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using SSeg.Models;
using SSeg.Selftrain.Model;
using SSeg.Selftrain.Optim;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Pipelines.Bench;

/// <summary>`bench selftrain` / `selftrain bench`: S-Seg+ inference and training-step time on random data.</summary>
internal static class SelftrainBench
{
    public static Command Create(string name)
    {
        var command = new Command(name, "Time S-Seg+ (ViT + UperNet) forward passes and training steps on random images.");
        var preset = new Option<string>("--model") { Description = "vit-b16 (paper) or vit-tiny16.", DefaultValueFactory = _ => "vit-b16" };
        var crop = new Option<int>("--crop") { Description = "Crop size.", DefaultValueFactory = _ => 512 };
        var batch = new Option<int>("--batch") { Description = "Training batch size.", DefaultValueFactory = _ => 2 };
        var steps = new Option<int>("--steps") { Description = "Timed repetitions (after one warm-up).", DefaultValueFactory = _ => 3 };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N.", DefaultValueFactory = _ => "auto" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for libtorch." };
        foreach (var o in new Option[] { preset, crop, batch, steps, device, threads }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            DeviceSelector.SetThreads(parse.GetValue(threads));
            var dev = DeviceSelector.Select(parse.GetValue(device));
            var size = parse.GetValue(crop);
            var config = parse.GetValue(preset) == "vit-tiny16"
                ? new SSegPlusConfig { BackboneName = "vit_tiny", EmbedDim = 192, Heads = 3, HeadChannels = 192, AuxChannels = 64 }
                : new SSegPlusConfig();
            config = config with { CropSize = size, ClassNames = SSeg.Eval.Datasets.EvalClassLists.Voc.ToArray() };
            using var model = new SSegPlusModel(config);
            model.to(dev);
            var parameters = model.parameters().Sum(p => p.numel());
            int b = parse.GetValue(batch), n = Math.Max(1, parse.GetValue(steps));

            model.eval();
            var forward = Time(n, () =>
            {
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                model.PredictLogits(randn(1, 3, size, size, device: dev)).cpu();
            });
            model.train();
            using var optimizer = new LayerDecayOptimizer(model.named_parameters(), new LayerDecayOptions());
            var step = Time(n, () =>
            {
                using var scope = NewDisposeScope();
                using var logits = model.forward(randn(b, 3, size, size, device: dev));
                var (loss, _, _) = model.Loss(logits, randint(0, config.NumClasses, new long[] { b, size, size }, device: dev));
                optimizer.Optimizer.zero_grad();
                loss.backward();
                optimizer.Optimizer.step();
            });
            var table = new Table().AddColumn("figure").AddColumn("value");
            table.AddRow("model", Markup.Escape($"{config.BackboneName}/{config.PatchSize} + UperNet({config.HeadChannels}), {parameters / 1e6:F1} M parameters"));
            table.AddRow("device", Markup.Escape(DeviceSelector.Describe(dev)));
            table.AddRow($"forward 1×{size}² (eval)", string.Create(CultureInfo.InvariantCulture, $"{forward:F0} ms"));
            table.AddRow($"train step {b}×{size}²", string.Create(CultureInfo.InvariantCulture, $"{step:F0} ms ({b * 1000.0 / step:F2} img/s)"));
            table.AddRow("20k iterations × batch 16 (est.)", string.Create(CultureInfo.InvariantCulture, $"{step / b * 16 * 20000 / 3.6e6:F1} h"));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    /// <summary>Median milliseconds of <paramref name="n"/> runs after one warm-up run.</summary>
    private static double Time(int n, Action action)
    {
        action();
        var times = new List<double>();
        for (var i = 0; i < n; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }
}
