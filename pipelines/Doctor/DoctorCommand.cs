using SSeg.Pipelines.Hosting;

namespace SSeg.Pipelines.Doctor;

/// <summary>`doctor`: one line per check; exit 1 when any check fails (warnings keep 0).</summary>
public static class DoctorCommand
{
    public static async Task<int> ExecuteAsync(IReadOnlyDictionary<string, string?> overrides, string[] args, TextWriter output,
        CancellationToken ct, IReadOnlyList<string>? gpuProbePaths = null)
    {
        var settings = HostConfiguration.Load(overrides, args);
        var (checks, cudaAvailable) = TorchChecks.Run(gpuProbePaths);
        checks.Add(HostChecks.JpegDecoder());
        checks.Add(HostChecks.Queues(settings, cudaAvailable));
        checks.Add(await HostChecks.DataRootAsync(settings, ct));
        checks.Add(await HostChecks.JobStorageAsync(settings, ct));
        foreach (var check in checks) output.WriteLine(check);
        var failed = checks.Count(c => c.Status == CheckStatus.Fail);
        var warned = checks.Count(c => c.Status == CheckStatus.Warn);
        output.WriteLine(failed > 0 ? $"{failed} check(s) failed, {warned} warning(s)" : $"host ok, {warned} warning(s)");
        return failed > 0 ? 1 : 0;
    }
}
