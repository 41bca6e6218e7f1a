using SSeg.Runs;
namespace SSeg.Selftrain.Data;

/// <summary>
/// Deterministic training order: each epoch shuffles the shard order and the rows inside every shard (seeded by
/// seed and epoch), then walks shard by shard so only one or two shards are decoded at a time. The k-th sample
/// of a run is a pure function of (seed, k), which makes resuming exact.
/// </summary>
public sealed class SampleOrder
{
    private readonly int _seed;
    private readonly int[] _rows;
    private readonly long _total;
    private long _cachedEpoch = -1;
    private (int Position, int Row)[] _epoch = [];

    public SampleOrder(int seed, IReadOnlyList<int> rowsPerShard)
    {
        _seed = seed;
        _rows = rowsPerShard.ToArray();
        _total = _rows.Sum(r => (long)r);
        if (_total == 0) throw new ArgumentException("no samples to train on");
    }

    public long SamplesPerEpoch => _total;

    /// <summary>(shard position, row) of the <paramref name="k"/>-th sample of the run.</summary>
    public (int Position, int Row) At(long k)
    {
        var epoch = k / _total;
        if (epoch != _cachedEpoch)
        {
            _epoch = BuildEpoch(epoch);
            _cachedEpoch = epoch;
        }
        return _epoch[k % _total];
    }

    private (int, int)[] BuildEpoch(long epoch)
    {
        var rng = new Random(SeedMixer.NonNegative(_seed, epoch, -1));
        var shardOrder = Enumerable.Range(0, _rows.Length).ToArray();
        rng.Shuffle(shardOrder);
        var result = new List<(int, int)>((int)_total);
        foreach (var position in shardOrder)
        {
            var rows = Enumerable.Range(0, _rows[position]).ToArray();
            new Random(SeedMixer.NonNegative(_seed, epoch, position)).Shuffle(rows);
            result.AddRange(rows.Select(r => (position, r)));
        }
        return result.ToArray();
    }
}
