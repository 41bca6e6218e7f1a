using System.Diagnostics;

namespace SSeg.Pipelines.Bench;

/// <summary>
/// Wall time and this process's CPU time (user + system, all threads) since a start. Images per CPU-second is the
/// "images/s per core" figure: on a machine shared with other busy processes the wall-clock rate drops with the load,
/// while the CPU time a piece of work needs changes far less (caches and SMT siblings still add noise).
/// </summary>
internal sealed class BenchClock
{
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private TimeSpan _cpuStart = CpuNow();

    public double WallSeconds => _wall.Elapsed.TotalSeconds;
    public double CpuSeconds => (CpuNow() - _cpuStart).TotalSeconds;

    public void Restart()
    {
        _cpuStart = CpuNow();
        _wall.Restart();
    }

    private static TimeSpan CpuNow()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
