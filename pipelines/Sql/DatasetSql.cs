using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using SSeg.Shards;

namespace SSeg.Pipelines.Sql;

/// <summary>
/// Read-only SQL over one dataset on a local data root, with DuckDB: the views <c>images</c>, <c>failures</c> and
/// <c>masks</c> read the committed shard files (never an orphan or a file being written), a query is one
/// SELECT (SqlGuard), and DuckDB itself may open only those files: external access is switched off after the views
/// are made, with the shard files as its allowed paths, and the configuration is locked so the query cannot undo it.
/// </summary>
public static class DatasetSql
{
    public const int DefaultMaxRows = 100;
    public static readonly TimeSpan DefaultTimeLimit = TimeSpan.FromSeconds(10);

    public sealed record Result(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows, bool Truncated, TimeSpan Elapsed);

    /// <summary>Why SQL is not offered for a root, or null when it is.</summary>
    public static string? Unavailable(string root) =>
        root.StartsWith("az://", StringComparison.OrdinalIgnoreCase)
            ? "SQL over shards needs a local data root; on an az:// root DuckDB would need its azure extension, downloaded at run time, which this host does not do."
            : null;

    /// <summary>Runs <paramref name="sql"/>; throws SqlRefusedException for a refused or failed query, with the reason.</summary>
    public static async Task<Result> QueryAsync(string localRoot, string datasetName, string sql, int maxRows, TimeSpan timeLimit, CancellationToken ct = default)
    {
        var query = SqlGuard.Check(sql);
        var dataset = DatasetStore.Open(localRoot).Dataset(datasetName);
        var (images, failures, masks) = await ShardFilesAsync(localRoot, dataset, ct);

        await using var connection = new DuckDBConnection("Data Source=:memory:");
        await connection.OpenAsync(ct);
        foreach (var setup in Setup(images, failures, masks)) Execute(connection, setup);

        var stopwatch = Stopwatch.StartNew();
        await using var command = connection.CreateCommand();
        // The limit wraps the query, so DuckDB stops producing rows there; the newline ends a trailing -- comment.
        command.CommandText = $"SELECT * FROM ({query}\n) AS result LIMIT {maxRows + 1}";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeLimit);
        await using var registration = deadline.Token.Register(() => { try { command.Cancel(); } catch (Exception) { /* already done */ } });
        try
        {
            return await Task.Run(() => Read(command, maxRows, stopwatch), CancellationToken.None);
        }
        catch (Exception e) when (e is DbException or OperationCanceledException || e.GetType().Name.Contains("DuckDB", StringComparison.Ordinal))
        {
            if (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
                throw new SqlRefusedException($"the query ran past the time limit of {timeLimit.TotalSeconds:0.#} s and was stopped");
            ct.ThrowIfCancellationRequested();
            throw new SqlRefusedException(e.Message);
        }
    }

    /// <summary>
    /// The files of the committed shards, streamed from the log: DuckDB needs every path, but not the rest of each
    /// shard's entry, so only the paths are kept.
    /// </summary>
    private static async Task<(List<string> Images, List<string> Failures, List<(string Generator, string File)> Masks)> ShardFilesAsync(
        string localRoot, Dataset dataset, CancellationToken ct)
    {
        string FileOf(string relative) => Path.GetFullPath(Path.Combine(localRoot, dataset.KeyOf(relative).Replace('/', Path.DirectorySeparatorChar)));
        List<string> images = [], failures = [];
        List<(string Generator, string File)> masks = [];
        // The same test of existence as DatasetStore.ListDatasetsAsync: one probe, where the stream would throw a generic error.
        if (await dataset.Storage.GetInfoAsync(dataset.KeyOf(ShardNames.ManifestFile), ct) is null)
            throw new SqlRefusedException($"no dataset '{dataset.Name}' under {localRoot}");
        await foreach (var s in dataset.StreamShardsAsync(ct: ct))
        {
            if (s.Kind == ShardNames.ImagesKind)
            {
                images.Add(FileOf(s.Path));
                if (s.FailuresPath is not null) failures.Add(FileOf(s.FailuresPath));
            }
            else if (ShardNames.GeneratorOfMasksKind(s.Kind) is { } generator)
                masks.Add((generator, FileOf(s.Path)));
        }
        return (images, failures, masks);
    }

    private static Result Read(DbCommand command, int maxRows, Stopwatch stopwatch)
    {
        using var reader = command.ExecuteReader();
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        var rows = new List<object?[]>();
        var truncated = false;
        while (reader.Read())
        {
            if (rows.Count == maxRows) { truncated = true; break; }
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : Materialize(reader.GetValue(i));
            rows.Add(row);
        }
        return new Result(columns, rows, truncated, stopwatch.Elapsed);
    }

    // BLOBs arrive as streams over the reader's memory, valid only until it moves on; copy them (also inside structs and lists).
    private static object? Materialize(object? value)
    {
        switch (value)
        {
            case Stream stream:
                using (var copy = new MemoryStream())
                {
                    stream.CopyTo(copy);
                    return copy.ToArray();
                }
            case System.Collections.IDictionary dictionary:
                var result = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (System.Collections.DictionaryEntry entry in dictionary) result[entry.Key.ToString() ?? ""] = Materialize(entry.Value);
                return result;
            case System.Collections.IList list when value is not string:
                return list.Cast<object?>().Select(Materialize).ToList();
            default:
                return value;
        }
    }

    private static IEnumerable<string> Setup(List<string> images, List<string> failures, List<(string Generator, string File)> masks)
    {
        yield return "SET autoinstall_known_extensions = false";
        yield return "SET autoload_known_extensions = false";
        yield return "SET threads = 2";
        yield return "SET memory_limit = '1GB'";
        yield return "CREATE VIEW images AS " + (images.Count == 0
            ? "SELECT NULL::VARCHAR AS key, NULL::INTEGER AS shard WHERE false"
            : $"SELECT * EXCLUDE (filename), {ShardOf} AS shard FROM read_parquet({List(images)}, filename = true, union_by_name = true)");
        yield return "CREATE VIEW failures AS " + (failures.Count == 0
            ? "SELECT NULL::VARCHAR AS url, NULL::VARCHAR AS key, NULL::VARCHAR AS reason, NULL::VARCHAR AS detail, NULL::INTEGER AS shard WHERE false"
            : $"SELECT * EXCLUDE (filename), {ShardOf} AS shard FROM read_parquet({List(failures)}, filename = true, union_by_name = true)");
        yield return "CREATE VIEW masks AS " + (masks.Count == 0
            ? "SELECT NULL::VARCHAR AS key, NULL::VARCHAR AS generator, NULL::INTEGER AS shard WHERE false"
            : string.Join(" UNION ALL BY NAME ", masks.GroupBy(m => m.Generator).Select(g =>
                $"SELECT * EXCLUDE (filename), {Literal(g.Key)} AS generator, {ShardOf} AS shard FROM read_parquet({List(g.Select(m => m.File))}, filename = true)")));
        var allowed = images.Concat(failures).Concat(masks.Select(m => m.File)).ToList();
        yield return $"SET allowed_paths = {(allowed.Count == 0 ? "[]" : List(allowed))}";
        yield return "SET enable_external_access = false";
        yield return "SET lock_configuration = true";
    }

    private const string ShardOf = "CAST(regexp_extract(filename, 'part-(\\d+)', 1) AS INTEGER)";

    private static string List(IEnumerable<string> files) => "[" + string.Join(", ", files.Select(Literal)) + "]";

    private static string Literal(string text) => "'" + text.Replace("'", "''") + "'";

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>A cell as text: numbers invariant, nested values as DuckDB-like literals.</summary>
    public static string Text(object? value) => value switch
    {
        null => "NULL",
        byte[] bytes => $"<{bytes.Length} bytes>",
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IDictionary d => "{" + string.Join(", ", d.Keys.Cast<object>().Select(k => $"{k}: {Text(d[k])}")) + "}",
        System.Collections.IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(Text)) + "]",
        _ => value.ToString() ?? "",
    };

    /// <summary>The image bytes of a cell (a BLOB, or the HF-style image struct's bytes) when they are a JPEG or PNG.</summary>
    public static byte[]? ImageBytes(object? value)
    {
        var bytes = value switch
        {
            byte[] b => b,
            System.Collections.IDictionary d when d.Contains("bytes") => d["bytes"] as byte[],
            _ => null,
        };
        return bytes is { Length: > 4 } && (bytes[0] == 0xFF && bytes[1] == 0xD8 || bytes[0] == 0x89 && bytes[1] == 'P') ? bytes : null;
    }
}
