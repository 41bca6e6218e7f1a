using System.CommandLine;
using SSeg.Eval.Protocol;
using SSeg.Eval.Scoring;
using SSeg.Models;
using SSeg.Pipelines.Hosting;

namespace SSeg.Pipelines.Cli.Eval;

/// <summary>The model, scorer and inference options shared by `eval` and `eval calibrate`: a τ is only valid for the
/// scores it was fitted on, so both verbs must build scorers and windows the same way.</summary>
internal sealed class ScoringOptionSet
{
    public Option<string> Model { get; } = new("--model") { Description = "Checkpoint (resolved by the registered scorer factories; see `eval scorers`)." };
    public Option<string?> Kind { get; } = new("--model-kind") { Description = "Force a scorer factory kind instead of auto-detection." };
    public Option<string> Mode { get; } = new("--mode") { Description = "slide (default) or whole.", DefaultValueFactory = _ => "slide" };
    public Option<int> ShortSide { get; } = new("--short-side") { Description = "Keep-ratio resize: target short side.", DefaultValueFactory = _ => 448 };
    public Option<int> LongCap { get; } = new("--long-cap") { Description = "Keep-ratio resize: cap on the long side.", DefaultValueFactory = _ => 2048 };
    public Option<int> Crop { get; } = new("--crop") { Description = "Slide window size.", DefaultValueFactory = _ => 448 };
    public Option<int> Stride { get; } = new("--stride") { Description = "Slide window stride.", DefaultValueFactory = _ => 224 };
    public Option<int> WindowBatch { get; } = new("--window-batch") { Description = "Windows per scorer call.", DefaultValueFactory = _ => 8 };
    public Option<string?> Device { get; } = new("--device") { Description = "cpu, cuda or cuda:N (default: CUDA when available)." };
    public Option<string> Precision { get; } = new("--precision") { Description = "dtype of the model's forward pass: fp32, bf16, or fp16 (CUDA only); scores, softmax and metrics stay fp32.", DefaultValueFactory = _ => "fp32" };
    public Option<string[]> ScorerOptions { get; } = new("--scorer-option")
    {
        Description = "key=value passed to the scorer factory (repeatable); S-Seg: templates=simple|full, background=default|none|word,word,…",
        AllowMultipleArgumentsPerToken = true,
    };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Model, Kind, Mode, ShortSide, LongCap, Crop, Stride, WindowBatch, Device, Precision, ScorerOptions })
            command.Options.Add(o);
    }

    public string Checkpoint(ParseResult parse) =>
        parse.GetValue(Model) ?? throw new ArgumentException("--model is required (or use a subcommand, see --help)");

    public InferenceOptions Inference(ParseResult parse)
    {
        var options = new InferenceOptions
        {
            Mode = parse.GetValue(Mode)?.ToLowerInvariant() switch
            {
                "slide" => InferenceMode.Slide,
                "whole" => InferenceMode.Whole,
                var m => throw new ArgumentException($"--mode must be slide or whole, not '{m}'"),
            },
            WindowBatch = parse.GetValue(WindowBatch),
            ShortSide = parse.GetValue(ShortSide),
            LongSideCap = parse.GetValue(LongCap),
            CropSize = parse.GetValue(Crop),
            Stride = parse.GetValue(Stride),
        };
        options.Validate();
        return options;
    }

    public Dictionary<string, string> Settings(ParseResult parse) => ParseSettings(parse.GetValue(ScorerOptions) ?? []);

    /// <summary>`--scorer-option key=value` pairs (also selftrain label's) → settings, keys case-insensitive.</summary>
    public static Dictionary<string, string> ParseSettings(IEnumerable<string> pairs)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in pairs)
        {
            int eq = p.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"--scorer-option '{p}' must be key=value");
            settings[p[..eq]] = p[(eq + 1)..];
        }
        return settings;
    }

    public IScorerFactory Factory(ParseResult parse) => ScorerFactories.Create().Resolve(Checkpoint(parse), parse.GetValue(Kind));

    public TorchSharp.torch.Device DeviceOf(ParseResult parse) => DeviceSelector.Select(parse.GetValue(Device));

    public ScorerLoadOptions LoadOptions(ParseResult parse, TorchSharp.torch.Device device, IReadOnlyDictionary<string, string> settings) =>
        new(device, settings) { Precision = InferencePrecisions.Parse(parse.GetValue(Precision)) };
}
