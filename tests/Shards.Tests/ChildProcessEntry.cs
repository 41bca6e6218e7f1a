using SSeg.Shards.Storage;

namespace SSeg.Shards.Tests;

/// <summary>
/// The test assembly doubles as a console program (GenerateProgramFile=false) so tests can run real second
/// processes: <c>dotnet exec SSeg.Shards.Tests.dll &lt;mode&gt; ...</c>. Azure roots read the connection string from
/// SSEG_AZURE_CONNECTION_STRING.
/// </summary>
public static class ChildProcessEntry
{
    public static async Task<int> Main(string[] args)
    {
        try
        {
            switch (args.FirstOrDefault())
            {
                case "commit-shards":   // root dataset first step count [stepped]
                {
                    var ds = DatasetStore.Open(args[1]).Dataset(args[2]);
                    int first = int.Parse(args[3]), step = int.Parse(args[4]), count = int.Parse(args[5]);
                    for (var i = 0; i < count; i++)
                    {
                        // "stepped": each shard waits for a line on stdin, so the parent can time a kill within one commit.
                        if (args.Length > 6 && args[6] == "stepped" && await Console.In.ReadLineAsync() is null) return 0;
                        var result = await TestRows.WriteImageShardAsync(ds, first + i * step, rows: 2, failures: 1);
                        Console.WriteLine(result.AlreadyCommitted ? "SKIPPED" : "COMMITTED");
                    }
                    Console.WriteLine("DONE");
                    return 0;
                }
                case "write-then-hang":   // root dataset shard
                {
                    var ds = DatasetStore.Open(args[1]).Dataset(args[2]);
                    var writer = await ds.CreateImageShardWriterAsync(int.Parse(args[3]), new ShardWriterOptions { RowGroupMaxRows = 2 });
                    for (var i = 0; i < 9; i++) await writer.AddAsync(TestRows.Image(int.Parse(args[3]), i));
                    Console.WriteLine("READY");
                    await Task.Delay(Timeout.Infinite);
                    return 0;
                }
                default:
                    await Console.Error.WriteLineAsync("usage: commit-shards <root> <dataset> <first> <step> <count> [stepped] | write-then-hang <root> <dataset> <shard>");
                    return 2;
            }
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync(e.ToString());
            return 1;
        }
    }
}
