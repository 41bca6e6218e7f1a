using SSeg.Ingest.Manifests;
using SSeg.Ingest.Stage;

namespace SSeg.Ingest.Tests;

/// <summary>
/// Entry point of this assembly when run as a program (never by the test runner): `ingest-child MANIFEST ROOT
/// DATASET SHARD_SIZE` ingests every shard in order, like the CLI, so the crash test can kill it at any moment.
/// </summary>
public static class ChildProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length != 5 || args[0] != "ingest-child") return 0;
        var options = CrashTests.ChildOptions(args[1], args[2], args[3], int.Parse(args[4]));
        var shards = IngestStage.CountShards(options);
        for (var s = 0; s < shards; s++)
        {
            var o = await IngestStage.RunShardAsync(options, s, null, CancellationToken.None);
            Console.WriteLine($"shard {s} {(o.Skipped ? "skipped" : "done")} {o.Rows} {o.Failures}");
        }
        return 0;
    }
}
