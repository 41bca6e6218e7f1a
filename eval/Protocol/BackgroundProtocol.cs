namespace SSeg.Eval.Protocol;

/// <summary>How background is scored.</summary>
public enum BackgroundProtocol
{
    /// <summary>Background is class 0 and scored (mIoU over all classes incl. background). Open-vocabulary scorers get
    /// the threshold rule; scorers with a learned background use their channel 0.</summary>
    WithBackground,

    /// <summary>Only foreground classes are predicted and scored; ground-truth background pixels are ignored.</summary>
    WithoutBackground,
}
