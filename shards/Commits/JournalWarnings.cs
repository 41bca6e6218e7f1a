using System.Collections.Concurrent;

namespace SSeg.Shards.Commits;

/// <summary>
/// What an operator should know about a dataset's commit log and its readers, said on stderr once per dataset and process, not once per
/// commit or poll: a host's log and a CLI user's terminal both show it, and the shard library has no logger of its own.
/// </summary>
internal static class JournalWarnings
{
    /// <summary>Append failures of a writer (<see cref="CommitLog"/>).</summary>
    public const string AppendRefused = "append";
    /// <summary>A root that takes no appends, so entries are filed as objects (<see cref="CommitJournal"/>).</summary>
    public const string NoAppends = "no-appends";
    /// <summary>Commits a sweep found that the journal did not name (<see cref="CommitLogReader"/>).</summary>
    public const string SweepFoundUnnamed = "sweep";
    /// <summary>A reader that cannot spill heads to a local file (<see cref="CommitLogReader"/>).</summary>
    public const string SpillRefused = "heads-spill";

    private static readonly ConcurrentDictionary<string, bool> Said = new(StringComparer.Ordinal);

    /// <summary>Writes <paramref name="message"/> unless this process already said <paramref name="what"/> of <paramref name="dataset"/>; true when written.</summary>
    public static bool Once(Dataset dataset, string what, string message)
    {
        if (!Said.TryAdd($"{what}\n{dataset.Storage.RootUri}/{dataset.Prefix}", true)) return false;
        Console.Error.WriteLine($"warning: {message}");
        return true;
    }
}
