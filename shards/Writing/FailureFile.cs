using Parquet;
using SSeg.Shards.Parquet;
using SSeg.Shards.Storage;

namespace SSeg.Shards;

/// <summary>Writes and reads <c>part-NNNNN.failures.parquet</c> (url, key, reason, detail).</summary>
internal static class FailureFile
{
    public static async Task WriteAsync(IStorage storage, string key, IReadOnlyList<FailureRow> failures, CancellationToken ct)
    {
        var schema = new FailureSchema();
        await using var file = await Writing.StagedParquetFile.CreateAsync(storage, key, schema.Schema, null, CompressionMethod.Snappy, ct);
        if (failures.Count > 0)
        {
            using var rg = file.BeginRowGroup(failures.Count);
            await ColumnIO.WriteStringsAsync(rg, schema.Url, failures.Select(f => f.Url).ToArray());
            await ColumnIO.WriteStringsAsync(rg, schema.Key, failures.Select(f => f.Key).ToArray());
            await ColumnIO.WriteStringsAsync(rg, schema.Reason, failures.Select(f => f.Reason).ToArray());
            await ColumnIO.WriteStringsAsync(rg, schema.Detail, failures.Select(f => f.Detail).ToArray());
            rg.CompleteValidate();
        }
        await file.CloseAsync(ct);
        await file.PublishAsync(ct);
    }

    public static async Task<IReadOnlyList<FailureRow>> ReadAsync(IStorage storage, string key, CancellationToken ct)
    {
        await using var stream = await storage.OpenReadAsync(key, ct);
        await using var reader = await ParquetReader.CreateAsync(stream, Reading.ShardFileReader.ReaderOptions, leaveStreamOpen: true, ct);
        var fields = reader.Schema.GetDataFields().ToDictionary(f => f.Path.ToString()!);
        var result = new List<FailureRow>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            var n = checked((int)rg.RowCount);
            var urls = await ColumnIO.ReadStringsAsync(rg, fields["url"], n, ct);
            var keys = await ColumnIO.ReadStringsAsync(rg, fields["key"], n, ct);
            var reasons = await ColumnIO.ReadStringsAsync(rg, fields["reason"], n, ct);
            var details = await ColumnIO.ReadStringsAsync(rg, fields["detail"], n, ct);
            for (var i = 0; i < n; i++) result.Add(new FailureRow(urls[i], keys[i], reasons[i] ?? "", details[i]));
        }
        return result;
    }
}
