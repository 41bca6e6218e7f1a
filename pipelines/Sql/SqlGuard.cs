using System.Text;
using System.Text.RegularExpressions;

namespace SSeg.Pipelines.Sql;

/// <summary>
/// The first line of defence for dataset SQL: one SELECT (or WITH … SELECT) statement, and no function that reads
/// files, runs SQL from a string, or reads the environment. The second, DuckDB's own, is in DatasetSql: external
/// access off with only the dataset's shard files allowed, and the configuration locked.
/// </summary>
public static partial class SqlGuard
{
    /// <summary>Table and scalar functions that read files or run SQL text; DuckDB would refuse most with external access off.</summary>
    private static readonly HashSet<string> RefusedFunctions = new(StringComparer.OrdinalIgnoreCase)
    {
        "read_csv", "read_csv_auto", "sniff_csv", "read_parquet", "parquet_scan", "parquet_metadata", "parquet_schema",
        "parquet_file_metadata", "parquet_kv_metadata", "parquet_bloom_probe", "read_json", "read_json_auto",
        "read_json_objects", "read_json_objects_auto", "read_ndjson", "read_ndjson_auto", "read_ndjson_objects",
        "read_text", "read_blob", "glob", "read_xlsx", "st_read", "iceberg_scan", "delta_scan", "query", "query_table",
        "getenv", "duckdb_secrets", "duckdb_settings", "duckdb_extensions", "load_extension",
    };

    /// <summary>The query without a trailing ';'; throws SqlRefusedException saying why it is refused.</summary>
    public static string Check(string sql)
    {
        var code = Code(sql, out var literalAfterFrom);
        var trimmed = sql.Trim().TrimEnd(';').TrimEnd();
        if (code.Trim().Trim(';').Trim().Length == 0) throw new SqlRefusedException("the query is empty");
        if (code.Trim().TrimEnd(';').Contains(';'))
            throw new SqlRefusedException("only a single statement is allowed (found ';' between statements)");
        var first = FirstWord().Match(code).Groups[1].Value;
        if (!first.Equals("select", StringComparison.OrdinalIgnoreCase) && !first.Equals("with", StringComparison.OrdinalIgnoreCase)
            && !first.Equals("from", StringComparison.OrdinalIgnoreCase))
            throw new SqlRefusedException($"only SELECT queries are allowed; {first.ToUpperInvariant()} is refused");
        foreach (Match call in FunctionCall().Matches(code))
            if (RefusedFunctions.Contains(call.Groups[1].Value))
                throw new SqlRefusedException($"{call.Groups[1].Value}() is refused: queries read the dataset's views (images, failures, masks) only");
        if (literalAfterFrom)
            throw new SqlRefusedException("reading a file by name in FROM is refused: queries read the dataset's views (images, failures, masks) only");
        return trimmed;
    }

    /// <summary>
    /// The query with string literals, quoted identifiers and comments blanked, so keywords and ';' are found only in
    /// code. Dollar-quoted strings are refused outright rather than parsed.
    /// </summary>
    private static string Code(string sql, out bool literalAfterFrom)
    {
        var code = new StringBuilder(sql.Length);
        literalAfterFrom = false;
        for (var i = 0; i < sql.Length; i++)
        {
            var c = sql[i];
            if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                while (i < sql.Length && sql[i] != '\n') i++;
                code.Append(' ');
            }
            else if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0) throw new SqlRefusedException("unterminated /* comment");
                i = end + 1;
                code.Append(' ');
            }
            else if (c is '\'' or '"')
            {
                if (c == '\'' && PrecededByFrom(code)) literalAfterFrom = true;
                var j = i + 1;
                while (true)
                {
                    if (j >= sql.Length) throw new SqlRefusedException($"unterminated {(c == '\'' ? "string" : "quoted identifier")}");
                    if (sql[j] == c)
                    {
                        if (j + 1 < sql.Length && sql[j + 1] == c) { j += 2; continue; }
                        break;
                    }
                    j++;
                }
                code.Append(c == '\'' ? " '' " : " \"q\" ");
                i = j;
            }
            else if (c == '$') throw new SqlRefusedException("'$' (dollar-quoted strings, parameters) is not supported");
            else code.Append(c);
        }
        return code.ToString();
    }

    private static bool PrecededByFrom(StringBuilder code) => FromOrJoinAtEnd().IsMatch(code.ToString());

    [GeneratedRegex(@"^\s*\(*\s*([A-Za-z_]+)")]
    private static partial Regex FirstWord();

    [GeneratedRegex(@"([A-Za-z_][A-Za-z0-9_]*)\s*\(")]
    private static partial Regex FunctionCall();

    [GeneratedRegex(@"(?i)\b(from|join)\s*$")]
    private static partial Regex FromOrJoinAtEnd();
}

/// <summary>A dataset query that is not run, with the reason.</summary>
public sealed class SqlRefusedException(string message) : Exception(message);
