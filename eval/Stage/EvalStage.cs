using SSeg.Eval.Datasets;
using SSeg.Eval.Protocol;
using SSeg.Eval.Reports;
using SSeg.Eval.Scoring;
using SSeg.Models;

namespace SSeg.Eval.Stage;

/// <summary>
/// The eval stage's one entry point (CLI, Hangfire job and tests call it the same way): opens every dataset first
/// (a missing folder fails before any model time is spent), evaluates the scorer on each, and writes the report
/// folder. Rerunning a run name replaces its report.
/// </summary>
public static class EvalStage
{
    public static RunReport Run(ISegmentationScorer scorer, EvalRequest request, IProgress<EvalProgress>? progress = null,
        CancellationToken ct = default)
    {
        var opened = request.Datasets.Zip(OpenDatasets(request)).ToList();
        var results = new List<DatasetEvaluation>();
        foreach (var (spec, dataset) in opened)
        {
            ct.ThrowIfCancellationRequested();
            var (threshold, source) = request.ThresholdFor(spec);
            var options = request.Options with { BackgroundThreshold = threshold, BackgroundThresholdSource = source };
            results.Add(SegmentationEvaluator.Evaluate(scorer, dataset, options, progress, ct));
        }
        var report = new RunReport(request.RunName, scorer.Name, DateTimeOffset.UtcNow, results, ComputeInfo.Of(scorer.Device, scorer.Precision));
        ReportWriter.Write(request.ReportDirectory, report);
        return report;
    }

    /// <summary>
    /// Checks a request without a model: options valid, every dataset folder complete, no dataset twice. Call it
    /// before loading a checkpoint so that a typo costs no model loading time.
    /// </summary>
    public static IReadOnlyList<ISegmentationDataset> OpenDatasets(EvalRequest request)
    {
        if (request.Datasets.Count == 0) throw new ArgumentException("no dataset to evaluate");
        request.Options.Inference.Validate();
        var opened = request.Datasets.Select(d => EvalDatasets.Open(d.Kind, d.Root, d.Split)).ToList();
        var duplicate = opened.GroupBy(o => o.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"dataset '{duplicate.Key}' is given twice");
        return opened;
    }
}
