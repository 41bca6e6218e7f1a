using Microsoft.Extensions.Configuration;

namespace SSeg.Pipelines.Hosting;

/// <summary>
/// The configuration sources of a host, in order of precedence (last wins): appsettings.json, environment
/// variables, SSEG_* variables, the command line, the verb's option overrides. `serve` and `doctor` share them, so
/// doctor checks exactly the storage and queues serve would use.
/// </summary>
public static class HostConfiguration
{
    /// <summary>Adds the SSEG_* sources on top of whatever the builder already has (WebApplication's defaults).</summary>
    public static void AddSources(IConfigurationBuilder configuration, IReadOnlyDictionary<string, string?>? overrides, string[]? args)
    {
        configuration.AddEnvironmentVariables("SSEG_");
        if (Environment.GetEnvironmentVariable("SSEG_AZURE_CONNECTION_STRING") is { Length: > 0 } azure)
            configuration.AddInMemoryCollection([new("Storage:AzureConnectionString", azure)]);
        if (args is { Length: > 0 }) configuration.AddCommandLine(args);
        if (overrides is not null) configuration.AddInMemoryCollection(overrides);
    }

    /// <summary>The settings a host started with these overrides and arguments would bind, without starting it.</summary>
    public static HostSettings Load(IReadOnlyDictionary<string, string?>? overrides, string[]? args)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables();
        AddSources(configuration, overrides, args);
        return configuration.Build().Get<HostSettings>() ?? new HostSettings();
    }
}
