using Parquet;
using Parquet.Schema;
using SSeg.Shards.Storage;

namespace SSeg.Shards.Reading;

/// <summary>Opens a stored Parquet file and checks that it has the expected columns; clear errors name the key.</summary>
internal static class ShardFileReader
{
    /// <summary>Bounds Parquet.Net's pool of freed read buffers (unbounded when unset).</summary>
    public static readonly ParquetOptions ReaderOptions = new() { MaximumSmallPoolFreeBytes = 16 << 20, MaximumLargePoolFreeBytes = 64 << 20 };

    /// <summary>An open shard file: its stream, Parquet reader and columns by '/'-joined path.</summary>
    public sealed record OpenFile(string Key, Stream Stream, ParquetReader Reader, IReadOnlyDictionary<string, DataField> Fields);

    public static async Task<OpenFile> OpenAsync(
        IStorage storage, string key, IReadOnlyDictionary<string, Type> requiredColumns, CancellationToken ct)
    {
        var stream = await storage.OpenReadAsync(key, ct);
        ParquetReader? reader = null;
        try
        {
            try
            {
                reader = await ParquetReader.CreateAsync(stream, ReaderOptions, leaveStreamOpen: true, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new InvalidDataException($"{storage.RootUri}/{key} is not a readable Parquet file: {e.Message}", e);
            }
            var fields = reader.Schema.GetDataFields().ToDictionary(f => string.Join('/', f.Path.ToList()));
            foreach (var (path, type) in requiredColumns)
            {
                if (!fields.TryGetValue(path, out var field))
                    throw new InvalidDataException($"{storage.RootUri}/{key} has no column '{path}'.");
                if (LogicalType(field.ClrType) != type)
                    throw new InvalidDataException($"{storage.RootUri}/{key}: column '{path}' is {LogicalType(field.ClrType).Name}, expected {type.Name}.");
            }
            return new OpenFile(key, stream, reader, fields);
        }
        catch
        {
            if (reader is not null) await reader.DisposeAsync();
            await stream.DisposeAsync();
            throw;
        }
    }

    /// <summary>Parquet.Net reports UTF-8 and binary columns as ReadOnlyMemory; compare them as string and byte[].</summary>
    private static Type LogicalType(Type clr) =>
        clr == typeof(ReadOnlyMemory<char>) ? typeof(string) : clr == typeof(ReadOnlyMemory<byte>) ? typeof(byte[]) : clr;
}
