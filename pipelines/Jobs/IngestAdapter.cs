using SSeg.Ingest.Download;
using SSeg.Ingest.Images;
using SSeg.Ingest.Manifests;
using SSeg.Ingest.Stage;
using SSeg.Shards;
using SSeg.Pipelines.Hosting;

namespace SSeg.Pipelines.Jobs;

/// <summary>Ingest: one job per shard of the combined manifests (IngestStage.RunShardAsync).</summary>
public sealed class IngestAdapter : IStageAdapter
{
    public string Name => "ingest";
    public string Description => "Download image-text pairs from CC3M/CC12M/RedCaps manifests into image shards.";
    public string Queue => Queues.Cpu;
    public string? Unavailable => null;

    public IReadOnlyList<StageOption> Options { get; } =
    [
        new("dataset", "Dataset name to write (datasets/<name>/ under the data root).", Required: true, Kind: OptionKind.Name),
        new("sources", "One manifest per line: cc3m=PATH (caption TAB url), cc12m=PATH (url TAB caption) or redcaps=PATH (annotations folder or zip).", Required: true, Multiline: true),
        new("shardSize", "Input rows per shard (one job each).", "10000"),
        new("downloadConcurrency", "Downloads in flight per job.", "32"),
        new("imageSize", "Shorter side after resize (only if bigger).", "512"),
        new("timeoutSeconds", "Deadline per download attempt.", "15"),
        new("allowPrivateAddresses", "Allow loopback/private URLs (local sample servers); off keeps the SSRF guard.", "false"),
        new("retryFailed", "For committed shards, retry their failed URLs.", "false"),
    ];

    public IReadOnlyList<string> Validate(StageContext context)
    {
        var errors = new List<string>();
        void Check(Action check)
        {
            try { check(); }
            catch (Exception e) when (e is StageOptionException or FormatException or ArgumentException) { errors.Add(e.Message); }
        }
        Check(() => OptionValue.OptionalName(context, "dataset"));
        foreach (var line in context.GetList("sources"))
            Check(() =>
            {
                var source = SourceSpec.Parse(line);
                if (!File.Exists(source.Path) && !Directory.Exists(source.Path)) errors.Add($"manifest not found: {source.Path}");
            });
        Check(() => { if (context.GetInt("shardSize", 10_000) < 1) errors.Add("shardSize must be at least 1"); });
        Check(() => context.GetInt("downloadConcurrency", 32));
        Check(() => context.GetInt("imageSize", 512));
        Check(() => context.GetInt("timeoutSeconds", 15));
        Check(() => context.GetBool("allowPrivateAddresses", false));
        Check(() => context.GetBool("retryFailed", false));
        return errors;
    }

    public Task<StagePlan> PlanAsync(StageContext context, CancellationToken ct)
    {
        var options = Build(context);
        var shards = IngestStage.CountShards(options);
        if (shards == 0) throw new InvalidDataException($"the manifests hold no rows: {options.SourceDescription}");
        return Task.FromResult(new StagePlan(shards, InputFingerprint.Of(options.Sources.Select(s => s.Path))));
    }

    public async Task DiscardStaleOutputAsync(StageContext context, CancellationToken ct) =>
        await DatasetFolders.DeleteAsync(context.StorageRoot, context.AzureConnectionString, OptionValue.Name(context, "dataset"), ct);

    public async Task RunShardAsync(StageContext context, int shard, IProgress<StageProgress> progress, CancellationToken ct)
    {
        var bridge = new ActionProgress<IngestProgress>(p =>
            progress.Report(new StageProgress(p.Done, p.InputRows, "rows", $"{p.Succeeded} ok, {p.Failed} failed")));
        var outcome = await IngestStage.RunShardAsync(Build(context), shard, bridge, ct);
        // Another writer replaced the shard during --retry-failed: fail the job so Hangfire's retry re-runs it on
        // the new entry, instead of reporting a retry that published nothing as done.
        if (outcome.Conflict) throw new InvalidOperationException(outcome.Note);
        progress.Report(new StageProgress(outcome.Rows + outcome.Failures, outcome.Rows + outcome.Failures, "rows",
            outcome.Skipped ? $"skipped: {outcome.Note}" : $"{outcome.Rows} ok, {outcome.Failures} failed"));
    }

    public async Task<int> CountCompletedAsync(StageContext context, StagePlan plan, CancellationToken ct)
    {
        var manifest = await DatasetStore.Open(context.StorageRoot, context.AzureConnectionString)
            .Dataset(OptionValue.Name(context, "dataset")).ReadManifestAsync(ct);
        return manifest?.ImageShards.Count(s => s.Index < plan.Shards) ?? 0;
    }

    public async Task<string> SummarizeAsync(StageContext context, CancellationToken ct)
    {
        var summary = await new DatasetInspector(DatasetStore.Open(context.StorageRoot, context.AzureConnectionString))
            .SummarizeAsync(OptionValue.Name(context, "dataset"), ct);
        var reasons = summary.FailuresByReason.Count == 0 ? "" :
            " (" + string.Join(", ", summary.FailuresByReason.OrderByDescending(r => r.Value).Select(r => $"{r.Key} {r.Value}")) + ")";
        return $"dataset {summary.Name}: {summary.Rows} rows in {summary.ImageShards} shard(s), {summary.Failures} failed{reasons}";
    }

    public static IngestOptions Build(StageContext context) => new()
    {
        Dataset = OptionValue.Name(context, "dataset"),
        Sources = context.GetList("sources").Select(SourceSpec.Parse).ToList() is { Count: > 0 } sources
            ? sources : throw new StageOptionException("option 'sources' needs at least one cc3m=PATH, cc12m=PATH or redcaps=PATH line"),
        Root = context.StorageRoot,
        AzureConnectionString = context.AzureConnectionString,
        ShardSize = context.GetInt("shardSize", 10_000),
        DownloadConcurrency = Math.Max(1, context.GetInt("downloadConcurrency", 32)),
        RetryFailed = context.GetBool("retryFailed", false),
        Image = new ImageOptions { ImageSize = context.GetInt("imageSize", 512) },
        Download = new DownloadOptions
        {
            Timeout = TimeSpan.FromSeconds(Math.Max(1, context.GetInt("timeoutSeconds", 15))),
            AllowPrivateAddresses = context.GetBool("allowPrivateAddresses", false),
        },
    };
}

/// <summary>An IProgress that calls its action inline (Progress&lt;T&gt; posts to the thread pool and may reorder).</summary>
public sealed class ActionProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
