using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;

namespace SSeg.Pipelines.Hosting;

/// <summary>Creates the Hangfire job storage the settings ask for.</summary>
public static class JobStorageFactory
{
    public static JobStorage Create(HostSettings settings)
    {
        var jobs = settings.Jobs;
        var poll = TimeSpan.FromMilliseconds(Math.Max(50, jobs.QueuePollIntervalMs));
        var invisibility = TimeSpan.FromSeconds(Math.Max(5, jobs.InvisibilityTimeoutSeconds));
        switch (jobs.Storage)
        {
            case JobStorageKind.Postgres:
                if (string.IsNullOrWhiteSpace(jobs.ConnectionString))
                    throw new InvalidOperationException("Jobs:Storage is postgres but Jobs:ConnectionString is empty.");
                var connectionString = jobs.ConnectionString;
                var postgres = new PostgreSqlStorageOptions
                {
                    SchemaName = jobs.Schema,
                    QueuePollInterval = poll,
                    InvisibilityTimeout = invisibility,
                    // Live workers keep their fetched jobs invisible; a dead host's jobs reappear after the timeout.
                    UseSlidingInvisibilityTimeout = true,
                    PrepareSchemaIfNecessary = true,
                    DistributedLockTimeout = TimeSpan.FromSeconds(60),
                };
                return new GlobalConfigurationStub().UsePostgreSql(connectionString, postgres);
            default:
                var path = SqlitePath(settings);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                var sqlite = new SQLiteStorageOptions
                {
                    QueuePollInterval = poll,
                    InvisibilityTimeout = invisibility,
                    DistributedLockLifetime = TimeSpan.FromSeconds(60),
                };
                return new SQLiteStorage(path, sqlite);
        }
    }

    public static string SqlitePath(HostSettings settings)
    {
        if (!string.IsNullOrWhiteSpace(settings.Jobs.SqlitePath)) return Path.GetFullPath(settings.Jobs.SqlitePath);
        var root = settings.Storage.Root;
        var local = root.Contains("://", StringComparison.Ordinal) ? "." : root;
        return Path.GetFullPath(Path.Combine(local, "hangfire.db"));
    }

    /// <summary>Builds a PostgreSqlStorage through its non-obsolete configuration entry point.</summary>
    private sealed class GlobalConfigurationStub
    {
        public JobStorage UsePostgreSql(string connectionString, PostgreSqlStorageOptions options)
        {
            var configuration = new StorageOnlyConfiguration();
            return configuration.UsePostgreSqlStorage(o => o.UseNpgsqlConnection(connectionString), options).Entry;
        }
    }

    private sealed class StorageOnlyConfiguration : IGlobalConfiguration;
}
