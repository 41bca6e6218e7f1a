using SSeg.Shards;

namespace SSeg.Tests.Common;

/// <summary>Damage done to a committed shard's file on a local root, as a partial copy or a bad disk would leave it.</summary>
public static class ShardDamage
{
    /// <summary>The file behind a shard path of <paramref name="dataset"/> stored under <paramref name="root"/>.</summary>
    public static string LocalFile(string root, Dataset dataset, string shardPath) =>
        Path.Combine(root, dataset.KeyOf(shardPath).Replace('/', Path.DirectorySeparatorChar));

    /// <summary>Cuts the file to half its length: its Parquet footer is gone.</summary>
    public static void TruncateToHalf(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Write);
        stream.SetLength(stream.Length / 2);
    }

    /// <summary>
    /// Overwrites the page header of the key column's first data page: size, footer and row count stay as committed,
    /// so only reading that row group (or a checksum) finds the damage.
    /// </summary>
    public static async Task OverwriteKeyPageHeaderAsync(string file)
    {
        var bytes = await File.ReadAllBytesAsync(file);
        long offset;
        using (var copy = new MemoryStream(bytes))
        await using (var parquet = await Parquet.ParquetReader.CreateAsync(copy))
            offset = parquet.Metadata!.RowGroups[0].Columns.Single(c => c.MetaData!.PathInSchema.SequenceEqual(["key"])).MetaData!.DataPageOffset;
        Array.Fill(bytes, (byte)0xFF, (int)offset, 16);
        await File.WriteAllBytesAsync(file, bytes);
    }
}
