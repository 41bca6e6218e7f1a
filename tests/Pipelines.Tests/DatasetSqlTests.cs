using SSeg.Pipelines.Sql;
using SSeg.Shards;
using SSeg.Tests.Common;

namespace SSeg.Pipelines.Tests;

/// <summary>Issue 17 item 5: read-only DuckDB SQL over a dataset's committed shards, and every way out refused.</summary>
public sealed class DatasetSqlTests
{
    private static async Task<(string Root, DatasetManifest Manifest)> DatasetAsync()
    {
        var root = RepoPaths.NewTempDir("sseg-sql");
        var dataset = await DashboardData.WriteAsync(root, "sql-shapes");
        return (root, await dataset.GetManifestAsync());
    }

    private static Task<DatasetSql.Result> Query(string root, string sql, int maxRows = 100, double seconds = 20) =>
        DatasetSql.QueryAsync(root, "sql-shapes", sql, maxRows, TimeSpan.FromSeconds(seconds));

    [Fact]
    public async Task Views_read_the_committed_images_failures_and_masks()
    {
        var (root, manifest) = await DatasetAsync();
        var count = await Query(root, "SELECT count(*) AS n FROM images");
        Assert.Equal(["n"], count.Columns);
        Assert.Equal(manifest.ImageShards.Sum(s => s.Rows), Convert.ToInt64(count.Rows[0][0]));

        var reasons = await Query(root, "SELECT reason, count(*) AS n FROM failures GROUP BY reason ORDER BY n DESC, reason;");
        Assert.Equal([("http_404", 2L), ("decode_error", 1L), ("timeout", 1L)], reasons.Rows.Select(r => ((string)r[0]!, Convert.ToInt64(r[1]))));

        var masks = await Query(root, "SELECT generator, count(*) FROM masks GROUP BY generator");
        Assert.Equal(manifest.ShardsOf(ShardNames.MasksKind(SSeg.Train.Synthetic.SyntheticShapes.GeneratorId)).Sum(s => s.Rows), Convert.ToInt64(Assert.Single(masks.Rows)[1]));

        var joined = await Query(root, "SELECT i.key, i.image, m.segments, i.shard FROM images i JOIN masks m USING (key) ORDER BY i.key LIMIT 2 -- first two");
        Assert.Equal("synthetic/00000/00000", joined.Rows[0][0]);
        Assert.True(DatasetSql.ImageBytes(joined.Rows[0][1]) is not null, $"no image bytes in a {joined.Rows[0][1]?.GetType()}: {DatasetSql.Text(joined.Rows[0][1])}");
        Assert.Equal(0, Convert.ToInt32(joined.Rows[0][3]));

        // An orphan file next to the committed shards (a crashed writer) is not part of any view.
        File.Copy(Path.Combine(root, "datasets", "sql-shapes", manifest.ImageShards[0].Path.Replace('/', Path.DirectorySeparatorChar)),
            Path.Combine(root, "datasets", "sql-shapes", "images", "part-00042.parquet"));
        Assert.Equal(manifest.ImageShards.Sum(s => s.Rows), Convert.ToInt64((await Query(root, "SELECT count(*) FROM images")).Rows[0][0]));
    }

    [Fact]
    public async Task Row_limit_and_time_limit_stop_a_query()
    {
        var (root, _) = await DatasetAsync();
        var limited = await Query(root, "SELECT * FROM range(1000)", maxRows: 10);
        Assert.Equal(10, limited.Rows.Count);
        Assert.True(limited.Truncated);
        var slow = await Assert.ThrowsAsync<SqlRefusedException>(() =>
            Query(root, "SELECT count(*) FROM range(100000000) a, range(100000000) b WHERE a.range + b.range = 7", seconds: 1));
        Assert.Contains("time limit of 1 s", slow.Message);
    }

    [Theory]
    [InlineData("SELECT * FROM read_csv('/etc/passwd')", "read_csv() is refused")]
    [InlineData("select * from READ_TEXT('/etc/passwd')", "READ_TEXT() is refused")]
    [InlineData("SELECT * FROM '/etc/passwd'", "reading a file by name in FROM is refused")]
    [InlineData("SELECT * FROM query('COPY images TO ''/tmp/x.csv''')", "query() is refused")]
    [InlineData("COPY images TO '/tmp/sseg-sql-copy.csv'", "only SELECT queries are allowed; COPY is refused")]
    [InlineData("ATTACH '/tmp/sseg-sql-attach.db' AS evil", "only SELECT queries are allowed; ATTACH is refused")]
    [InlineData("INSTALL httpfs", "only SELECT queries are allowed; INSTALL is refused")]
    [InlineData("LOAD httpfs", "only SELECT queries are allowed; LOAD is refused")]
    [InlineData("PRAGMA database_list", "only SELECT queries are allowed; PRAGMA is refused")]
    [InlineData("SET enable_external_access = true", "only SELECT queries are allowed; SET is refused")]
    [InlineData("SELECT 1; SELECT 2", "only a single statement is allowed")]
    [InlineData("SELECT 1; COPY images TO '/tmp/x.csv'", "only a single statement is allowed")]
    [InlineData("SELECT getenv('HOME')", "getenv() is refused")]
    [InlineData("SELECT $$x$$", "'$'")]
    [InlineData("   ", "the query is empty")]
    public async Task Escapes_are_refused_with_a_message(string sql, string message)
    {
        var (root, _) = await DatasetAsync();
        var refused = await Assert.ThrowsAsync<SqlRefusedException>(() => Query(root, sql));
        Assert.Contains(message, refused.Message);
    }

    /// <summary>Past the text checks, DuckDB itself refuses files: external access is off and locked.</summary>
    [Theory]
    [InlineData("SELECT * FROM \"/etc/passwd\"")]
    [InlineData("SELECT * FROM images, \"/etc/hostname\"")]
    [InlineData("SELECT current_setting('enable_external_access') AS v FROM images WHERE CAST(current_setting('enable_external_access') AS BOOLEAN)")]
    public async Task DuckDB_itself_refuses_files_outside_the_shards(string sql)
    {
        var (root, _) = await DatasetAsync();
        try
        {
            var result = await Query(root, sql);
            Assert.Empty(result.Rows); // the setting query: external access reads false, so no row passes
        }
        catch (SqlRefusedException e)
        {
            Assert.DoesNotContain("root:", e.Message);
        }
    }

    [Fact]
    public void An_azure_root_says_SQL_is_not_available()
    {
        Assert.Contains("needs a local data root", DatasetSql.Unavailable("az://container/prefix"));
        Assert.Null(DatasetSql.Unavailable("/data"));
    }
}
