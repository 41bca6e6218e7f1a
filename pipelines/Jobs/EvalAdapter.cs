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
    public string? Unavailable => null;

    public IReadOnlyList<StageOption> Options { get; } =
    [
        new("run", "Report name: reports/<run>/ under the data root.", Required: true, Kind: OptionKind.Name),
        new("checkpoint", "Run name (runs/<name> under the data root), or a checkpoint file or folder path (CLI and pipeline files; the dashboard only under Dashboard:AllowedModelFolders).", Required: true, Kind: OptionKind.RunOrPath),
        new("datasets", "One per line: kind=DIR (voc, context, coco-object, lvis, imagenet-s; kind:split=DIR for a split). DIR is a name (benchmarks/<name> under the data root) or, from the CLI and pipeline files, a path.", Required: true, Multiline: true),
        new("modelKind", "Scorer kind (sseg, sseg-plus); empty: detected from the checkpoint."),
        new("mode", "slide or whole.", "slide"),
        new("shortSide", "Test images are resized to this short side.", "448"),
        new("cropSize", "Sliding window size.", "448"),
        new("stride", "Sliding window stride.", "224"),
        new("maxImages", "Evaluate only the first N images of each dataset (empty: all)."),
        new("threshold", "Background threshold (empty: the checkpoint's calibrated τ, else each dataset's default)."),
        new("device", "auto, cpu or cuda[:N].", "auto"),
        new("precision", "dtype of the model's forward pass: fp32, bf16 or fp16 (CUDA only); scores and metrics stay fp32.", "fp32"),
    ];

    public IReadOnlyList<string> Validate(StageContext context)
    {
        var errors = new List<string>();
        try
        {
            if (context.StorageRoot.Contains("://", StringComparison.Ordinal)) errors.Add("eval writes reports under a local data root");
            foreach (var spec in Specs(context))
                if (!Directory.Exists(spec.Root)) errors.Add($"{spec.Kind}: dataset folder not found: {spec.Root}");
            _ = BuildOptions(context);
            _ = InferencePrecisions.Parse(context.Get("precision"));
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
        var device = DeviceSelector.Select(context.Get("device") ?? "auto");
        var registry = ScorerFactories.Create();
        var checkpoint = Checkpoint(context);
        var factory = registry.Resolve(checkpoint, context.Get("modelKind"));
        var settings = new Dictionary<string, string>();
        using var scorer = factory.Load(checkpoint, new ScorerLoadOptions(device, settings) { Precision = InferencePrecisions.Parse(context.Get("precision")) });
        var request = new EvalRequest(OptionValue.Name(context, "run"), Specs(context), BuildOptions(context), ReportDirectory(context),
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
        Path.Combine(Path.GetFullPath(context.StorageRoot), "reports", OptionValue.Name(context, "run"));

    internal static string Checkpoint(StageContext context) => OptionValue.Resolve(context, "checkpoint", OptionKind.RunOrPath);

    private static IReadOnlyList<DatasetSpec> Specs(StageContext context) =>
        context.GetList("datasets").Select(line =>
        {
            var (kind, split, root) = EvalDatasets.ParseSpec(line);
            return new DatasetSpec(kind, OptionValue.Resolve(context, "datasets", root, OptionKind.FolderOrPath), split);
        }).ToList();

    private static EvalOptions BuildOptions(StageContext context)
    {
        var inference = new InferenceOptions
        {
            Mode = (context.Get("mode") ?? "slide").ToLowerInvariant() switch
            {
                "slide" => InferenceMode.Slide,
                "whole" => InferenceMode.Whole,
                var m => throw new StageOptionException($"mode must be slide or whole, not '{m}'"),
            },
            ShortSide = context.GetInt("shortSide", 448),
            CropSize = context.GetInt("cropSize", 448),
            Stride = context.GetInt("stride", 224),
        };
        inference.Validate();
        return new EvalOptions
        {
            Inference = inference,
            MaxImages = context.Get("maxImages") is null ? null : context.GetInt("maxImages", 1),
            BackgroundThreshold = context.Get("threshold") is { } t ? double.Parse(t, CultureInfo.InvariantCulture) : null,
        };
    }
}
