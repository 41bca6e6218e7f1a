using System.Security.Cryptography;
using System.Text;
using SSeg.Ingest.Manifests;

namespace SSeg.Ingest.Stage;

/// <summary>
/// What one image shard is made from: its manifest rows (location, URL, caption, extra fields, malformed reason),
/// which of them are duplicates of an earlier URL, and <see cref="IngestOptions.ConfigHash"/> (sources, shard size,
/// de-duplication, image settings). Recorded in the shard's commit object; a rebuild skips a shard whose stored
/// fingerprint equals the new one. Download settings (concurrency, timeouts, retries) are left out on purpose:
/// they change how fast rows arrive, not what a committed row holds.
/// </summary>
public static class ShardInputFingerprint
{
    public static string Of(ManifestSlice slice, IngestOptions options)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string? field)
        {
            // Length-prefixed, so no two different rows can concatenate to the same bytes.
            var bytes = field is null ? [] : Encoding.UTF8.GetBytes(field);
            hash.AppendData(BitConverter.GetBytes(field is null ? -1 : bytes.Length));
            hash.AppendData(bytes);
        }
        Add(options.ConfigHash());
        Add(slice.Shard.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var row in slice.Rows)
        {
            Add(row.Location);
            Add(row.Url);
            Add(row.Caption);
            Add(row.ExtraJson);
            Add(row.Malformed);
            Add(slice.DuplicateOf.GetValueOrDefault(row.Index));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
