using System.Globalization;
using SSeg.Models;
using SSeg.Runs;
using SSeg.Selftrain.Data;
using SSeg.Selftrain.Model;
using SSeg.Selftrain.Optim;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SSeg.Selftrain.Training;

/// <summary>
/// S-Seg+ as the run layer trains it: UperNet on a ViT with layer-decayed AdamW; one step = warmup+poly lr for
/// the iteration, CE + 0.4·auxiliary CE, backward, AdamW. Dropout and drop-path draw from a torch seed made of
/// (seed, iteration), so a resumed run repeats the same step.
/// </summary>
public sealed class SSegPlusTrainingModel : ITrainingModel<SegBatch>
{
    private readonly SSegPlusModel _model;
    private readonly LayerDecayOptimizer _optimizer;
    private readonly WarmupPolySchedule _schedule;
    private readonly IReadOnlyDictionary<string, string> _metadata;
    private readonly SelftrainTrainOptions _options;
    private readonly Device _device;

    public SSegPlusTrainingModel(SelftrainTrainOptions options, WarmupPolySchedule schedule, IReadOnlyDictionary<string, string> metadata, Device device)
    {
        _model = new SSegPlusModel(options.Model);
        if (options.Pretrained is not null) MaeCheckpoint.LoadInto(_model.backbone, options.Pretrained);
        _model.to(device);
        _optimizer = new LayerDecayOptimizer(_model.named_parameters(), new LayerDecayOptions
        {
            NumBlocks = options.Model.Depth, DecayRate = options.LayerDecayRate, BaseLearningRate = options.LearningRate,
            WeightDecay = options.WeightDecay,
        });
        (_schedule, _metadata, _options, _device) = (schedule, metadata, options, device);
    }

    public OptimizerHelper Optimizer => _optimizer.Optimizer;

    public void SaveWeights(string path, long step) =>
        SSegPlusCheckpoint.Save(_model, path, new Dictionary<string, string>(_metadata) { ["sseg.step"] = step.ToString(CultureInfo.InvariantCulture) });

    public void LoadWeights(string path) =>
        CheckpointLoader.Load(_model, path, strict: true, options: new CheckpointReadOptions(StripPrefixes: []));

    public StepOutput Step(SegBatch batch, long step)
    {
        using var scope = NewDisposeScope();
        manual_seed(SeedMixer.NonNegative(_options.Seed, step, 7));
        _optimizer.ApplySchedule(_schedule, step);
        _model.train();
        using var logits = _model.forward(batch.Images.to(_device));
        var (loss, main, aux) = _model.Loss(logits, batch.Labels.to(_device));
        var lossValue = loss.item<float>();
        if (!float.IsFinite(lossValue))
            throw new InvalidOperationException($"non-finite loss {lossValue} at iteration {step} (run {_options.Run})");
        _optimizer.Optimizer.zero_grad();
        loss.backward();
        _optimizer.Optimizer.step();
        return new StepOutput(lossValue, _optimizer.CurrentLearningRates.Max(), new Dictionary<string, double> { ["loss_main"] = main, ["loss_aux"] = aux });
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _model.Dispose();
    }
}
