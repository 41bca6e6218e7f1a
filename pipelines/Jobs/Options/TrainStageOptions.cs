using SSeg.Train.Training;
using static SSeg.Pipelines.Jobs.StageOption;

namespace SSeg.Pipelines.Jobs;

/// <summary>The train (S-Seg) stage's options, declared once for the CLI verb, pipeline files and the Run form.</summary>
public static class TrainStageOptions
{
    private static readonly TrainOptions Defaults = new() { StorageRoot = "", Dataset = "", MaskGenerator = "", Run = "" };

    public static readonly StageOption Dataset = NameOption("dataset", "Dataset with image shards and masks.", required: true);
    public static readonly StageOption Run = NameOption("run", "Run name: config, metrics and checkpoints under runs/<run>/.", required: true);
    public static readonly StageOption MaskGenerator = NameOption("maskGenerator", "Mask generator id (masks/<id>); empty: the dataset's only generator.")
        with { CliAliases = ["--masks"] };
    public static readonly StageOption Model = Choice("model", "Model preset: vit-s16 (paper) or tiny (tests, demo, CPU).", "vit-s16", "vit-s16", "tiny")
        with { CliAliases = ["--config"] };
    public static readonly StageOption ProjectThenAverage = Flag("projectThenAverage", "Image embedding = mean of projected queries (default: project the mean).");
    public static readonly StageOption Vocab = PathOption("vocab", OptionKind.ModelOrPath,
        "CLIP merges file (bpe_simple_vocab_16e6.txt.gz): a name under <root>/models/ or, from the CLI and pipeline files, a path; empty: the dataset's own BPE vocabulary (learnt first when missing, see `train vocab`).");
    public static readonly StageOption VocabSize = Int("vocabSize", "Size of the dataset's own vocabulary (512 byte symbols + merges + 2 specials).", Defaults.VocabSize, 515, 1_000_000);
    public static readonly StageOption BatchSize = Int("batchSize", "Images per forward pass.", Defaults.BatchSize, 1, 65_536) with { CliAliases = ["--batch"] };
    public static readonly StageOption Accumulation = Int("accumulation", "Micro-batches per optimizer step (effective batch = batchSize × accumulation).", Defaults.Accumulation, 1, 4096);
    public static readonly StageOption ContrastiveBatch = Int("contrastiveBatch",
        "Samples the image–text and multi-label losses span, by gradient caching (empty: batchSize × accumulation; a multiple of batchSize).", null, 1, int.MaxValue);
    public static readonly StageOption Devices = Text("devices", "Data-parallel replicas in this process, e.g. cpu,cpu or cuda:0,cuda:1 (instead of device; empty: one replica on device).");
    public static readonly StageOption Epochs = Int("epochs", "Epochs of the schedule.", Defaults.Epochs, 1, 100_000);
    public static readonly StageOption WarmupEpochs = Number("warmupEpochs", "Warmup epochs.", Defaults.WarmupEpochs, 0, 100_000);
    public static readonly StageOption MaxSteps = Int("maxSteps", "Stop after this many optimizer steps, schedule shortened to match (empty: the whole schedule).", null, 1);
    public static readonly StageOption LearningRate = Number("learningRate", "Base learning rate at the reference batch 4096 (scaled by effective batch / 4096 unless noLrScaling).", Defaults.LearningRate, 1e-9, 10)
        with { CliAliases = ["--lr", "--base-lr"] };
    public static readonly StageOption NoLrScaling = Flag("noLrScaling", "Use learningRate as is, without the batch/4096 scaling.");
    public static readonly StageOption WeightDecay = Number("weightDecay", "AdamW weight decay.", Defaults.WeightDecay, 0, 10);
    public static readonly StageOption ClipGrad = Number("clipGrad", "Gradient norm clip (0: none).", Defaults.ClipGrad, 0, 1e6);
    public static readonly StageOption CheckpointEvery = Int("checkpointEvery", "Optimizer steps between checkpoints.", Defaults.CheckpointEvery, 1, int.MaxValue)
        with { CliAliases = ["--checkpoint-every-steps"] };
    public static readonly StageOption DecodeWorkers = Int("decodeWorkers", "Image decode/augment workers (empty: one per core).", null, 1, 1024)
        with { CliAliases = ["--workers"] };
    public static readonly StageOption ShuffleBuffer = Int("shuffleBuffer", "Samples in the cross-shard shuffle buffer.", Defaults.ShuffleBuffer, 1, 10_000_000);
    public static readonly StageOption SkipBadShards = Flag("skipBadShards",
        "Train on the rest when image/mask shards fail the pre-flight check (listed in run.json) or become unreadable mid-run (listed in the checkpoints); off: refuse and name them.");

    public static IReadOnlyList<StageOption> All { get; } =
    [
        Dataset, Run, MaskGenerator, Model, ProjectThenAverage, Vocab, VocabSize, BatchSize, Accumulation, ContrastiveBatch, Epochs, WarmupEpochs, MaxSteps, LearningRate,
        NoLrScaling, WeightDecay, ClipGrad, CheckpointEvery, DecodeWorkers, ShuffleBuffer, CommonStageOptions.Seed, SkipBadShards,
        CommonStageOptions.Device, Devices, CommonStageOptions.Threads,
    ];
}
