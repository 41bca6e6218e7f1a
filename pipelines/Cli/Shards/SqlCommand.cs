using System.CommandLine;
using Spectre.Console;
using SSeg.Pipelines.Sql;

namespace SSeg.Pipelines.Cli.Shards;

/// <summary>`shards sql DATASET "SELECT …"`: the dashboard's dataset SQL (DatasetSql) from the command line.</summary>
internal static class SqlCommand
{
    public static Command Create()
    {
        var command = new Command("sql",
            "Run one read-only SELECT over a dataset on a local root: views images, failures and masks over its committed shards.");
        var dataset = new Argument<string>("dataset") { Description = "Dataset name (see `shards list`)." };
        var query = new Argument<string>("query") { Description = "One SELECT, e.g. \"SELECT reason, count(*) FROM failures GROUP BY reason\"." };
        var maxRows = new Option<int>("--max-rows") { Description = "Rows shown at most.", DefaultValueFactory = _ => DatasetSql.DefaultMaxRows };
        var seconds = new Option<double>("--time-limit") { Description = "Seconds before the query is stopped.", DefaultValueFactory = _ => DatasetSql.DefaultTimeLimit.TotalSeconds };
        var root = new RootOptions();
        command.Arguments.Add(dataset);
        command.Arguments.Add(query);
        command.Options.Add(maxRows);
        command.Options.Add(seconds);
        root.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var rootUri = parse.GetValue(root.Root)!;
            if (DatasetSql.Unavailable(rootUri) is { } why)
            {
                Console.Error.WriteLine(why);
                return 1;
            }
            if (parse.GetValue(maxRows) is < 1 or > 100_000 || parse.GetValue(seconds) is <= 0 or > 3600)
            {
                Console.Error.WriteLine("--max-rows must be 1..100000 and --time-limit 0..3600 seconds");
                return 1;
            }
            try
            {
                var result = await DatasetSql.QueryAsync(Path.GetFullPath(rootUri), parse.GetValue(dataset)!, parse.GetValue(query)!,
                    parse.GetValue(maxRows), TimeSpan.FromSeconds(parse.GetValue(seconds)), ct);
                var table = new Table().Border(TableBorder.Simple);
                foreach (var column in result.Columns) table.AddColumn(Markup.Escape(column));
                foreach (var row in result.Rows) table.AddRow(row.Select(v => Markup.Escape(DatasetSql.Text(v))).ToArray());
                AnsiConsole.Write(table);
                Console.WriteLine($"{result.Rows.Count} row(s){(result.Truncated ? $" (limit {parse.GetValue(maxRows)} reached)" : "")} in {result.Elapsed.TotalMilliseconds:0} ms");
                return 0;
            }
            catch (SqlRefusedException e)
            {
                Console.Error.WriteLine($"refused: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
