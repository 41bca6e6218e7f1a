using SSeg.Shards.Commits;
using SSeg.Tests.Common;
using static SSeg.Shards.Tests.CheckpointSegmentContractTests;

namespace SSeg.Shards.Tests;

/// <summary>
/// The readers a process keeps: the most recently used, within a count and a budget of heads, so a host that browses
/// many large datasets does not hold every one's heads. Datasets are real, on a local root.
/// </summary>
public sealed class CommitLogReaderCacheTests : IDisposable
{
    private readonly string _root = RepoPaths.NewTempDir("sseg-reader-cache");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private async Task<(Dataset Dataset, string Incarnation)> DatasetOfAsync(string name, int shards)
    {
        var ds = await DatasetStore.Open(_root).CreateOrOpenAsync(name);
        await CommitAsync(ds, Enumerable.Range(0, shards).Select(i => Entry(i)));
        return (ds, (await ds.GetManifestAsync()).CommitIncarnation);
    }

    [Fact]
    public async Task The_least_recently_used_readers_go_once_the_others_heads_pass_the_budget_and_the_one_in_use_stays()
    {
        var cache = new CommitLogReaderCache(maxReaders: 10, headsBudgetBytes: 150 * 32);   // 150 shards' heads
        var readers = new Dictionary<string, CommitLogReader>();
        foreach (var name in new[] { "a", "b", "c" })
        {
            var (ds, inc) = await DatasetOfAsync(name, shards: 100);
            readers[name] = cache.For(name);
            await readers[name].ReadAsync(ds, inc, default);
            Assert.Equal(100 * 32, readers[name].HeadsBytes);
        }
        // Asking for c again: a and b hold 200 shards' heads beside it, over the budget, so a (used least recently) goes.
        Assert.Same(readers["c"], cache.For("c"));
        Assert.Equal((2, 200L * 32), (cache.Count, cache.HeadsBytes));
        Assert.Same(readers["b"], cache.For("b"));
        Assert.NotSame(readers["a"], cache.For("a"));   // read afresh when asked for again

        // One dataset larger than the whole budget is still kept while it is the one in use.
        var (big, bigInc) = await DatasetOfAsync("big", shards: 400);
        var bigReader = cache.For("big");
        await bigReader.ReadAsync(big, bigInc, default);
        Assert.Same(bigReader, cache.For("big"));
        // Beside it: b (100 shards) and the new, unread a; c, used least recently, went when big was first asked for.
        Assert.Equal((3, (400L + 100) * 32), (cache.Count, cache.HeadsBytes));
    }

    [Fact]
    public void No_more_readers_are_kept_than_the_count_allows_and_the_oldest_go_first()
    {
        var cache = new CommitLogReaderCache(maxReaders: 3, headsBudgetBytes: long.MaxValue);
        var first = cache.For("1");
        foreach (var key in new[] { "2", "3" }) cache.For(key);
        Assert.Same(first, cache.For("1"));   // used again: now the most recent
        cache.For("4");
        Assert.Equal(3, cache.Count);
        Assert.Same(first, cache.For("1"));   // "2" went, not "1"
        cache.Forget("1");
        Assert.NotSame(first, cache.For("1"));
    }
}
