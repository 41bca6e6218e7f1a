using SSeg.Selftrain.Training;
using static SSeg.Pipelines.Jobs.StageOption;

namespace SSeg.Pipelines.Jobs;

/// <summary>The selftrain (S-Seg+ training) stage's options, declared once for the CLI verb, pipeline files and the Run form.</summary>
public static class SelftrainStageOptions
{
    private static readonly SelftrainTrainOptions Defaults = new() { StorageRoot = "", Dataset = "", Run = "" };

    public static readonly StageOption Dataset = NameOption("dataset", "Dataset written by selftrain-label (`selftrain label`).", required: true);
    public static readonly StageOption Run = NameOption("run", "Run name: checkpoints, config.json, metrics.jsonl, loss.svg and model.safetensors under runs/<run>/.", required: true);
    public static readonly StageOption GeneratorId = NameOption("generatorId", "Label generator id (empty: the dataset's only sseg-labels-* generator).")
        with { CliAliases = ["--labels"] };
    public static readonly StageOption Pretrained = PathOption("pretrained", OptionKind.ModelOrPath,
        "MAE checkpoint for the backbone (e.g. mae_pretrain_vit_base.pth): a file name under <root>/models/ or, from the CLI and pipeline files, a path; empty: random init (smoke tests only).");
    public static readonly StageOption Schedule = Choice("schedule", "voc (20k iterations, 512 crops), context (40k, 480 crops, scale 520) or coco (80k, 512).", "voc",
        "voc", "context", "coco");
    public static readonly StageOption Model = Choice("model", "vit-b16 (paper) or vit-tiny16 (smoke tests).", "vit-b16", "vit-b16", "vit-tiny16");
    public static readonly StageOption Iterations = Int("iterations", "Schedule length (empty: the schedule's).", null, 1, int.MaxValue);
    public static readonly StageOption StopAt = Int("stopAt", "Stop (with a checkpoint) after this iteration; the lr schedule keeps its length (empty: run it all).", null, 1, int.MaxValue);
    public static readonly StageOption BatchSize = Int("batchSize", "Images per iteration.", Defaults.BatchSize, 1, 4096) with { CliAliases = ["--batch"] };
    public static readonly StageOption CropSize = Int("cropSize", "Training crop of the model and the augmentation (empty: the schedule's).", null, 16, 4096);
    public static readonly StageOption LearningRate = Number("learningRate", "AdamW base learning rate.", Defaults.LearningRate, 1e-9, 10)
        with { CliAliases = ["--lr"] };
    public static readonly StageOption WarmupIterations = Int("warmupIterations", "Linear warmup iterations.", Defaults.WarmupIterations, 0, int.MaxValue);
    public static readonly StageOption CheckpointEvery = Int("checkpointEvery", "Iterations between checkpoints.", Defaults.CheckpointEvery, 1, int.MaxValue);
    public static readonly StageOption LogEvery = Int("logEvery", "Iterations between metrics lines.", Defaults.LogEvery, 1, int.MaxValue);

    public static IReadOnlyList<StageOption> All { get; } =
    [
        Dataset, Run, GeneratorId, Pretrained, Schedule, Model, Iterations, StopAt, BatchSize, CropSize, LearningRate, WarmupIterations,
        CheckpointEvery, LogEvery, CommonStageOptions.Seed, CommonStageOptions.Device, CommonStageOptions.Threads,
    ];
}
