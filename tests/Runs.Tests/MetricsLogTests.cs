using SSeg.Runs;
using SSeg.Shards.Storage;

namespace SSeg.Runs.Tests;

public sealed class MetricsLogTests
{
    [Fact]
    public void Lines_round_trip_with_common_keys_first_and_non_finite_values_as_strings()
    {
        var line = new MetricsLine
        {
            Step = 12, Epoch = 0.5, Loss = 1.25, Lr = 2e-4, ImagesPerSecond = 31.5, Elapsed = 7.5,
            TimeUtc = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
            Fields = new Dictionary<string, double> { ["mask"] = 0.75, ["grad_norm"] = double.NaN },
        };
        var text = MetricsLog.Format([line]);
        Assert.StartsWith("{\"step\":12,\"epoch\":0.5,\"loss\":1.25,\"lr\":0.0002,\"images_per_second\":31.5,\"elapsed\":7.5,\"time_utc\":", text);
        Assert.Contains("\"grad_norm\":\"NaN\"", text);

        var back = Assert.Single(MetricsLog.Parse(text, "m.jsonl"));
        Assert.Equal((12L, 0.5, 1.25, 2e-4, 31.5, 7.5, line.TimeUtc), (back.Step, back.Epoch, back.Loss, back.Lr, back.ImagesPerSecond, back.Elapsed, back.TimeUtc));
        Assert.Equal(0.75, back.Field("mask"));
        Assert.True(double.IsNaN(back.Field("grad_norm")));
        Assert.True(double.IsNaN(back.Field("absent")));
    }

    [Fact]
    public void Files_written_by_the_trainers_before_the_shared_layer_still_read()
    {
        // S-Seg wrote step/img_per_s, S-Seg+ iteration/seconds/images_per_second.
        const string sseg = "{\"step\":3,\"epoch\":0,\"lr\":0.001,\"loss\":4.5,\"mask\":2,\"img_per_s\":12.5,\"time_utc\":\"2026-01-01T00:00:00+00:00\"}\n";
        const string ssegPlus = "{\"iteration\":50,\"epoch\":1.5,\"loss\":0.9,\"loss_main\":0.7,\"loss_aux\":0.5,\"lr\":1e-4,\"seconds\":30,\"images_per_second\":8}\n";
        var a = Assert.Single(MetricsLog.Parse(sseg, "old.jsonl"));
        Assert.Equal((3L, 12.5, 2.0), (a.Step, a.ImagesPerSecond, a.Field("mask")));
        var b = Assert.Single(MetricsLog.Parse(ssegPlus, "old.jsonl"));
        Assert.Equal((50L, 1.5, 30.0, 8.0, 0.7), (b.Step, b.Epoch, b.Elapsed, b.ImagesPerSecond, b.Field("loss_main")));
    }

    [Fact]
    public void A_bad_line_is_an_error_naming_the_file_and_line()
    {
        var error = Assert.Throws<InvalidDataException>(() => MetricsLog.Parse("{\"step\":1,\"loss\":1}\n{\"loss\":2}\n", "runs/x/metrics.jsonl"));
        Assert.Contains("runs/x/metrics.jsonl line 2", error.Message);
    }

    [Fact]
    public async Task Reading_drops_lines_past_the_resumed_step()
    {
        var root = RepoPaths.NewTempDir("sseg-runs-metrics");
        try
        {
            var run = new RunFolder(StorageFactory.Open(root), "r");
            await MetricsLog.WriteAsync(run, Enumerable.Range(1, 5).Select(i => new MetricsLine { Step = i, Loss = i }));
            Assert.Equal([1L, 2L, 3L], (await MetricsLog.ReadAsync(run, upToStep: 3)).Select(m => m.Step));
            Assert.True(File.Exists(Path.Combine(root, "runs", "r", "metrics.jsonl")));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }
}
