using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SSeg.Eval.Datasets;
using SSeg.Eval.Protocol;
using SSeg.Eval.Scoring;
using SSeg.Eval.Stage;
using SSeg.Models;
using SSeg.Pipelines.Hosting;

namespace SSeg.Pipelines.Jobs;

/// <summary>Eval: one job per run (EvalStage.Run) writing reports/&lt;run&gt;/ under a local data root.</summary>
public sealed class EvalAdapter : IStageAdapter
{

    public string Name => "eval";
    public string Description => "Evaluate a checkpoint (mIoU on VOC / Pascal Context / COCO-Object ...) into reports/<run>/.";
    public string Queue => Queues.Gpu;

    public IReadOnlyList<StageOption> Options => EvalStageOptions.All;

    public IReadOnlyList<string> Validate(StageContext context)
    {
        var errors = new List<string>();
        try
        {
            if (context.StorageRoot.Contains("://", StringComparison.Ordinal)) errors.Add("eval writes reports under a local data root");
            if (context.Get(EvalStageOptions.Run.Name) is null) errors.Add("option 'run' is required");
            foreach (var spec in Specs(context))
                if (!Directory.Exists(spec.Root)) errors.Add($"{spec.Kind}: dataset folder not found: {spec.Root}");
            _ = BuildOptions(context);
        }
        catch (Exception e) when (e is StageOptionException or ArgumentException) { errors.Add(e.Message); }
        return errors;
    }

    public Task<StagePlan> PlanAsync(StageContext context, CancellationToken ct)
    {
        var checkpoint = Checkpoint(context);
        var parts = new List<string> { checkpoint };
        // The checkpoint's content decides the scores: hash the files of its folder (or the file itself).
        if (Directory.Exists(checkpoint)) parts.Add(InputFingerprint.Of([checkpoint]));
        else if (File.Exists(checkpoint)) parts.Add(InputFingerprint.Of([checkpoint]));
        else throw new FileNotFoundException($"checkpoint not found: {checkpoint}", checkpoint);
        parts.AddRange(Specs(context).Select(s => $"{s.Kind}:{s.Split}:{Path.GetFullPath(s.Root)}"));
        return Task.FromResult(new StagePlan(1, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", parts)))), Sharded: false));
    }

    public Task DiscardStaleOutputAsync(StageContext context, CancellationToken ct) => Task.CompletedTask; // a rerun replaces the report

    public Task RunShardAsync(StageContext context, int shard, IProgress<StageProgress> progress, CancellationToken ct)
    {
        var device = DeviceSelector.Select(context.Text(CommonStageOptions.Device));
        var registry = ScorerFactories.Create();
        var checkpoint = Checkpoint(context);
        var factory = registry.Resolve(checkpoint, context.Value(InferenceStageOptions.ModelKind));
        var settings = InferenceStageOptions.Settings(context);
        using var scorer = factory.Load(checkpoint, new ScorerLoadOptions(device, settings) { Precision = InferencePrecisions.Parse(context.Choice(CommonStageOptions.Precision)) });
        var request = new EvalRequest(OptionValue.Name(context, EvalStageOptions.Run.Name), Specs(context), BuildOptions(context), ReportDirectory(context),
            StoredThresholds.ForCheckpoint(factory, checkpoint), settings);
        var report = EvalStage.Run(scorer, request,
            new ActionProgress<EvalProgress>(p => progress.Report(new StageProgress(p.Done, p.Total, "images", p.Dataset))), ct);
        progress.Report(new StageProgress(1, 1, "runs", string.Join(", ", report.Datasets.Select(d => $"{d.Dataset}: mIoU {d.MeanIoU * 100:0.0}"))));
        return Task.CompletedTask;
    }

    public Task<int> CountCompletedAsync(StageContext context, StagePlan plan, CancellationToken ct) =>
        Task.FromResult(Directory.Exists(ReportDirectory(context)) && Directory.EnumerateFiles(ReportDirectory(context)).Any() ? 1 : 0);

    public async Task<string> SummarizeAsync(StageContext context, CancellationToken ct)
    {
        var directory = ReportDirectory(context);
        var scores = new List<string>();
        var file = Path.Combine(directory, "report.json");
        if (File.Exists(file))
        {
            try
            {
                using var report = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(file, ct));
                foreach (var dataset in report.RootElement.GetProperty("datasets").EnumerateArray())
                    scores.Add($"{dataset.GetProperty("dataset").GetString()} mIoU {dataset.GetProperty("mIoU").GetDouble() * 100:0.0}");
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException) { /* the path is enough */ }
        }
        return $"report {directory}" + (scores.Count > 0 ? $" ({string.Join(", ", scores)})" : "");
    }

    public static string ReportDirectory(StageContext context) =>
        Path.Combine(Path.GetFullPath(context.StorageRoot), "reports", OptionValue.Name(context, EvalStageOptions.Run.Name));

    internal static string Checkpoint(StageContext context) => OptionValue.Resolve(context, EvalStageOptions.Checkpoint.Name, OptionKind.RunOrPath);

    /// <summary>The datasets with their paths resolved and per-kind thresholds; `eval` builds them here too.</summary>
    public static IReadOnlyList<DatasetSpec> Specs(StageContext context)
    {
        var (_, perKind) = Thresholds(context);
        var specs = context.Lines(EvalStageOptions.Datasets).Select(line =>
        {
            var (kind, split, root) = EvalDatasets.ParseSpec(line);
            return new DatasetSpec(kind, OptionValue.Resolve(context, EvalStageOptions.Datasets.Name, root, OptionKind.FolderOrPath), split,
                perKind.TryGetValue(kind, out var tau) ? tau : null);
        }).ToList();
        if (specs.Count == 0) throw new StageOptionException("option 'datasets' needs at least one kind=DIR line");
        var unknown = perKind.Keys.Where(k => specs.All(s => !string.Equals(s.Kind, k, StringComparison.OrdinalIgnoreCase))).ToList();
        if (unknown.Count > 0) throw new StageOptionException($"option 'threshold' names dataset(s) not evaluated: {string.Join(", ", unknown)}");
        return specs;
    }

    /// <summary>threshold lines: a bare number for every dataset, kind=τ for one kind.</summary>
    private static (double? All, Dictionary<string, double> PerKind) Thresholds(StageContext context)
    {
        double? all = null;
        var perKind = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in context.Lines(EvalStageOptions.Threshold))
        {
            var eq = line.IndexOf('=');
            if (eq < 0) all = Tau(line);
            else perKind[line[..eq].Trim()] = Tau(line[(eq + 1)..]);
        }
        return (all, perKind);
    }

    public static double Tau(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 1
            ? value : throw new StageOptionException($"option 'threshold': '{text.Trim()}' must be a number from 0 to 1");

    /// <summary>The evaluation options from their declarations; `eval` builds them here too.</summary>
    public static EvalOptions BuildOptions(StageContext context) => new()
    {
        Inference = InferenceStageOptions.Build(context),
        Protocol = context.Flag(EvalStageOptions.WithoutBackground) ? BackgroundProtocol.WithoutBackground : BackgroundProtocol.WithBackground,
        BackgroundThreshold = Thresholds(context).All,
        MaxImages = context.OptionalInt(EvalStageOptions.MaxImages),
        KeepPredictions = context.Int(EvalStageOptions.Overlays),
    };
}
