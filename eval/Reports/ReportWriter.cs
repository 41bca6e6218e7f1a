using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Eval.Datasets;
using SSeg.Eval.Protocol;

namespace SSeg.Eval.Reports;

/// <summary>
/// Writes a run's report folder: <c>report.json</c> (everything), <c>&lt;dataset&gt;.csv</c> (per-class counts and
/// IoU), <c>report.md</c> (summary with the multi-dataset average, then one Table-4-style per-class row per
/// dataset), <c>plots/class-iou.png</c> (per-class IoU bars, <see cref="ClassIoUPlot"/>) and <c>overlays/&lt;dataset&gt;_&lt;id&gt;.png</c>.
/// The folder is written beside the target under a temporary name and then swapped in, so a rerun replaces a
/// report whole (no stale files from an earlier run with other datasets) and a crash never leaves half a report.
/// </summary>
public static class ReportWriter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Writes all files into <paramref name="directory"/> (replacing it) and returns their final paths.</summary>
    public static IReadOnlyList<string> Write(string directory, RunReport report)
    {
        directory = Path.GetFullPath(directory);
        var staging = directory.TrimEnd(Path.DirectorySeparatorChar) + $".tmp-{Guid.NewGuid():N}";
        try
        {
            var files = WriteInto(staging, report);
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
            Directory.Move(staging, directory);
            return files.Select(f => Path.Combine(directory, Path.GetRelativePath(staging, f))).ToList();
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    private static IReadOnlyList<string> WriteInto(string directory, RunReport report)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>
        {
            WriteText(Path.Combine(directory, "report.json"), ToJson(report).ToJsonString(new JsonSerializerOptions { WriteIndented = true })),
            WriteText(Path.Combine(directory, "report.md"), ToMarkdown(report)),
        };
        foreach (var d in report.Datasets)
        {
            written.Add(WriteText(Path.Combine(directory, $"{d.Dataset}.csv"), ToCsv(d)));
            foreach (var kept in d.KeptPredictions)
            {
                using var image = DatasetFiles.LoadRgb(kept.Sample.ImagePath);
                using var panel = OverlayImage.Compose(image, kept.GroundTruth, kept.Prediction, d.Metrics.IgnoreIndex, ColorOffset(d));
                var name = string.Concat(kept.Sample.Id.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
                written.Add(SavePng(panel, Path.Combine(directory, "overlays", $"{d.Dataset}_{name}.png")));
            }
        }
        if (report.Datasets.Count > 0)
        {
            using var chart = ClassIoUPlot.Render(report.Datasets, ColorOffset);
            written.Add(SavePng(chart, Path.Combine(directory, ClassIoUPlot.FileName)));
        }
        return written;
    }

    public static JsonObject ToJson(RunReport report)
    {
        var datasets = new JsonArray();
        foreach (var d in report.Datasets)
        {
            var classes = new JsonArray();
            foreach (var c in d.PerClass)
                classes.Add(new JsonObject
                {
                    ["index"] = c.Index, ["name"] = c.Name, ["iou"] = Num(c.IoU), ["acc"] = Num(c.Accuracy),
                    ["intersect"] = c.Intersect, ["union"] = c.Union, ["predicted"] = c.Predicted, ["ground_truth"] = c.GroundTruth,
                });
            datasets.Add(new JsonObject
            {
                ["dataset"] = d.Dataset,
                ["protocol"] = d.Protocol == BackgroundProtocol.WithBackground ? "with-background" : "without-background",
                ["background_threshold"] = d.BackgroundThreshold,
                ["background_threshold_source"] = d.ThresholdSource,
                ["mode"] = d.Inference.Mode.ToString().ToLowerInvariant(),
                ["short_side"] = d.Inference.ShortSide, ["long_side_cap"] = d.Inference.LongSideCap,
                ["crop"] = d.Inference.CropSize, ["stride"] = d.Inference.Stride,
                ["images_listed"] = d.ImagesListed, ["images_scored"] = d.Metrics.Images,
                ["failures"] = new JsonArray(d.Failures.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray()),
                ["incomplete"] = d.Incomplete,
                ["out_of_range_gt_pixels"] = d.Metrics.OutOfRangeGroundTruthPixels,
                ["mIoU"] = Num(d.MeanIoU), ["aAcc"] = Num(d.AllAccuracy), ["mAcc"] = Num(d.MeanAccuracy),
                ["seconds"] = Math.Round(d.Elapsed.TotalSeconds, 3),
                ["classes"] = classes,
            });
        }
        return new JsonObject
        {
            ["run"] = report.RunName,
            ["model"] = report.Model,
            ["created"] = report.Created.ToString("O", Inv),
            ["compute"] = report.Compute is { } compute
                ? new JsonObject { [SSeg.Models.ComputeInfo.DeviceKey] = compute.Device, [SSeg.Models.ComputeInfo.PrecisionKey] = compute.Precision, [SSeg.Models.ComputeInfo.ThreadsKey] = compute.Threads }
                : null,
            ["average_mIoU"] = report.AverageMeanIoU is double a ? Num(a) : null,
            ["datasets"] = datasets,
        };
    }

    public static string ToCsv(DatasetEvaluation d)
    {
        var sb = new StringBuilder("index,name,iou,acc,intersect,union,predicted,ground_truth\n");
        foreach (var c in d.PerClass)
            sb.Append(Inv, $"{c.Index},{CsvField(c.Name)},{Fmt(c.IoU, "R")},{Fmt(c.Accuracy, "R")},{c.Intersect},{c.Union},{c.Predicted},{c.GroundTruth}\n");
        return sb.ToString();
    }

    public static string ToMarkdown(RunReport report)
    {
        var sb = new StringBuilder();
        sb.Append(Inv, $"# Evaluation: {report.RunName}\n\nModel: `{report.Model}` · {report.Created:yyyy-MM-dd HH:mm} UTC");
        if (report.Compute is { } compute) sb.Append(Inv, $" · {compute}");
        sb.Append("\n\n");
        sb.Append("| dataset | protocol | τ | images | mIoU | aAcc | mAcc |\n|---|---|---|---|---|---|---|\n");
        foreach (var d in report.Datasets)
        {
            var tau = d.BackgroundThreshold is double t ? t.ToString("0.##", Inv) : "–";
            var images = d.Incomplete ? $"{d.Metrics.Images} of {d.ImagesListed} ⚠" : $"{d.Metrics.Images}";
            sb.Append(Inv, $"| {d.Dataset} | {ProtocolName(d)} | {tau} | {images} | {Pct(d.MeanIoU)} | {Pct(d.AllAccuracy)} | {Pct(d.MeanAccuracy)} |\n");
        }
        if (report.AverageMeanIoU is double avg)
            sb.Append(Inv, $"| **{report.Datasets.Count}-average** | | | | **{Pct(avg)}** | | |\n");
        foreach (var d in report.Datasets)
        {
            sb.Append(Inv, $"\n## {d.Dataset}: per-class IoU (%)\n\n");
            // Table 4 layout: classes as columns, one row per model, mIoU last.
            sb.Append("| model | ").Append(string.Join(" | ", d.ScoredClassNames)).Append(" | mIoU |\n");
            sb.Append("|---|").Append(string.Concat(Enumerable.Repeat("---|", d.ScoredClassNames.Count))).Append("---|\n");
            sb.Append(Inv, $"| {d.Scorer} | ").Append(string.Join(" | ", d.Metrics.PerClassIoU().Select(Pct))).Append(Inv, $" | {Pct(d.MeanIoU)} |\n");
            sb.Append(Inv, $"\nBars: [{ClassIoUPlot.FileName}]({ClassIoUPlot.FileName}) (class order as in the table; dashed red line = mIoU; grey n/a = class absent).\n");
            if (d.ThresholdSource is not null)
                sb.Append(Inv, $"\nBackground threshold τ {d.BackgroundThreshold:0.###}: {d.ThresholdSource}.\n");
            if (d.Failures.Count > 0)
            {
                sb.Append(Inv, $"\n**{d.Failures.Count} image(s) failed** (not in the mIoU):\n\n");
                foreach (var f in d.Failures.Take(20)) sb.Append("- ").Append(f).Append('\n');
                if (d.Failures.Count > 20) sb.Append(Inv, $"- … {d.Failures.Count - 20} more in report.json\n");
            }
            if (d.KeptPredictions.Count > 0)
            {
                sb.Append("\nOverlays (image · ground truth · prediction):\n\n");
                foreach (var k in d.KeptPredictions)
                {
                    var name = string.Concat(k.Sample.Id.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
                    sb.Append(Inv, $"![{k.Sample.Id}](overlays/{d.Dataset}_{name}.png)\n");
                }
            }
        }
        return sb.ToString();
    }

    /// <summary>Percent with one decimal, "–" for NaN.</summary>
    public static string Pct(double v) => double.IsNaN(v) ? "–" : (100 * v).ToString("0.0", Inv);

    private static string ProtocolName(DatasetEvaluation d) => d.Protocol == BackgroundProtocol.WithBackground ? "with bg" : "w/o bg";

    private static int ColorOffset(DatasetEvaluation d) => d.Protocol == BackgroundProtocol.WithoutBackground ? 1 : 0;

    private static JsonNode? Num(double v) => double.IsNaN(v) ? null : JsonValue.Create(v);

    private static string Fmt(double v, string format) => double.IsNaN(v) ? "" : v.ToString(format, Inv);

    private static string CsvField(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;

    private static string WriteText(string path, string text)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, text);
        File.Move(tmp, path, overwrite: true);
        return path;
    }

    private static string SavePng(Image<Rgb24> image, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = path + ".tmp";
        image.Save(tmp, new SixLabors.ImageSharp.Formats.Png.PngEncoder());
        File.Move(tmp, path, overwrite: true);
        return path;
    }
}
