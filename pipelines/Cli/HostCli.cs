using System.CommandLine;

namespace SSeg.Pipelines.Cli;

/// <summary>The host verbs: serve (Hangfire server + dashboard), run (enqueue a pipeline file), demo.</summary>
public static class HostCli
{
    public static Command CreateServe() => new("serve", "Run the Hangfire server and dashboard.");

    public static Command CreateRun() => new("run", "Enqueue a pipeline definition (JSON) as a chain of jobs.");

    public static Command CreateDemo() => new("demo", "Run the whole chain on the bundled offline sample.");
}
