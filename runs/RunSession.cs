using SSeg.Shards.Storage;

namespace SSeg.Runs;

/// <summary>
/// One process's work on a run: the run folder, a private local work folder (deleted on dispose) and, when the
/// run has a checkpoint and <see cref="RunOptions.Resume"/> is set, that checkpoint fetched to local disk.
/// Opening reads only; nothing is written to the run until <see cref="RecordAsync"/> or the loop.
/// </summary>
public sealed class RunSession : IDisposable
{
    private RunSession(RunOptions options, RunFolder folder, string work, LocalCheckpoint? resume)
    {
        Options = options;
        Folder = folder;
        Checkpoints = new CheckpointManager(folder);
        WorkDirectory = work;
        Resumed = resume;
    }

    public RunOptions Options { get; }
    public RunFolder Folder { get; }
    public CheckpointManager Checkpoints { get; }
    /// <summary>A local folder of this process (checkpoints are staged here before they are published).</summary>
    public string WorkDirectory { get; }
    /// <summary>The checkpoint this process continues from, or null for a fresh start.</summary>
    public LocalCheckpoint? Resumed { get; }

    public static async Task<RunSession> OpenAsync(RunOptions options, CancellationToken ct)
    {
        var folder = new RunFolder(StorageFactory.Open(options.StorageRoot, options.AzureConnectionString), options.Run);
        var work = Path.Combine(Path.GetTempPath(), $"sseg-run-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            var checkpoints = new CheckpointManager(folder);
            LocalCheckpoint? resume = null;
            if (options.Resume && await checkpoints.LatestAsync(ct) is { } latest)
                resume = await checkpoints.DownloadAsync(latest, Path.Combine(work, "resume", latest), ct);
            return new RunSession(options, folder, work, resume);
        }
        catch
        {
            TryDelete(work);
            throw;
        }
    }

    /// <summary>Writes run.json; on resume first checks that kind, model config and seed are the run's (see <see cref="RunMetadata"/>).</summary>
    public Task RecordAsync(string kind, string modelConfigJson, object? details, CancellationToken ct) =>
        RunMetadata.RecordAsync(Folder, kind, modelConfigJson, Options.Seed, Options, details, checkExisting: Options.Resume, ct);

    /// <summary>Runs the training loop (<see cref="TrainingLoop"/>).</summary>
    public Task<RunOutcome> TrainAsync<TBatch>(TrainerParts<TBatch> parts, IProgress<RunProgress>? progress, CancellationToken ct) =>
        TrainingLoop.RunAsync(this, parts, progress, ct);

    public void Dispose() => TryDelete(WorkDirectory);

    private static void TryDelete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
