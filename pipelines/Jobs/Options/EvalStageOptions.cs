using SSeg.Eval.Protocol;
using static SSeg.Pipelines.Jobs.StageOption;

namespace SSeg.Pipelines.Jobs;

/// <summary>The eval stage's options, declared once for the CLI verb, pipeline files and the Run form.</summary>
public static class EvalStageOptions
{
    public static readonly StageOption Run = NameOption("run",
        "Report name: reports/<run>/ under the data root (required in pipeline files and the Run form; the CLI defaults to the checkpoint's name + UTC time).");
    public static readonly StageOption Checkpoint = PathOption("checkpoint", OptionKind.RunOrPath,
        "A run name (runs/<name> under the data root), or a checkpoint file or folder path (CLI and pipeline files; the dashboard only under Dashboard:AllowedModelFolders).",
        required: true) with { CliAliases = ["--model"] };
    public static readonly StageOption Datasets = Lines("datasets",
        "One per line: kind=DIR (voc, context, coco-object, lvis, imagenet-s; kind:split=DIR for a split). DIR is a name (benchmarks/<name> under the data root) or, from the CLI and pipeline files, a path.",
        required: true) with { CliAliases = ["--dataset"] };
    public static readonly StageOption Threshold = Lines("threshold",
        "Background threshold τ in [0, 1]: one number for every dataset, or kind=τ per line. Empty: the checkpoint's calibrated τ (`eval calibrate`), else voc 0.95, context 0.35, coco-object 0.95.");
    public static readonly StageOption WithoutBackground = Flag("withoutBackground", "Score foreground classes only and ignore GT background (the VOC w/o bg protocol).");
    public static readonly StageOption MaxImages = Int("maxImages", "Evaluate only the first N images of each dataset (empty: all).", null, 1, int.MaxValue);
    public static readonly StageOption Overlays = Int("overlays", "Prediction overlays to save per dataset.", 6, 0, 1000);

    /// <summary>How a checkpoint is loaded and run (also the options of `eval calibrate`, whose τ must match them).</summary>
    public static IReadOnlyList<StageOption> Scoring { get; } =
        [Checkpoint, InferenceStageOptions.ModelKind, InferenceStageOptions.ScorerOption, .. InferenceStageOptions.Window, CommonStageOptions.Device, CommonStageOptions.Precision];

    public static IReadOnlyList<StageOption> All { get; } = [Run, Datasets, Threshold, WithoutBackground, MaxImages, Overlays, .. Scoring];
}
