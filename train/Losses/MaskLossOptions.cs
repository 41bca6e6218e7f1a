namespace SSeg.Train.Losses;

/// <summary>Mask loss settings (docs/method.md §5.1). Defaults: MaskFormer weights 20/1, α 0.25, γ 2, deep supervision on.</summary>
public sealed record MaskLossOptions
{
    public double FocalWeight { get; init; } = 20.0;
    public double DiceWeight { get; init; } = 1.0;
    /// <summary>Weights of the focal and dice terms in the matching cost (MaskFormer cost_mask / cost_dice).</summary>
    public double FocalCostWeight { get; init; } = 20.0;
    public double DiceCostWeight { get; init; } = 1.0;
    public double Alpha { get; init; } = 0.25;
    public double Gamma { get; init; } = 2.0;
    /// <summary>[A] Also supervise every intermediate decoder layer (each matched anew) and sum.</summary>
    public bool DeepSupervision { get; init; } = true;
}
