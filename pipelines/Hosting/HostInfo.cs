using System.Globalization;
using Hangfire;
using Microsoft.Extensions.Hosting;
using SSeg.Models;

namespace SSeg.Pipelines.Hosting;

/// <summary>
/// What each host computes on (torch backend, device, threads, queues), written to the job storage at start so the
/// dashboard's Hosts page shows every host's backend and device; Hangfire's Servers page says only which are alive.
/// </summary>
public sealed class HostInfo(JobStorage storage, HostSettings settings) : IHostedService
{
    public const string HostsSet = "sseg:hosts";
    public static string Key(string host) => $"sseg:host:{host}";

    /// <summary>The name Hangfire's servers of this host start with ("NAME:queue:pid").</summary>
    public string Name => $"{settings.Jobs.ServerName ?? Environment.MachineName}:{Environment.ProcessId}";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var fields = Describe(settings);
        using var connection = storage.GetConnection();
        using var transaction = connection.CreateWriteTransaction();
        transaction.SetRangeInHash(Key(Name), fields);
        transaction.AddToSet(HostsSet, Name, DateTime.UtcNow.Ticks / 1e7);
        transaction.Commit();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The host's compute description. CUDA is asked of libtorch only on a CUDA build (the CPU build has none, and
    /// loading libtorch for a dashboard-only answer would slow every start).
    /// </summary>
    public static Dictionary<string, string> Describe(HostSettings settings)
    {
        var gpuVisible = GpuProbe.NvidiaVisible();
        string device;
        if (TorchBackendInfo.IsCuda)
        {
            try { device = TorchSharp.torch.cuda.is_available() ? $"cuda ({TorchSharp.torch.cuda.device_count()} device(s))" : "cpu (CUDA build, CUDA not available)"; }
            catch (Exception e) { device = $"cpu (libtorch did not load: {e.GetBaseException().Message})"; }
        }
        else device = "cpu";
        var note = !TorchBackendInfo.IsCuda && gpuVisible ? DeviceSelector.CpuBuildOnGpuHostWarning() ?? "" : "";
        return new Dictionary<string, string>
        {
            ["backend"] = TorchBackendInfo.Compiled,
            ["device"] = device,
            ["gpuVisible"] = gpuVisible ? "yes" : "no",
            ["cpus"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
            ["queues"] = settings.Jobs.NoServer ? "(none: dashboard only)" : settings.Jobs.Queues,
            ["started"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["note"] = note,
        };
    }
}
