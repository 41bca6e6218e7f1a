using System.Security.Cryptography;
using SSeg.Shards.Storage;

namespace SSeg.Shards;

/// <summary>SHA-256 (hex) of a stored object, streamed.</summary>
public static class ShardChecksum
{
    /// <summary>Reads the whole object once and returns its hex SHA-256.</summary>
    public static async Task<string> ComputeAsync(IStorage storage, string key, CancellationToken ct = default)
    {
        await using var stream = await storage.OpenReadAsync(key, ct);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }
}
