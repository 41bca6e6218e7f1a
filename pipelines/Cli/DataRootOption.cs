using System.CommandLine;

namespace SSeg.Pipelines.Cli;

/// <summary>
/// The `--root` option of every stage and shards verb: one default (SSEG_DATA_ROOT, else ./data), so a verb that
/// writes a dataset and the verb that reads it back agree on where it is.
/// </summary>
internal static class DataRootOption
{
    public const string Variable = "SSEG_DATA_ROOT";

    public static string Default => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } root ? root : "./data";

    /// <param name="description">What the root holds for this verb; the default is appended.</param>
    public static Option<string> Create(string description) => new("--root")
    {
        Description = $"{description} (default: ${Variable} or ./data).",
        DefaultValueFactory = _ => Default,
    };
}
