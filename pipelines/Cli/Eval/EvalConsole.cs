using Spectre.Console;
using SSeg.Eval.Protocol;
using SSeg.Eval.Reports;

namespace SSeg.Pipelines.Cli.Eval;

/// <summary>Console output of an eval run: the summary table and the per-class table of each dataset.</summary>
internal static class EvalConsole
{
    public static void WriteSummary(RunReport report, string reportLocation)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(report.RunName)}[/] · {Markup.Escape(report.Model)}");
        foreach (var h in new[] { "dataset", "protocol", "τ", "images", "mIoU", "aAcc", "mAcc", "time" }) table.AddColumn(h);
        foreach (var d in report.Datasets)
        {
            var images = d.Incomplete ? $"[yellow]{d.Metrics.Images}/{d.ImagesListed}[/]" : d.Metrics.Images.ToString();
            table.AddRow(Markup.Escape(d.Dataset), d.Protocol == BackgroundProtocol.WithBackground ? "with bg" : "w/o bg",
                d.BackgroundThreshold?.ToString("0.##") ?? "–", images, $"[bold]{ReportWriter.Pct(d.MeanIoU)}[/]",
                ReportWriter.Pct(d.AllAccuracy), ReportWriter.Pct(d.MeanAccuracy), $"{d.Elapsed.TotalSeconds:F1}s");
        }
        if (report.AverageMeanIoU is double avg)
            table.AddRow($"[bold]{report.Datasets.Count}-average[/]", "", "", "", $"[bold]{ReportWriter.Pct(avg)}[/]", "", "", "");
        AnsiConsole.Write(table);

        foreach (var d in report.Datasets)
        {
            var perClass = new Table().Border(TableBorder.Simple).Title($"{Markup.Escape(d.Dataset)} per-class IoU (%)");
            perClass.AddColumn("class").AddColumn(new TableColumn("IoU").RightAligned()).AddColumn(new TableColumn("acc").RightAligned())
                .AddColumn(new TableColumn("GT pixels").RightAligned());
            foreach (var c in d.PerClass)
                perClass.AddRow(Markup.Escape(c.Name), ReportWriter.Pct(c.IoU), ReportWriter.Pct(c.Accuracy), c.GroundTruth.ToString("N0"));
            AnsiConsole.Write(perClass);
            foreach (var f in d.Failures.Take(10)) AnsiConsole.MarkupLine($"[yellow]failed:[/] {Markup.Escape(f)}");
            if (d.Failures.Count > 10) AnsiConsole.MarkupLine($"[yellow]… {d.Failures.Count - 10} more failures in report.json[/]");
        }
        AnsiConsole.MarkupLine($"Report: [link]{Markup.Escape(reportLocation)}[/]");
    }
}
