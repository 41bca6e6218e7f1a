using Spectre.Console;

namespace SSeg.Pipelines.Cli.Selftrain;

/// <summary>Console helpers shared by the selftrain verbs.</summary>
internal static class SelftrainConsole
{
    /// <summary>IProgress that calls back on the reporting thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    public static int Fail(string verb, Exception e)
    {
        AnsiConsole.MarkupLine($"[red]{verb} failed:[/] {Markup.Escape(e.Message)}");
        return 1;
    }

    public static bool IsUserError(Exception e) =>
        e is ArgumentException or FormatException or IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException;
}
