using SSeg.Runs;
using SSeg.Train.Data;
using SSeg.Train.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SSeg.Train.Training;

/// <summary>
/// The S-Seg step function: one optimizer step over the accumulated micro-batches (gradients summed over them,
/// each micro-batch's loss divided by their count), gradient clipping, AdamW with the step's learning rate.
/// Dropout and drop-path draw from a torch seed made of (seed, step), so a resumed run repeats the same step.
/// </summary>
public sealed class SSegStep(SSegModel model, OptimizerHelper optimizer, SSegObjective objective, TrainOptions options, Device device)
{
    /// <summary>The metrics fields a step reports (beyond loss and lr).</summary>
    public static readonly string[] Fields = ["mask", "focal", "dice", "itc", "multilabel", "scale", "grad_norm", "masks_per_image"];

    private readonly List<Parameter> _parameters = model.parameters().Where(p => p.requires_grad).ToList();

    public StepOutput Run(IReadOnlyList<TrainBatch> batches, long step, double lr)
    {
        using var scope = NewDisposeScope();
        manual_seed(SeedMixer.Mix(options.Seed, -3, step));
        model.train();
        optimizer.zero_grad();
        double loss = 0, mask = 0, focal = 0, dice = 0, itc = 0, ml = 0, masks = 0, images = 0;
        foreach (var b in batches)
        {
            var terms = objective.Compute(model, b.Images.to(device), b.Tokens.to(device), b.Targets, device);
            (terms.Total / batches.Count).backward();
            loss += terms.Total.ToDouble() / batches.Count;
            mask += terms.Mask / batches.Count;
            focal += terms.Focal / batches.Count;
            dice += terms.Dice / batches.Count;
            itc += terms.Itc / batches.Count;
            ml += terms.MultiLabel / batches.Count;
            masks += b.TotalMasks;
            images += b.Count;
        }
        double gradNorm = options.ClipGrad > 0 ? nn.utils.clip_grad_norm_(_parameters, options.ClipGrad) : double.NaN;
        foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
        optimizer.step();
        return new SSegStepValues(loss, mask, focal, dice, itc, ml, model.Scale().ToDouble(), masks / Math.Max(1, images), gradNorm).ToOutput(lr);
    }
}

/// <summary>What one S-Seg optimizer step measured (plain or gradient-cached), before it becomes a metrics line.</summary>
public sealed record SSegStepValues(double Loss, double Mask, double Focal, double Dice, double Itc, double MultiLabel,
    double Scale, double MasksPerImage, double GradNorm = double.NaN)
{
    public StepOutput ToOutput(double lr) => new(Loss, lr, new Dictionary<string, double>
    {
        ["mask"] = Mask, ["focal"] = Focal, ["dice"] = Dice, ["itc"] = Itc, ["multilabel"] = MultiLabel,
        ["scale"] = Scale, ["grad_norm"] = GradNorm, ["masks_per_image"] = MasksPerImage,
    });
}
