using SSeg.Eval.Scoring;
using SSeg.Models;
using SSeg.Train.Model;
using SSeg.Train.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Train.Scoring;

/// <summary>
/// S-Seg window scoring (docs/method.md §7.4): class embeddings t_c = normalize(mean over templates of the projected
/// text embedding), for the dataset's classes followed by the background concepts (<see cref="BackgroundPrompts"/>);
/// per query f_q = normalize(image_projector(features_q)) with the features the model's config names
/// (<see cref="SSegModel.EmbeddingFeatures"/>); P[q,c] = softmax_c(s·f_q·t_c) over classes and concepts; masks
/// σ(mask_q) bilinearly upsampled to the window; the two combined into per-class scores in [0, 1] as
/// <see cref="Combination"/> says (default <see cref="ScoreCombinations.Default"/>), of which only the classes'
/// channels are returned. Background is left to eval's (calibrated) threshold rule. Windows whose sides are not multiples of 32 are resized to the next multiple for the forward
/// pass and the masks resized back.
/// </summary>
public sealed class SSegScorer : ISegmentationScorer
{
    private readonly SSegModel _model;
    private readonly BpeTokenizer _tokenizer;
    private readonly IReadOnlyList<string> _templates;
    private Tensor? _classEmbeddings;
    private int _foregroundClasses;

    public SSegScorer(SSegModel model, BpeTokenizer tokenizer, Device device, IReadOnlyList<string>? templates = null, string? name = null,
        ScoreCombination combination = ScoreCombinations.Default, IReadOnlyList<string>? backgroundPrompts = null,
        InferencePrecision precision = InferencePrecision.Fp32)
    {
        InferencePrecisions.EnsureSupported(precision, device);
        Precision = precision;
        Combination = combination;
        BackgroundPrompts = backgroundPrompts ?? Scoring.BackgroundPrompts.Default;
        _model = model;
        _tokenizer = tokenizer;
        _templates = templates ?? PromptTemplates.Simple;
        Device = device;
        Name = name ?? $"S-Seg {model.Config.Name}";
        InferencePrecisions.PrepareForInference(_model, device, precision);
    }

    public string Name { get; }
    public Device Device { get; }
    public InferencePrecision Precision { get; }
    public bool BackgroundIsLearned => false;
    public ScoreCombination Combination { get; }
    /// <summary>Background concepts scored beside the classes (<see cref="Scoring.BackgroundPrompts"/>); empty: none.</summary>
    public IReadOnlyList<string> BackgroundPrompts { get; }
    /// <summary>The background concepts of the current <see cref="Prepare"/> (class names removed).</summary>
    public IReadOnlyList<string> PreparedBackground { get; private set; } = [];
    public SSegModel Model => _model;

    public void Prepare(IReadOnlyList<string> foregroundClassNames)
    {
        if (foregroundClassNames.Count == 0) throw new ArgumentException("no class names to score");
        using var noGrad = no_grad();
        _classEmbeddings?.Dispose();
        PreparedBackground = Scoring.BackgroundPrompts.Without(BackgroundPrompts, foregroundClassNames);
        _foregroundClasses = foregroundClassNames.Count;
        _classEmbeddings = ClassEmbeddings([.. foregroundClassNames, .. PreparedBackground]).MoveToOuterDisposeScope();
    }

    /// <summary>[C, E] normalised class embeddings (template-averaged before normalisation, as GroupViT).</summary>
    public Tensor ClassEmbeddings(IReadOnlyList<string> names)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        int ctx = _model.Config.ContextLength;
        var ids = new long[names.Count * _templates.Count * ctx];
        int row = 0;
        foreach (var name in names)
            foreach (var t in _templates)
                Array.Copy(_tokenizer.EncodeForModel(PromptTemplates.Fill(t, name)), 0, ids, ctx * row++, ctx);
        var tokens = tensor(ids, new long[] { names.Count * _templates.Count, ctx }, device: Device);
        var e = _model.EncodeText(tokens).to(float32).reshape(names.Count, _templates.Count, -1).mean([1]);
        return nn.functional.normalize(e, dim: -1).MoveToOuterDisposeScope();
    }

    public Tensor ScoreWindows(Tensor windows)
    {
        if (_classEmbeddings is null) throw new InvalidOperationException("Prepare must be called before ScoreWindows");
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        long h = windows.shape[2], w = windows.shape[3];
        long hp = (h + 31) / 32 * 32, wp = (w + 31) / 32 * 32;
        var input = windows.to(Device);
        if (hp != h || wp != w)
            input = nn.functional.interpolate(input, new[] { hp, wp }, mode: InterpolationMode.Bilinear, align_corners: false);
        if (Precision != InferencePrecision.Fp32) input = input.to(InferencePrecisions.DType(Precision));
        using var output = _model.EncodeImages(input);
        // Only the network runs in the reduced dtype; normalisation, the softmax and the mask upsampling get float32.
        var f = nn.functional.normalize(_model.QueryEmbeddings(_model.EmbeddingFeatures(output)).to(float32), dim: -1);   // [B,Q,E]
        var cosine = f.matmul(_classEmbeddings.t());                                                    // [B,Q,C]
        var masks = nn.functional.interpolate(output.FinalMasks.to(float32), new[] { h, w }, mode: InterpolationMode.Bilinear, align_corners: false).sigmoid();
        var scores = ScoreCombinations.Combine(cosine, _model.Scale().ToDouble(), masks, Combination);
        return scores.narrow(1, 0, _foregroundClasses).to(float32).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        _classEmbeddings?.Dispose();
        _model.Dispose();
    }
}
