using SSeg.Selftrain.Labeling;
using static SSeg.Pipelines.Jobs.StageOption;

namespace SSeg.Pipelines.Jobs;

/// <summary>The selftrain-label (S-Seg+ labelling) stage's options, declared once for the CLI verb, pipeline files and the Run form.</summary>
public static class SelftrainLabelStageOptions
{
    private static readonly LabelOptions Defaults = new() { StorageRoot = "", Dataset = "", TargetLayout = "", TargetRoot = "", TeacherCheckpoint = "" };

    public static readonly StageOption Dataset = NameOption("dataset", "Output dataset (images + label masks), e.g. voc-train-aug-selftrain.", required: true);
    public static readonly StageOption Checkpoint = PathOption("checkpoint", OptionKind.RunOrPath,
        "Teacher S-Seg: a run name (runs/<name>), or a checkpoint file or folder path (CLI and pipeline files; the dashboard only under Dashboard:AllowedModelFolders).",
        required: true) with { CliAliases = ["--teacher"] };
    public static readonly StageOption TargetLayout = Choice("targetLayout", "Layout of the target image set.", "voc", "voc", "context", "coco-object", "folder");
    public static readonly StageOption TargetRoot = PathOption("targetRoot", OptionKind.FolderOrPath,
        "Target dataset folder: a name (benchmarks/<name> under the data root) or, from the CLI and pipeline files, a path.", required: true);
    public static readonly StageOption Split = Text("split", "Split of the target (empty: voc train_aug, context train, coco-object train2017).");
    public static readonly StageOption Classes = PathOption("classes", OptionKind.ModelOrPath,
        "Class-name file, one per line, background first (required for the folder layout): a name under <root>/models/ or, from the CLI and pipeline files, a path.");
    public static readonly StageOption Threshold = Number("threshold", "Background threshold τ (empty: the teacher's calibrated τ, else VOC 0.95, Context 0.35, COCO 0.95).", null, 0, 1);
    public static readonly StageOption ShardSize = Int("shardSize", "Images per shard (one job each).", Defaults.ShardSize, 1, 10_000_000);

    public static IReadOnlyList<StageOption> All { get; } =
    [
        Dataset, Checkpoint, InferenceStageOptions.ModelKind, InferenceStageOptions.ScorerOption, TargetLayout, TargetRoot, Split, Classes, Threshold, ShardSize,
        .. InferenceStageOptions.Window, CommonStageOptions.Device, CommonStageOptions.Precision,
    ];
}
