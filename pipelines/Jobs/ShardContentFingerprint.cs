using System.Security.Cryptography;
using System.Text;
using SSeg.Shards;

namespace SSeg.Pipelines.Jobs;

/// <summary>
/// SHA-256 over committed shards' content: one part a shard (its SHA-256 with what names it), comma-joined, kind by
/// kind in the order given, each by index. The shards are streamed one block at a time, so a plan over billions of
/// pairs never holds every shard's entry; stages' plans use it as their input fingerprint.
/// </summary>
internal static class ShardContentFingerprint
{
    /// <param name="kinds">Kinds to cover in this order (null: every kind, in ordinal order).</param>
    /// <returns>The number of shards covered and the hex digest.</returns>
    public static async Task<(int Shards, string Hash)> OfAsync(Dataset dataset, IEnumerable<string?> kinds, Func<ShardEntry, string> part,
        CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var shards = 0;
        foreach (var kind in kinds)
            await foreach (var entry in dataset.StreamShardsAsync(kind, 0, ct))
                hash.AppendData(Encoding.UTF8.GetBytes((shards++ == 0 ? "" : ",") + part(entry)));
        return (shards, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}
