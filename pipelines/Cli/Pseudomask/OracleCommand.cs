using System.CommandLine;
using Spectre.Console;
using SSeg.Pseudomask;

namespace SSeg.Pipelines.Cli.Pseudomask;

/// <summary>`pseudomask oracle --voc DIR [--split val] [--limit N] [generator options]`.</summary>
internal static class OracleCommand
{
    public static Command Create()
    {
        var command = new Command("oracle", "Pseudo-mask quality: each cluster takes its majority VOC class; mIoU over 21 classes (paper: 78.8 DINO, 49.5 raw RGB).");
        var voc = new Option<string>("--voc") { Description = "Pascal VOC 2012 folder (VOCdevkit/VOC2012 or an ancestor).", Required = true };
        var split = new Option<string>("--split") { Description = "ImageSets/Segmentation/<split>.txt.", DefaultValueFactory = _ => "val" };
        var limit = new Option<int?>("--limit") { Description = "Only the first N images." };
        var generator = new GeneratorOptionSet();
        command.Options.Add(voc);
        command.Options.Add(split);
        command.Options.Add(limit);
        generator.AddTo(command);
        command.SetAction(async (parse, ct) => await PseudomaskCommand.Guarded(() =>
        {
            var options = generator.Build(parse);
            OracleResult? result = null;
            AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("oracle");
                    var progress = new Progress<(int Done, int Total)>(p => { task.MaxValue = p.Total; task.Value = p.Done; });
                    result = PseudomaskOracle.Run(parse.GetValue(voc)!, options, parse.GetValue(split)!, parse.GetValue(limit), progress,
                        m => AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(m)}[/]"), ct);
                    task.Value = task.MaxValue;
                });
            var r = result!;
            var table = new Table().AddColumns("class", "IoU");
            for (var c = 0; c < r.ClassNames.Count; c++)
                table.AddRow(r.ClassNames[c], double.IsNaN(r.PerClassIoU[c]) ? "n/a" : $"{100 * r.PerClassIoU[c]:F1}");
            AnsiConsole.Write(table);
            Console.WriteLine($"oracle {r.GeneratorModel} feature {r.Feature}: mIoU {100 * r.MeanIoU:F1}  aAcc {100 * r.PixelAccuracy:F1}  " +
                              $"over {r.Images} images in {r.Seconds:F0} s");
            return Task.FromResult(0);
        }));
        return command;
    }
}
