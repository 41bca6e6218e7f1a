using System.CommandLine;
using Spectre.Console;
using SSeg.Eval.Datasets;

namespace SSeg.Pipelines.Cli.Eval;

/// <summary>`eval convert-lvis`: LVIS instance polygons → the semantic layout the `lvis` dataset kind reads.</summary>
internal static class ConvertLvisCommand
{
    public static Command Create()
    {
        var command = new Command("convert-lvis",
            "Render LVIS instance polygons (lvis_v1_val.json) into <out>/semantic/<split>/<id>.png (value = category id, " +
            "0 = not annotated), write <out>/classes.txt, and link the COCO images into <out>/images/<split>/. Existing labels are kept.");
        var json = new Option<string>("--json") { Description = "LVIS annotation file, e.g. lvis_v1_val.json.", Required = true };
        var output = new Option<string>("--out") { Description = "Output LVIS folder (the `lvis=DIR` of eval).", Required = true };
        var coco = new Option<string?>("--coco-images") { Description = "Folder holding COCO train2017/ and val2017/ (images are linked, not copied)." };
        var split = new Option<string>("--split") { Description = "Split name.", DefaultValueFactory = _ => "val" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Rewrite existing label PNGs." };
        foreach (var o in new Option[] { json, output, coco, split, overwrite }) command.Options.Add(o);
        command.SetAction((parse, ct) =>
        {
            try
            {
                LvisConversionResult? result = null;
                AnsiConsole.Status().Start("rendering LVIS polygons", _ =>
                    result = LvisSemanticConverter.Convert(parse.GetValue(json)!, parse.GetValue(output)!, parse.GetValue(split)!,
                        parse.GetValue(coco), parse.GetValue(overwrite), null, ct));
                Console.WriteLine($"written {result!.Written}, kept {result.Skipped}, images linked {result.Linked}, failed {result.Failures.Count}");
                foreach (var f in result.Failures.Take(20)) AnsiConsole.MarkupLine($"[red]failed:[/] {Markup.Escape(f)}");
                return Task.FromResult(result.Failures.Count == 0 ? 0 : 1);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
            {
                AnsiConsole.MarkupLine($"[red]convert-lvis failed:[/] {Markup.Escape(e.Message)}");
                return Task.FromResult(1);
            }
        });
        return command;
    }
}
