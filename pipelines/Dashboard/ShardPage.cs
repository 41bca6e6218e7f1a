using System.Globalization;
using System.Numerics;
using SSeg.Shards;

namespace SSeg.Pipelines.Dashboard;

/// <summary>
/// One page of a dataset's committed image shards, from shard index <see cref="From"/> on, read from the streamed log
/// and stopped as soon as the page is full, so a page of a 500,000-shard dataset holds and renders one page of
/// entries. Pages are addressed by shard index (<c>?from=N</c>), not page number: the next page starts at the first
/// shard not shown (<see cref="NextFrom"/>); the previous one goes back one page of shard indices, which is the
/// previous page exactly when the indices have no gaps.
/// </summary>
internal sealed record ShardPage(int From, int PageSize, IReadOnlyList<ShardEntry> Shards, int? NextFrom)
{
    /// <summary>
    /// A <c>from</c> value from the query string, kept inside [0, int.MaxValue]: a negative or overflowing number
    /// (of any length) reads as the nearest valid index, anything else as 0, like <see cref="Paging"/>.
    /// </summary>
    public static int ParseFrom(string? requested) =>
        BigInteger.TryParse(requested, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? (int)BigInteger.Clamp(n, 0, int.MaxValue)
            : 0;

    /// <summary>Where the previous page starts, or null on the first.</summary>
    public int? PreviousFrom => From > 0 ? Math.Max(0, From - PageSize) : null;

    /// <summary>
    /// Up to <paramref name="pageSize"/> image shards from index <paramref name="from"/> that <paramref name="keep"/>
    /// accepts (all when null). Throws when the dataset does not exist.
    /// </summary>
    public static async Task<ShardPage> ReadAsync(Dataset dataset, int from, int pageSize, Func<ShardEntry, bool>? keep = null, CancellationToken ct = default)
    {
        var shards = new List<ShardEntry>(pageSize);
        int? next = null;
        await foreach (var entry in dataset.StreamShardsAsync(ShardNames.ImagesKind, from, ct))
        {
            if (keep is not null && !keep(entry)) continue;
            if (shards.Count == pageSize)
            {
                next = entry.Index;
                break;
            }
            shards.Add(entry);
        }
        return new ShardPage(from, pageSize, shards, next);
    }

    /// <summary>
    /// The generators (of <paramref name="generators"/>, in that order) that committed a mask shard for each shard of
    /// this page: one stream per generator from <see cref="From"/>, stopped past the page's last shard.
    /// </summary>
    public async Task<Dictionary<int, List<string>>> MaskGeneratorsAsync(Dataset dataset, IEnumerable<string> generators, CancellationToken ct = default)
    {
        var covered = Shards.ToDictionary(s => s.Index, _ => new List<string>());
        if (Shards.Count == 0) return covered;
        var last = Shards[^1].Index;
        foreach (var generator in generators)
            await foreach (var mask in dataset.StreamShardsAsync(ShardNames.MasksKind(generator), From, ct))
            {
                if (mask.Index > last) break;
                if (covered.TryGetValue(mask.Index, out var list)) list.Add(generator);
            }
        return covered;
    }
}
