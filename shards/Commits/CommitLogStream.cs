using System.Runtime.CompilerServices;

namespace SSeg.Shards.Commits;

/// <summary>Bounded-memory reads of a dataset's committed shards (<see cref="Dataset.StreamShardsAsync"/>).</summary>
internal static class CommitLogStream
{
    public static async IAsyncEnumerable<ShardEntry> ReadAsync(Dataset dataset, string? kind, int fromIndex, [EnumeratorCancellation] CancellationToken ct)
    {
        var manifest = await dataset.GetManifestAsync(ct);
        foreach (var entry in kind is null ? manifest.Shards : manifest.ShardsOf(kind))
            if (entry.Index >= fromIndex) yield return entry;
    }

    public static async Task<DatasetSummary?> SummarizeAsync(Dataset dataset, CancellationToken ct) =>
        await dataset.ReadManifestAsync(ct) is { } manifest ? DatasetInspector.Summarize(manifest) : null;
}
