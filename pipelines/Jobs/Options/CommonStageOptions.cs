using static SSeg.Pipelines.Jobs.StageOption;

namespace SSeg.Pipelines.Jobs;

/// <summary>Options that mean the same in every stage that has them (the device a job runs on, its precision, libtorch's threads).</summary>
public static class CommonStageOptions
{
    public static readonly StageOption Device = Text("device", "auto (CUDA when available), cpu, cuda or cuda:N.", "auto");
    public static readonly StageOption Threads = Int("threads", "CPU threads for libtorch (empty: libtorch's default).", null, 1, 1024);
    public static readonly StageOption Precision = Choice("precision",
        "dtype of the network's forward pass: fp32, bf16 or fp16 (CUDA only); k-means, softmax, scores and metrics stay fp32.", "fp32", "fp32", "bf16", "fp16");
    public static readonly StageOption Seed = Int("seed", "Random seed (data order, initialisation, k-means++).", 0, 0);
}
