namespace SSeg.Train.Losses;

/// <summary>Mask loss settings (docs/method.md §5.1). Defaults: MaskFormer weights 20/1, α 0.25, γ 2, deep supervision on.</summary>
/// <param name="FocalCostWeight">Weight of the focal term in the matching cost (MaskFormer cost_mask).</param>
/// <param name="DiceCostWeight">Weight of the dice term in the matching cost (MaskFormer cost_dice).</param>
/// <param name="DeepSupervision">[A] Also supervise every intermediate decoder layer (each matched anew) and sum.</param>
public sealed record MaskLossOptions(
    double FocalWeight = 20.0,
    double DiceWeight = 1.0,
    double FocalCostWeight = 20.0,
    double DiceCostWeight = 1.0,
    double Alpha = 0.25,
    double Gamma = 2.0,
    bool DeepSupervision = true);
