using SSeg.Eval.Scoring;
using SSeg.Selftrain.Labeling;
using SSeg.Selftrain.Training;

namespace SSeg.Selftrain;

/// <summary>
/// The plain entry points of the selftrain stage, called the same way by the CLI, Hangfire jobs and tests.
/// Labelling fans out one job per shard (<see cref="PlanLabels"/> gives the count); training is one resumable job.
/// </summary>
public static class SelftrainStage
{
    public static LabelPlan PlanLabels(LabelOptions options, ScorerRegistry teachers) => LabelStage.Plan(options, teachers);

    public static Task<LabelShardResult> LabelShardAsync(LabelOptions options, int shard, ScorerRegistry teachers,
        IProgress<SelftrainProgress>? progress = null, CancellationToken ct = default) =>
        LabelStage.LabelShardAsync(options, shard, teachers, progress, ct);

    public static Task<SelftrainResult> TrainAsync(SelftrainTrainOptions options, IProgress<SelftrainProgress>? progress = null,
        CancellationToken ct = default) =>
        SelftrainTrainer.TrainAsync(options, progress, ct);
}
