using Npgsql;
using SSeg.Models;
using SSeg.Pipelines.Hosting;
using SSeg.Shards.Storage;

namespace SSeg.Pipelines.Doctor;

/// <summary>What the configured host needs besides compute: its data root, its job storage, its queues.</summary>
public static class HostChecks
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>A local root must exist already (doctor creates nothing); a Blob root must answer a metadata read.</summary>
    public static async Task<DoctorCheck> DataRootAsync(HostSettings settings, CancellationToken ct)
    {
        var root = settings.Storage.Root;
        if (!root.StartsWith("az://", StringComparison.OrdinalIgnoreCase))
        {
            var path = Path.GetFullPath(root.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? new Uri(root).LocalPath : root);
            return Directory.Exists(path)
                ? DoctorCheck.Ok("data root", path)
                : DoctorCheck.Fail("data root", $"{path} does not exist (--root or ${Cli.DataRootOption.Variable})");
        }
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ProbeTimeout);
            var storage = StorageFactory.Open(root, settings.Storage.AzureConnectionString);
            await storage.GetInfoAsync("doctor-probe", timeout.Token);
            return DoctorCheck.Ok("data root", $"{root} reachable");
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return DoctorCheck.Fail("data root", $"{root} not reachable: {e.GetBaseException().Message}");
        }
    }

    /// <summary>The storage `serve` would open with the same settings; PostgreSQL gets a connection with a short timeout.</summary>
    public static async Task<DoctorCheck> JobStorageAsync(HostSettings settings, CancellationToken ct)
    {
        const string name = "job storage";
        if (settings.Jobs.Storage == JobStorageKind.Postgres)
        {
            if (string.IsNullOrWhiteSpace(settings.Jobs.ConnectionString))
                return DoctorCheck.Fail(name, "postgres, but Jobs:ConnectionString is empty");
            NpgsqlConnectionStringBuilder builder;
            try
            {
                builder = new NpgsqlConnectionStringBuilder(settings.Jobs.ConnectionString) { Timeout = (int)ProbeTimeout.TotalSeconds };
            }
            catch (ArgumentException e)
            {
                return DoctorCheck.Fail(name, $"postgres connection string is invalid: {e.Message}");
            }
            var where = $"postgres {builder.Host}:{builder.Port}/{builder.Database} (schema {settings.Jobs.Schema})";
            try
            {
                await using var connection = new NpgsqlConnection(builder.ConnectionString);
                await connection.OpenAsync(ct);
                await using var command = new NpgsqlCommand("SELECT 1", connection) { CommandTimeout = (int)ProbeTimeout.TotalSeconds };
                await command.ExecuteScalarAsync(ct);
                return DoctorCheck.Ok(name, $"{where} reachable");
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                return DoctorCheck.Fail(name, $"{where} not reachable: {e.GetBaseException().Message}");
            }
        }

        var path = JobStorageFactory.SqlitePath(settings);
        if (File.Exists(path))
        {
            try
            {
                // Hangfire needs to write it; a read-write open and the SQLite header prove both without locking it long.
                var header = new byte[16];
                await using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
                    await file.ReadExactlyAsync(header, ct);
                return System.Text.Encoding.ASCII.GetString(header) == "SQLite format 3\0"
                    ? DoctorCheck.Ok(name, $"sqlite {path}")
                    : DoctorCheck.Fail(name, $"sqlite {path} is not an SQLite database");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return DoctorCheck.Fail(name, $"sqlite {path} not writable: {e.Message}");
            }
        }
        var folder = Path.GetDirectoryName(path)!;
        return Directory.Exists(folder)
            ? DoctorCheck.Ok(name, $"sqlite {path} (created by the first serve)")
            : DoctorCheck.Fail(name, $"sqlite {path}: folder {folder} does not exist");
    }

    /// <summary>The train loader's JPEG decoder: libjpeg-turbo (Pillow's pixels, about three times the decode speed) or the ImageSharp fallback.</summary>
    public static DoctorCheck JpegDecoder() => SSeg.Train.Data.TrainImageDecoder.UsesTurboJpeg
        ? DoctorCheck.Ok("jpeg", SSeg.Train.Data.TrainImageDecoder.JpegDecoder)
        : DoctorCheck.Warn("jpeg", SSeg.Train.Data.TrainImageDecoder.JpegDecoder);

    /// <summary>
    /// A gpu queue on a host without CUDA is allowed (its jobs run on the CPU, e.g. a small test cluster) but reported,
    /// because it is usually a CPU build deployed to a GPU host by mistake.
    /// </summary>
    public static DoctorCheck Queues(HostSettings settings, bool cudaAvailable)
    {
        var queues = settings.Jobs.Queues.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var served = string.Join(",", queues);
        if (settings.Jobs.NoServer) return DoctorCheck.Ok("queues", "none (dashboard-only host)");
        if (!queues.Contains(Hosting.Queues.Gpu, StringComparer.OrdinalIgnoreCase) || settings.Jobs.GpuWorkers <= 0)
            return DoctorCheck.Ok("queues", served);
        return cudaAvailable
            ? DoctorCheck.Ok("queues", $"{served}; {settings.Jobs.GpuWorkers} gpu worker(s) on CUDA")
            : DoctorCheck.Warn("queues", $"{served}; gpu jobs will run on the CPU (CUDA not available" +
                                         (TorchBackendInfo.IsCuda ? ")" : $": CPU build, use {TorchBackendInfo.CudaBuildSwitch} on GPU hosts)"));
    }
}
