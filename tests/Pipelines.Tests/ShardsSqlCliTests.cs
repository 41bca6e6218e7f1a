using SSeg.Tests.Common;

namespace SSeg.Pipelines.Tests;

/// <summary>`shards sql`: the dashboard's dataset SQL at the command line, with the same refusals and the az:// answer.</summary>
public sealed class ShardsSqlCliTests
{
    private static Task<(int Exit, string Output, string Error)> InvokeAsync(params string[] args) => CliRunner.InvokeAsync(args);

    [Fact]
    public async Task Sql_prints_rows_and_refuses_escapes()
    {
        var root = RepoPaths.NewTempDir("sseg-sql-cli");
        await DashboardData.WriteAsync(root, "cli-shapes");

        var (exit, output, _) = await InvokeAsync("shards", "sql", "cli-shapes", "SELECT reason, count(*) AS n FROM failures GROUP BY reason", "--root", root);
        Assert.Equal(0, exit);
        Assert.Contains("3 row(s)", output);

        (exit, _, var error) = await InvokeAsync("shards", "sql", "cli-shapes", "SELECT * FROM read_csv('/etc/passwd')", "--root", root);
        Assert.Equal(1, exit);
        Assert.Contains("refused: read_csv() is refused", error);

        (exit, _, error) = await InvokeAsync("shards", "sql", "cli-shapes", "SELECT 1", "--root", "az://container/prefix");
        Assert.Equal(1, exit);
        Assert.Contains("needs a local data root", error);
    }
}
