using System.Globalization;
using System.Text.Json;
using SSeg.Models;
using SSeg.Runs;
using SSeg.Train.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SSeg.Train.Training;

/// <summary>The S-Seg model with its AdamW (decay / no-decay groups) as the run layer trains and checkpoints it.</summary>
public sealed class SSegTrainingModel : ITrainingModel<MicroBatches>
{
    private readonly SSegModel _model;
    private readonly AdamW _optimizer;
    private readonly SSegStep _step;
    // Gradient caching and data-parallel replicas; null on the default path (one device, contrastive batch = micro-batch).
    private readonly DataParallelReplicas? _replicas;
    private readonly GradientCachedStep? _cachedStep;
    private readonly List<Parameter> _parameters;
    private readonly LrSchedule _schedule;
    private readonly string _configJson;
    private readonly string _run;

    public SSegTrainingModel(SSegModelConfig config, TrainOptions o, LrSchedule schedule, IReadOnlyList<Device> devices)
    {
        var device = devices[0];
        _model = new SSegModel(config);
        _model.to(device);
        var (decay, noDecay, _) = ParameterGroups.Split(_model);
        _optimizer = optim.AdamW(new[]
        {
            new AdamW.ParamGroup(decay, new AdamW.Options { weight_decay = o.WeightDecay }),
            new AdamW.ParamGroup(noDecay, new AdamW.Options { weight_decay = 0.0 }),
        }, lr: o.LearningRate, beta1: o.Beta1, beta2: o.Beta2, eps: o.Eps);
        var objective = new SSegObjective(o);
        _step = new SSegStep(_model, _optimizer, objective, o, device);
        _parameters = _model.parameters().Where(p => p.requires_grad).ToList();
        if (GradientCachedStep.IsNeeded(o, devices.Count))
        {
            _replicas = new DataParallelReplicas(_model, devices);
            _cachedStep = new GradientCachedStep(_replicas, objective);
        }
        _schedule = schedule;
        _configJson = JsonSerializer.Serialize(config);
        _run = o.Run;
    }

    public OptimizerHelper Optimizer => _optimizer;

    public void SaveWeights(string path, long step) =>
        CheckpointLoader.SaveSafetensors(_model, path, new Dictionary<string, string>
        {
            [SSegCheckpoint.KindKey] = SSegCheckpoint.Kind,
            [SSegCheckpoint.ConfigKey] = _configJson,
            ["sseg.step"] = step.ToString(CultureInfo.InvariantCulture),
            ["sseg.run"] = _run,
        });

    public void LoadWeights(string path)
    {
        CheckpointLoader.Load(_model, path);
        _replicas?.Broadcast();
    }

    public StepOutput Step(MicroBatches batch, long step) =>
        _cachedStep?.Step(_optimizer, batch.Batches, _parameters, _schedule.At(step), step) ?? _step.Run(batch.Batches, step, _schedule.At(step));

    public void Dispose()
    {
        _replicas?.Dispose();
        _optimizer.Dispose();
        _model.Dispose();
    }
}
