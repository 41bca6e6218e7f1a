using SSeg.Eval.Protocol;
using static SSeg.Pipelines.Jobs.StageOption;

namespace SSeg.Pipelines.Jobs;

/// <summary>
/// The scorer and sliding-window options of every stage that runs a trained model over images (eval, eval calibrate,
/// selftrain-label): a τ is only valid for the scores it was fitted on, so they read the same declarations.
/// </summary>
public static class InferenceStageOptions
{
    private static readonly InferenceOptions Defaults = new();

    public static readonly StageOption ModelKind = Text("modelKind", "Scorer factory kind (see `eval scorers`; e.g. sseg, sseg-plus); empty: detected from the checkpoint.")
        with { CliAliases = ["--teacher-kind"] };
    public static readonly StageOption ScorerOption = Lines("scorerOption",
        "key=value for the scorer factory, one per line; S-Seg: templates=simple|full, background=default|none|word,word,…");
    public static readonly StageOption Mode = Choice("mode", "slide (sliding windows) or whole (one pass on the resized image).", "slide", "slide", "whole");
    public static readonly StageOption ShortSide = Int("shortSide", "Keep-ratio resize: target short side.", Defaults.ShortSide, 16, 8192);
    public static readonly StageOption LongSideCap = Int("longSideCap", "Keep-ratio resize: cap on the long side.", Defaults.LongSideCap, 16, 16384)
        with { CliAliases = ["--long-cap"] };
    public static readonly StageOption CropSize = Int("cropSize", "Sliding window size.", Defaults.CropSize, 16, 8192) with { CliAliases = ["--crop"] };
    public static readonly StageOption Stride = Int("stride", "Sliding window stride.", Defaults.Stride, 1, 8192);
    public static readonly StageOption WindowBatch = Int("windowBatch", "Windows per scorer call.", Defaults.WindowBatch, 1, 1024);

    public static IReadOnlyList<StageOption> Window { get; } = [Mode, ShortSide, LongSideCap, CropSize, Stride, WindowBatch];

    public static InferenceOptions Build(StageContext context)
    {
        var options = new InferenceOptions
        {
            Mode = context.Choice(Mode) == "whole" ? InferenceMode.Whole : InferenceMode.Slide,
            ShortSide = context.Int(ShortSide),
            LongSideCap = context.Int(LongSideCap),
            CropSize = context.Int(CropSize),
            Stride = context.Int(Stride),
            WindowBatch = context.Int(WindowBatch),
        };
        try { options.Validate(); }
        catch (ArgumentException e) { throw new StageOptionException(e.Message); }
        return options;
    }

    /// <summary>scorerOption lines as settings (keys case-insensitive).</summary>
    public static Dictionary<string, string> Settings(StageContext context)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in context.Lines(ScorerOption))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0) throw new StageOptionException($"option 'scorerOption': '{pair}' must be key=value");
            settings[pair[..eq]] = pair[(eq + 1)..];
        }
        return settings;
    }
}
