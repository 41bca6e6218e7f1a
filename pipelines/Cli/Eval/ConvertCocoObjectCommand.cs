using System.CommandLine;
using Spectre.Console;
using SSeg.Eval.Datasets;

namespace SSeg.Pipelines.Cli.Eval;

/// <summary>`eval convert-coco-object`: COCO-Stuff stuffthingmaps → COCO-Object *_instanceTrainIds.png labels.</summary>
internal static class ConvertCocoObjectCommand
{
    public static Command Create()
    {
        var command = new Command("convert-coco-object",
            "Build COCO-Object labels (background + 80 things) from COCO-Stuff-164k stuffthingmaps, as GroupViT's " +
            "convert_coco_object.py: writes <coco>/annotations/<split>/<id>_instanceTrainIds.png. Existing outputs are skipped.");
        var maps = new Option<string>("--stuffthingmaps") { Description = "Folder of stuffthingmap PNGs, e.g. stuffthingmaps_trainval2017/val2017.", Required = true };
        var coco = new Option<string>("--coco") { Description = "The coco folder (holds images/<split>).", Required = true };
        var split = new Option<string>("--split") { Description = "Split name.", DefaultValueFactory = _ => "val2017" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Rewrite existing outputs." };
        foreach (var o in new Option[] { maps, coco, split, overwrite }) command.Options.Add(o);
        command.SetAction((parse, ct) =>
        {
            try
            {
                var input = parse.GetValue(maps)!;
                int total = Directory.Exists(input) ? Directory.EnumerateFiles(input, "*.png").Count() : 0;
                CocoObjectConversionResult? result = null;
                AnsiConsole.Progress().Start(ctx =>
                {
                    var task = ctx.AddTask("convert", maxValue: Math.Max(1, total));
                    result = CocoObjectConverter.ConvertFolder(input, parse.GetValue(coco)!, parse.GetValue(split)!,
                        parse.GetValue(overwrite), new Progress<int>(n => task.Value = n), ct);
                    task.Value = task.MaxValue;
                });
                Console.WriteLine($"converted {result!.Converted}, skipped (already there) {result.Skipped}, failed {result.Failures.Count}");
                if (result.UnexpectedValuePixels > 0)
                    Console.WriteLine($"warning: {result.UnexpectedValuePixels} pixels had thing-range values that are no COCO class (mapped to background)");
                foreach (var f in result.Failures.Take(20)) AnsiConsole.MarkupLine($"[red]failed:[/] {Markup.Escape(f)}");
                return Task.FromResult(result.Failures.Count == 0 ? 0 : 1);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
            {
                AnsiConsole.MarkupLine($"[red]convert-coco-object failed:[/] {Markup.Escape(e.Message)}");
                return Task.FromResult(1);
            }
        });
        return command;
    }
}
