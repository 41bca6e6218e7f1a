using System.Text.Json;
using SSeg.Train.Training;

namespace SSeg.Train.Tests.Training;

public class LrScheduleTests
{
    [Fact]
    public void Matches_torch_lambda_scheduler_at_chosen_steps()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Fixtures("Train.Tests"), "schedule_golden.json")));
        var g = doc.RootElement;
        var s = LrSchedule.Scaled(g.GetProperty("base").GetDouble(), g.GetProperty("warmup_lr").GetDouble(), g.GetProperty("min_lr").GetDouble(),
            g.GetProperty("warmup").GetInt64(), g.GetProperty("total").GetInt64(), g.GetProperty("batch").GetInt32(), g.GetProperty("reference").GetInt32());
        var steps = g.GetProperty("steps").EnumerateArray().Select(x => x.GetInt64()).ToArray();
        var lrs = g.GetProperty("lr").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        for (int i = 0; i < steps.Length; i++)
            Assert.True(Math.Abs(lrs[i] - s.At(steps[i])) <= 1e-12 + 1e-9 * lrs[i], $"step {steps[i]}: expected {lrs[i]}, got {s.At(steps[i])}");
    }
}
