using SSeg.Pipelines.Runs;

namespace SSeg.Pipelines.Tests;

/// <summary>The upcoming firings shown for a schedule, against firings worked out by hand.</summary>
public sealed class CronScheduleTests
{
    private static readonly DateTime Saturday0812 = new(2026, 12, 5, 8, 12, 30, DateTimeKind.Utc);

    [Theory]
    [InlineData("0 3 * * *", "2026-12-06 03:00", "2026-12-07 03:00", "2026-12-08 03:00")]
    [InlineData("*/20 * * * *", "2026-12-05 08:20", "2026-12-05 08:40", "2026-12-05 09:00")]
    [InlineData("30 9 * * MON-FRI", "2026-12-07 09:30", "2026-12-08 09:30", "2026-12-09 09:30")]
    [InlineData("0 0 1 JAN,jul *", "2027-01-01 00:00", "2027-07-01 00:00")]
    [InlineData("15 12 * * 7", "2026-12-06 12:15", "2026-12-13 12:15", "2026-12-20 12:15")]
    [InlineData("0 6 13 * 5", "2026-12-11 06:00", "2026-12-13 06:00", "2026-12-18 06:00")]
    public void Next_firings_match_cron(string cron, params string[] expected)
    {
        var next = CronSchedule.Next(cron, Saturday0812, 3);
        Assert.Equal(expected, next.Select(t => t.ToString("yyyy-MM-dd HH:mm")));
    }

    [Theory]
    [InlineData("61 * * * *")]
    [InlineData("* * * *")]
    [InlineData("0 3 * * FOO")]
    [InlineData("0 0 31 2 *")]
    public void Expressions_it_cannot_place_give_no_list(string cron) => Assert.Empty(CronSchedule.Next(cron, Saturday0812, 3));

    [Fact]
    public void Words_say_how_far_off_a_firing_is()
    {
        Assert.Equal("in 18 h 48 min", CronSchedule.InWords(new DateTime(2026, 12, 6, 3, 0, 0, DateTimeKind.Utc), Saturday0812.AddSeconds(-30)));
        Assert.Equal("in 2 days 0 h", CronSchedule.InWords(Saturday0812.AddDays(2), Saturday0812));
        Assert.Equal("in 5 min", CronSchedule.InWords(Saturday0812.AddMinutes(5), Saturday0812));
    }
}
