using SSeg.Eval.Protocol;

namespace SSeg.Eval.Stage;

/// <summary>One dataset of a run: its kind ("voc", "context", "coco-object", "lvis", "imagenet-s") and folder.</summary>
/// <param name="Split">null = the kind's validation split.</param>
/// <param name="BackgroundThreshold">null = the run's threshold, else the dataset's default.</param>
public sealed record DatasetSpec(string Kind, string Root, string? Split = null, double? BackgroundThreshold = null);

/// <summary>What an eval run does: datasets, protocol options, and where the report folder goes (a local folder).</summary>
public sealed record EvalRequest(string RunName, IReadOnlyList<DatasetSpec> Datasets, EvalOptions Options, string ReportDirectory);
