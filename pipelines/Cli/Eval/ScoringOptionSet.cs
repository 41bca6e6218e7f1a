using System.CommandLine;
using SSeg.Eval.Protocol;
using SSeg.Eval.Scoring;
using SSeg.Models;
using SSeg.Pipelines.Hosting;
using SSeg.Pipelines.Jobs;

namespace SSeg.Pipelines.Cli.Eval;

/// <summary>The model, scorer and inference options shared by `eval` and `eval calibrate` (EvalStageOptions.Scoring): a τ is
/// only valid for the scores it was fitted on, so both verbs must build scorers and windows the same way.</summary>
internal sealed class ScoringOptionSet(IReadOnlyList<StageOption> declarations)
{
    private readonly DeclaredCliOptions _declared = new(declarations);

    public ScoringOptionSet() : this(EvalStageOptions.Scoring) { }

    /// <summary>Where a checkpoint given as a run name is looked up (runs/&lt;name&gt;) and, for `eval`, where reports go.</summary>
    public Option<string> Root { get; } = DataRootOption.Create("Data root (folder or az://container/prefix): runs/<name> for a checkpoint given by name, reports/<run> for reports");

    public void AddTo(Command command)
    {
        command.Options.Add(Root);
        _declared.AddTo(command);
    }

    /// <summary>The values as a context over the data root (CLI origin: paths as given).</summary>
    public StageContext Context(ParseResult parse) => _declared.Context(parse, parse.GetValue(Root)!, null);

    public string Checkpoint(ParseResult parse) => DeclaredCliOptions.Build(Context(parse), EvalAdapter.Checkpoint);

    public InferenceOptions Inference(ParseResult parse) => DeclaredCliOptions.Build(Context(parse), InferenceStageOptions.Build);

    public Dictionary<string, string> Settings(ParseResult parse) => DeclaredCliOptions.Build(Context(parse), InferenceStageOptions.Settings);

    public IScorerFactory Factory(ParseResult parse) =>
        ScorerFactories.Create().Resolve(Checkpoint(parse), Context(parse).Value(InferenceStageOptions.ModelKind));

    public TorchSharp.torch.Device DeviceOf(ParseResult parse) => DeviceSelector.Select(Context(parse).Text(CommonStageOptions.Device));

    /// <summary>How the scorer is loaded: device, settings and the declared precision of its forward pass.</summary>
    public ScorerLoadOptions LoadOptions(ParseResult parse, TorchSharp.torch.Device device, Dictionary<string, string> settings) =>
        new(device, settings) { Precision = InferencePrecisions.Parse(Context(parse).Choice(CommonStageOptions.Precision)) };
}
