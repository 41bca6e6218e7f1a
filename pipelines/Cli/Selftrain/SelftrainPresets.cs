using SSeg.Selftrain.Data;
using SSeg.Selftrain.Model;
using SSeg.Selftrain.Training;

namespace SSeg.Pipelines.Cli.Selftrain;

/// <summary>Turns the CLI / pipeline option strings into <see cref="SelftrainTrainOptions"/> (schedules and model presets).</summary>
public static class SelftrainPresets
{
    public static SelftrainTrainOptions TrainOptions(string root, string? azureConnectionString, string dataset, string run, string? labels,
        string? pretrained, string schedule, string model, int? iterations, int batch, double lr, int checkpointEvery, int logEvery, int seed,
        string device, int? threads, int? stopAt)
    {
        var (defaultIterations, augment) = schedule.ToLowerInvariant() switch
        {
            "voc" => (20000, new AugmentOptions()),
            "context" => (40000, AugmentOptions.PascalContext),
            "coco" or "coco-object" => (80000, new AugmentOptions()),
            var s => throw new ArgumentException($"schedule must be voc, context or coco, not '{s}'"),
        };
        var config = model.ToLowerInvariant() switch
        {
            "vit-b16" => new SSegPlusConfig { CropSize = augment.CropSize },
            "vit-tiny16" => new SSegPlusConfig { BackboneName = "vit_tiny", EmbedDim = 192, Heads = 3, HeadChannels = 192, AuxChannels = 64, CropSize = augment.CropSize },
            var m => throw new ArgumentException($"model must be vit-b16 or vit-tiny16, not '{m}'"),
        };
        return new SelftrainTrainOptions
        {
            StorageRoot = root, AzureConnectionString = azureConnectionString, Dataset = dataset, GeneratorId = labels, Run = run,
            Model = config, Pretrained = pretrained, Augment = augment, Iterations = iterations ?? defaultIterations, StopAtIteration = stopAt,
            BatchSize = batch, LearningRate = lr, CheckpointEvery = checkpointEvery, LogEvery = logEvery, Seed = seed, Device = device, Threads = threads,
        };
    }
}
