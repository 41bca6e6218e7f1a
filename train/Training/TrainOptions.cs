using SSeg.Train.Losses;
using SSeg.Train.Model;

namespace SSeg.Train.Training;

/// <summary>Everything a training run needs. Defaults = docs/method.md §6 / the paper's Table 1 (lr 5e-4 at batch 4096,
/// wd 0.05, 30 epochs, 2 warmup epochs, 224 crops); the effective batch is <see cref="BatchSize"/> × <see cref="Accumulation"/>.</summary>
public sealed record TrainOptions
{
    public required string Root { get; init; }
    public required string Dataset { get; init; }
    public required string MaskGenerator { get; init; }
    public required string Run { get; init; }
    public string? AzureConnectionString { get; init; }

    public SSegModelConfig Model { get; init; } = SSegModelConfig.VitS16;
    /// <summary>A CLIP-format merges file on local disk (e.g. bpe_simple_vocab_16e6.txt.gz). Null: the dataset's own
    /// vocabulary from <c>train vocab</c> (storage key <c>datasets/NAME/vocab/bpe-SIZE.txt.gz</c>).</summary>
    public string? VocabPath { get; init; }
    public int VocabSize { get; init; } = 49408;

    public int BatchSize { get; init; } = 64;
    public int Accumulation { get; init; } = 1;
    /// <summary>Samples the image–text and multi-label losses are computed over (gradient caching, GradCache /
    /// OpenCLIP <c>--accum-freq</c>). Null: the whole optimizer step, <see cref="BatchSize"/> × <see cref="Accumulation"/>.
    /// A multiple of the batch size that divides batch × accumulation; equal to the batch size on one device, the
    /// plain accumulation path runs (contrastive negatives from the micro-batch only).</summary>
    public int? ContrastiveBatch { get; init; }
    public int Epochs { get; init; } = 30;
    public double WarmupEpochs { get; init; } = 2;
    /// <summary>Stop after this many optimizer steps (the schedule still spans <see cref="Epochs"/> unless <see cref="ScheduleToMaxSteps"/>).</summary>
    public long? MaxSteps { get; init; }
    public bool ScheduleToMaxSteps { get; init; } = true;

    public double BaseLr { get; init; } = 5e-4;
    public double WarmupLr { get; init; } = 4e-6;
    public double MinLr { get; init; } = 4e-5;
    public int ReferenceBatch { get; init; } = 4096;
    public bool ScaleLrWithBatch { get; init; } = true;
    public double WeightDecay { get; init; } = 0.05;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Eps { get; init; } = 1e-8;
    public double ClipGrad { get; init; } = 5.0;

    public double MaskWeight { get; init; } = 1.0;
    public double ContrastiveWeight { get; init; } = 1.0;
    public double MultiLabelWeight { get; init; } = 1.0;
    public MaskLossOptions MaskLoss { get; init; } = new();

    public int ShuffleBuffer { get; init; } = 10_000;
    public int DecodeWorkers { get; init; } = Math.Max(1, Environment.ProcessorCount);
    public int PromptWords { get; init; } = 3;
    public double MinMaskArea { get; init; } = 0.0;
    public int Seed { get; init; } = 0;
    /// <summary>Train on the readable shards when some image or mask shards fail the pre-flight check (listed in
    /// config.json); false refuses to start and names them.</summary>
    public bool SkipBadShards { get; init; }

    public string Device { get; init; } = "auto";
    /// <summary>Comma-separated devices for data-parallel replicas in this process (<c>cpu,cpu</c>, <c>cuda:0,cuda:1</c>);
    /// null: one replica on <see cref="Device"/>. See <see cref="DataParallelReplicas"/>.</summary>
    public string? Devices { get; init; }
    public int? Threads { get; init; }

    public int CheckpointEverySteps { get; init; } = 1000;
    public int KeepCheckpoints { get; init; } = 3;
    public int LogEverySteps { get; init; } = 10;
    public bool Resume { get; init; } = true;
}
