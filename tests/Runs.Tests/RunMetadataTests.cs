using System.Text.Json;
using SSeg.Runs;
using SSeg.Shards.Storage;

namespace SSeg.Runs.Tests;

public sealed class RunMetadataTests : IDisposable
{
    private readonly string _root = RepoPaths.NewTempDir("sseg-runs-meta");

    private sealed record TestOptions() : RunOptions(learningRate: 1e-3, checkpointEvery: 10, logEvery: 1);

    private TestOptions Options(int seed = 1) => new() { StorageRoot = _root, Run = "meta", Seed = seed, AzureConnectionString = "secret" };

    public void Dispose() => Directory.Delete(_root, true);

    [Fact]
    public async Task Run_json_records_kind_model_seed_and_options_without_the_connection_string()
    {
        using var session = await RunSession.OpenAsync(Options(), default);
        Assert.Null(session.Resumed);
        await session.RecordAsync("test", "{\"width\":8}", new { samples = 3 }, default);

        var text = await File.ReadAllTextAsync(Path.Combine(_root, "runs", "meta", "run.json"));
        Assert.DoesNotContain("secret", text);
        using var doc = JsonDocument.Parse(text);
        Assert.Equal("test", doc.RootElement.GetProperty("kind").GetString());
        Assert.Equal(8, doc.RootElement.GetProperty("model").GetProperty("width").GetInt32());
        Assert.Equal(1, doc.RootElement.GetProperty("seed").GetInt32());
        Assert.Equal(1e-3, doc.RootElement.GetProperty("options").GetProperty("LearningRate").GetDouble());
        Assert.Equal(3, doc.RootElement.GetProperty("details").GetProperty("samples").GetInt32());
    }

    [Fact]
    public async Task Another_model_or_seed_on_resume_is_refused_naming_run_json()
    {
        using (var first = await RunSession.OpenAsync(Options(), default))
            await first.RecordAsync("test", "{\"width\":8}", null, default);

        using var again = await RunSession.OpenAsync(Options(), default);
        await again.RecordAsync("test", "{\"width\":8}", null, default); // same: fine
        var model = await Assert.ThrowsAsync<InvalidOperationException>(() => again.RecordAsync("test", "{\"width\":16}", null, default));
        Assert.Contains("runs/meta/run.json", model.Message);
        Assert.Contains("model config", model.Message);

        using var otherSeed = await RunSession.OpenAsync(Options(seed: 2), default);
        var seed = await Assert.ThrowsAsync<InvalidOperationException>(() => otherSeed.RecordAsync("test", "{\"width\":8}", null, default));
        Assert.Contains("seed", seed.Message);

        // Starting over (no resume) replaces the record.
        using var fresh = await RunSession.OpenAsync(Options(seed: 2) with { Resume = false }, default);
        await fresh.RecordAsync("test", "{\"width\":16}", null, default);
    }

    [Fact]
    public async Task A_run_started_before_run_json_is_checked_against_its_config_json()
    {
        Directory.CreateDirectory(Path.Combine(_root, "runs", "meta"));
        await File.WriteAllTextAsync(Path.Combine(_root, "runs", "meta", "config.json"), "{\"options\":{},\"model\":{\"width\":8}}");
        using var session = await RunSession.OpenAsync(Options(), default);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => session.RecordAsync("test", "{\"width\":4}", null, default));
        Assert.Contains("runs/meta/config.json", error.Message);
        await session.RecordAsync("test", "{\"width\":8}", null, default);
    }

    [Fact]
    public async Task Checkpoint_state_of_either_old_trainer_loads_and_a_missing_one_is_named()
    {
        var sseg = CheckpointState.Parse("{\"Step\":7,\"Epoch\":1,\"Position\":24,\"ConfigJson\":\"{}\",\"Seed\":5,\"DataFailures\":0,\"SavedUtc\":\"2026-01-01T00:00:00+00:00\"}", "t.json");
        Assert.Equal((7L, 1, 24L, 5, 0.0), (sseg.Step, sseg.Epoch, sseg.Position, sseg.Seed, sseg.ElapsedSeconds));
        var plus = CheckpointState.Parse("{\"Iteration\":40,\"SavedUtc\":\"2026-01-01T00:00:00+00:00\"}", "t.json");
        Assert.Equal(40L, plus.Step);
        Assert.Contains("t.json", Assert.Throws<InvalidDataException>(() => CheckpointState.Parse("{\"Epoch\":1}", "t.json")).Message);

        // latest.json naming a folder without trainer.json.
        var run = new RunFolder(StorageFactory.Open(_root), "meta");
        await run.WriteTextAsync("checkpoints/step-00000002/model.safetensors", "x", default);
        await run.WriteTextAsync(CheckpointManager.LatestFile, "{\"checkpoint\":\"step-00000002\",\"step\":2}", default);
        var missing = await Assert.ThrowsAsync<InvalidDataException>(() => RunSession.OpenAsync(Options(), default));
        Assert.Contains("runs/meta/checkpoints/step-00000002/trainer.json", missing.Message);
    }
}
