namespace SSeg.Pipelines.Hosting;

/// <summary>
/// Host configuration, bound from appsettings.json, environment variables (SSEG_ prefix, `__` for sections)
/// and command-line options (`--Jobs:Storage postgres`), in that order of precedence (last wins).
/// </summary>
public sealed class HostSettings
{
    public StorageSettings Storage { get; set; } = new();
    public JobSettings Jobs { get; set; } = new();
    public DashboardSettings Dashboard { get; set; } = new();

    /// <summary>Where Kestrel listens. Loopback by default: the dashboard is local-only unless credentials are set.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:5000";
}

public sealed class StorageSettings
{
    /// <summary>Data root: a local folder or az://container/prefix.</summary>
    public string Root { get; set; } = "./data";
    public string? AzureConnectionString { get; set; }
}

public enum JobStorageKind { Sqlite, Postgres }

public sealed class JobSettings
{
    /// <summary>sqlite (embedded default, next to the local data root) or postgres (several hosts).</summary>
    public JobStorageKind Storage { get; set; } = JobStorageKind.Sqlite;

    /// <summary>PostgreSQL connection string (Storage = postgres).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>PostgreSQL schema of the Hangfire tables; one schema per independent deployment.</summary>
    public string Schema { get; set; } = "hangfire";

    /// <summary>SQLite file; default &lt;local data root&gt;/hangfire.db (./hangfire.db for a Blob root).</summary>
    public string? SqlitePath { get; set; }

    public int QueuePollIntervalMs { get; set; } = 500;

    /// <summary>A job fetched by a host that died becomes visible to others after this long.</summary>
    public int InvisibilityTimeoutSeconds { get; set; } = 300;

    /// <summary>Queues this host serves: cpu (ingest), gpu (pseudomask, train, selftrain, eval).</summary>
    public string Queues { get; set; } = "cpu,gpu";
    public int CpuWorkers { get; set; } = Math.Max(1, Environment.ProcessorCount);
    public int GpuWorkers { get; set; } = 1;

    /// <summary>Workers for barrier and pipeline-control jobs (short, every host serves them).</summary>
    public int ControlWorkers { get; set; } = 1;

    /// <summary>Automatic retries of a failed stage job before it is marked failed.</summary>
    public int Retries { get; set; } = 2;

    /// <summary>How often a barrier job re-checks the manifest.</summary>
    public int BarrierIntervalSeconds { get; set; } = 2;

    public string? ServerName { get; set; }

    /// <summary>Start no job server (dashboard-only host).</summary>
    public bool NoServer { get; set; }
}

public sealed class DashboardSettings
{
    public string Path { get; set; } = "/hangfire";

    /// <summary>With both set, every dashboard page and action requires them (HTTP basic auth), from any address.</summary>
    public string? Username { get; set; }
    public string? Password { get; set; }

    /// <summary>
    /// Folders whose files the Run form may name as checkpoints by absolute path (for example a shared model store).
    /// Empty (the default): the dashboard accepts checkpoint names under the data root only; see OptionValue.
    /// </summary>
    public List<string> AllowedModelFolders { get; set; } = [];

    /// <summary>
    /// Host names (Host header, port ignored) the host answers besides localhost, 127.0.0.1 and [::1]; for example
    /// the name or LAN address users type to reach a remote dashboard. Any other name gets 400 (DNS rebinding guard).
    /// "*" answers every name.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    public LoginLockoutSettings LoginLockout { get; set; } = new();

    public bool HasCredentials => !string.IsNullOrEmpty(Username) && !string.IsNullOrEmpty(Password);
}

/// <summary>Lockout of a client address after repeated wrong dashboard passwords (see LoginThrottle).</summary>
public sealed class LoginLockoutSettings
{
    public int FailuresBeforeLockout { get; set; } = 5;

    /// <summary>First lockout; each further failure doubles it.</summary>
    public double LockoutSeconds { get; set; } = 30;
    public double MaxLockoutSeconds { get; set; } = 900;

    /// <summary>Client addresses remembered at most (bounds memory under a flood of addresses).</summary>
    public int MaxTrackedClients { get; set; } = 10_000;
}
