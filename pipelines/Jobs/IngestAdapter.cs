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

    public IReadOnlyList<StageOption> Options => IngestStageOptions.All;

    public IReadOnlyList<string> Validate(StageContext context)
    {
        var errors = new List<string>();
        void Check(Action check)
        {
            try { check(); }
            catch (Exception e) when (e is StageOptionException or FormatException or ArgumentException) { errors.Add(e.Message); }
        }
        // Each manifest on its own, so every missing one is named even when another option is wrong too.
        foreach (var line in context.Lines(IngestStageOptions.Sources))
            Check(() =>
            {
                var source = SourceSpec.Parse(line);
                if (!File.Exists(source.Path) && !Directory.Exists(source.Path)) errors.Add($"manifest not found: {source.Path}");
            });
        Check(() => Build(context));
        return errors;
    }

    public Task<StagePlan> PlanAsync(StageContext context, CancellationToken ct)
    {
        var options = Build(context);
        var shards = IngestStage.CountShards(options);
        if (shards == 0) throw new InvalidDataException($"the manifests hold no rows: {options.SourceDescription}");
        return Task.FromResult(new StagePlan(shards, InputFingerprint.Of(options.Sources.Select(s => s.Path))));
    }

    /// <summary>
    /// The dataset is kept when only manifest rows changed: its shard jobs then skip every shard whose input
    /// fingerprint is unchanged and rebuild the rest. It is deleted when the options that shape every shard changed
    /// (shard size, image settings, sources: <see cref="IngestOptions.ConfigHash"/>) or the manifests shrank below a
    /// committed shard (a shard past the new end would stay listed).
    /// </summary>
    public async Task DiscardStaleOutputAsync(StageContext context, CancellationToken ct)
    {
        var options = Build(context);
        var index = await DatasetStore.Open(context.StorageRoot, context.AzureConnectionString).Dataset(options.Dataset).ReadIndexAsync(ct);
        if (index is null) return;
        if (index.ConfigHash == options.ConfigHash())
        {
            var shards = IngestStage.CountShards(options);
            if (index.ImageShards.All(s => s.Index < shards)) return;
        }
        await DatasetFolders.DeleteAsync(context.StorageRoot, context.AzureConnectionString, options.Dataset, ct);
    }

    public async Task RunShardAsync(StageContext context, int shard, IProgress<StageProgress> progress, CancellationToken ct)
    {
        var bridge = new ActionProgress<IngestProgress>(p =>
            progress.Report(new StageProgress(p.Done, p.InputRows, "rows", $"{p.Succeeded} ok, {p.Failed} failed")));
        var outcome = await IngestStage.RunShardAsync(Build(context), shard, bridge, ct);
        // Another writer replaced the shard during --retry-failed: fail the job so Hangfire's retry re-runs it on
        // the new entry, instead of reporting a retry that published nothing as done.
        if (outcome.Conflict) throw new InvalidOperationException(outcome.Note);
        progress.Report(new StageProgress(outcome.Rows + outcome.Failures, outcome.Rows + outcome.Failures, "rows",
            outcome.Note == IngestStage.UnchangedNote ? ShardRebuildNotes.Unchanged
            : outcome.Skipped ? $"skipped: {outcome.Note}"
            : outcome.Note?.StartsWith(IngestStage.RebuiltNote, StringComparison.Ordinal) == true ? $"{ShardRebuildNotes.Rebuilt}: {outcome.Rows} ok, {outcome.Failures} failed"
            : $"{outcome.Rows} ok, {outcome.Failures} failed"));
    }

    public async Task<int> CountCompletedAsync(StageContext context, StagePlan plan, CancellationToken ct)
    {
        var index = await DatasetStore.Open(context.StorageRoot, context.AzureConnectionString)
            .Dataset(OptionValue.Name(context, IngestStageOptions.Dataset.Name)).ReadIndexAsync(ct);
        return index?.ImageShards.Count(s => s.Index < plan.Shards) ?? 0;
    }

    public async Task<string> SummarizeAsync(StageContext context, CancellationToken ct)
    {
        var summary = await new DatasetInspector(DatasetStore.Open(context.StorageRoot, context.AzureConnectionString))
            .SummarizeAsync(OptionValue.Name(context, IngestStageOptions.Dataset.Name), ct);
        var reasons = summary.FailuresByReason.Count == 0 ? "" :
            " (" + string.Join(", ", summary.FailuresByReason.OrderByDescending(r => r.Value).Select(r => $"{r.Key} {r.Value}")) + ")";
        return $"dataset {summary.Name}: {summary.Rows} rows in {summary.ImageShards} shard(s), {summary.Failures} failed{reasons}";
    }

    /// <summary>The stage's options from their declarations (IngestStageOptions); the `ingest` verb builds them here too.</summary>
    public static IngestOptions Build(StageContext context)
    {
        var intervals = new Dictionary<string, TimeSpan>(StringComparer.OrdinalIgnoreCase);
        var defaultInterval = TimeSpan.Zero;
        foreach (var spec in context.Lines(IngestStageOptions.HostInterval))
        {
            var eq = spec.IndexOf('=');
            if (eq <= 0 || !double.TryParse(spec[(eq + 1)..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
                || seconds < 0 || !double.IsFinite(seconds))
                throw new StageOptionException($"option 'hostInterval': '{spec}' is not HOST=SECONDS");
            if (spec[..eq] == "*") defaultInterval = TimeSpan.FromSeconds(seconds);
            else intervals[spec[..eq]] = TimeSpan.FromSeconds(seconds);
        }
        var download = new DownloadOptions
        {
            Timeout = TimeSpan.FromSeconds(context.Number(IngestStageOptions.TimeoutSeconds)),
            MaxRetries = context.Int(IngestStageOptions.Retries),
            MaxBodyBytes = (long)(context.Number(IngestStageOptions.MaxBodyMb) * 1024 * 1024),
            PerHostConcurrency = context.Int(IngestStageOptions.PerHostConcurrency),
            PerHostMinInterval = defaultInterval,
            HostMinIntervals = intervals,
            AllowPrivateAddresses = context.Flag(IngestStageOptions.AllowPrivateAddresses),
            RespectOptOut = !context.Flag(IngestStageOptions.IgnoreOptOut),
        };
        if (context.Value(IngestStageOptions.ContactUrl) is { } contact) download = download with { ContactUrl = contact };
        return new IngestOptions
        {
            Dataset = OptionValue.Name(context, IngestStageOptions.Dataset.Name),
            Sources = context.Lines(IngestStageOptions.Sources).Select(SourceSpec.Parse).ToList() is { Count: > 0 } sources
                ? sources : throw new StageOptionException("option 'sources' needs at least one cc3m=PATH, cc12m=PATH or redcaps=PATH line"),
            Root = context.StorageRoot,
            AzureConnectionString = context.AzureConnectionString,
            ShardSize = context.Int(IngestStageOptions.ShardSize),
            RetryFailed = context.Flag(IngestStageOptions.RetryFailed),
            DownloadConcurrency = context.Int(IngestStageOptions.DownloadConcurrency),
            ProcessWorkers = context.OptionalInt(IngestStageOptions.ProcessWorkers) ?? Environment.ProcessorCount,
            Dedupe = !context.Flag(IngestStageOptions.NoDedupe),
            Download = download,
            Image = new ImageOptions
            {
                ImageSize = context.Int(IngestStageOptions.ImageSize),
                Mode = context.Choice(IngestStageOptions.ResizeMode) switch
                {
                    "center_crop" => ResizeMode.CenterCrop,
                    "border" => ResizeMode.Border,
                    "no" => ResizeMode.No,
                    _ => ResizeMode.KeepRatio,
                },
                ResizeOnlyIfBigger = !context.Flag(IngestStageOptions.Upscale),
                MinImageSize = context.Int(IngestStageOptions.MinImageSize),
                MaxAspectRatio = context.OptionalNumber(IngestStageOptions.MaxAspectRatio) ?? double.PositiveInfinity,
                JpegQuality = context.Int(IngestStageOptions.JpegQuality),
                Reencode = context.Choice(IngestStageOptions.Reencode) == "always" ? ReencodePolicy.Always : ReencodePolicy.WhenNeeded,
                MaxPixels = context.Long(IngestStageOptions.MaxPixels),
            },
        };
    }
}

/// <summary>An IProgress that calls its action inline (Progress&lt;T&gt; posts to the thread pool and may reorder).</summary>
public sealed class ActionProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
