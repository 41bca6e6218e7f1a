using SSeg.Shards;

namespace SSeg.Ingest.Manifests;

/// <summary>
/// The combined input of a dataset: the sources in the given order, every row numbered once
/// (<see cref="ManifestEntry.Index"/>). Shard i holds rows [i·N, (i+1)·N).
/// </summary>
public sealed class ManifestSet
{
    public ManifestSet(IReadOnlyList<SourceSpec> sources, ManifestReadOptions? options = null)
    {
        if (sources.Count == 0) throw new ArgumentException("At least one source is needed.", nameof(sources));
        foreach (var s in sources)
            if (!File.Exists(s.Path) && !Directory.Exists(s.Path))
                throw new FileNotFoundException($"Manifest for source '{s.Name}' not found: {s.Path}", s.Path);
        Sources = sources;
        Options = options ?? new ManifestReadOptions();
    }

    public IReadOnlyList<SourceSpec> Sources { get; }
    public ManifestReadOptions Options { get; }

    /// <summary>Every row of every source, streamed.</summary>
    public IEnumerable<ManifestEntry> ReadAll()
    {
        long index = 0;
        foreach (var source in Sources)
        {
            var raw = source.Kind switch
            {
                SourceKind.RedCaps => RedCapsManifestReader.Read(source.Path, Options),
                _ => TsvManifestReader.Read(source.Path, source.Kind, Options),
            };
            foreach (var r in raw)
                yield return new ManifestEntry(index++, source.Name, $"{source.Name}:{r.Location}", r.Url, r.Caption, r.ExtraJson, r.Malformed);
        }
    }

    /// <summary>Total number of rows (one streaming pass).</summary>
    public long CountRows()
    {
        long n = 0;
        foreach (var _ in ReadAll()) n++;
        return n;
    }

    public static int ShardCount(long rows, int shardSize) => (int)((rows + shardSize - 1) / shardSize);

    /// <summary>
    /// The rows of shard <paramref name="shard"/>, each marked whether its URL already appeared earlier in the
    /// combined input (an earlier shard, or earlier in this one): the first occurrence is kept.
    /// Memory stays O(shard size): the earlier rows are streamed a second time and only compared against this
    /// shard's URLs.
    /// </summary>
    public ManifestSlice ReadSlice(int shard, int shardSize, bool dedupe = true)
    {
        long lo = (long)shard * shardSize, hi = lo + shardSize;
        var rows = new List<ManifestEntry>(shardSize);
        foreach (var e in ReadAll())
        {
            if (e.Index < lo) continue;
            if (e.Index >= hi) break;
            rows.Add(e);
        }
        var duplicateOf = new Dictionary<long, string>();
        if (dedupe)
        {
            var firstInShard = new Dictionary<string, ManifestEntry>(StringComparer.Ordinal);
            foreach (var e in rows)
            {
                if (e.IsMalformed || e.Url is null) continue;
                if (firstInShard.TryGetValue(e.Url, out var first))
                    duplicateOf[e.Index] = first.Location;
                else
                    firstInShard[e.Url] = e;
            }
            if (lo > 0 && firstInShard.Count > 0)
            {
                foreach (var e in ReadAll())
                {
                    if (e.Index >= lo) break;
                    if (e.IsMalformed || e.Url is null) continue;
                    if (firstInShard.Remove(e.Url, out var later))
                        duplicateOf[later.Index] = e.Location;
                    if (firstInShard.Count == 0) break;
                }
            }
        }
        return new ManifestSlice(shard, shardSize, rows, duplicateOf);
    }
}

/// <summary>The rows of one shard plus, for duplicate URLs, where the kept first occurrence is.</summary>
public sealed record ManifestSlice(int Shard, int ShardSize, IReadOnlyList<ManifestEntry> Rows, IReadOnlyDictionary<long, string> DuplicateOf)
{
    public int RowInShard(ManifestEntry e) => (int)(e.Index - (long)Shard * ShardSize);

    /// <summary>`&lt;source&gt;/&lt;shard:5&gt;/&lt;row:5&gt;`, stable across re-runs.</summary>
    public string KeyOf(ManifestEntry e) => SampleKey.Format(e.Source, Shard, RowInShard(e));
}
