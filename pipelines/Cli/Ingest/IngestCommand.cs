using System.CommandLine;
using SSeg.Pipelines.Jobs;

namespace SSeg.Pipelines.Cli.Ingest;

/// <summary>`ingest`: runs the ingest stage in the foreground over a range of shards, with a progress bar and a summary.</summary>
internal static class IngestCommand
{
    private static readonly Option<string?> Config = new("--config") { Description = "JSON file with any of the stage's options (pipeline keys such as shardSize, or the CLI names without dashes); command-line options win." };
    private static readonly Option<string> Root = DataRootOption.Create("Storage root: a folder or az://container/prefix, connection string from SSEG_AZURE_CONNECTION_STRING");
    private static readonly Option<string?> Shards = new("--shards") { Description = "Shards to run: a-b (inclusive), a, a- or -b. Default: all." };
    private static readonly Option<int> HeapLimit = new("--gc-heap-limit-mb") { Description = "Hard limit on the managed heap in MB (0: none); keeps memory flat on long runs." };
    private static readonly Option<bool> Plain = new("--plain") { Description = "Print one line per shard instead of a live progress bar." };

    public static Command Create()
    {
        var command = new Command("ingest",
            "Download image-text pairs from CC3M/CC12M/RedCaps manifests into image shards (datasets/<name>/images/part-NNNNN.parquet " +
            "+ stats.json + failures.parquet). Committed shards are skipped, so a re-run resumes.");
        var declared = new DeclaredCliOptions(IngestStageOptions.All);
        foreach (var o in new Option[] { Config, Root, Shards, HeapLimit, Plain }) command.Options.Add(o);
        declared.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var config = IngestConfigFile.Load(parse.GetValue(Config));
                var context = declared.Context(parse, config.Get(parse, Root), Environment.GetEnvironmentVariable("SSEG_AZURE_CONNECTION_STRING"), config.Text);
                var options = DeclaredCliOptions.Build(context, IngestAdapter.Build);
                var range = config.Get(parse, Shards);
                GcHeapLimit.Apply(config.Get(parse, HeapLimit));
                return await IngestRunner.RunAsync(options, range, config.Get(parse, Plain), ct);
            }
            catch (Exception e) when (e is FormatException or FileNotFoundException or DirectoryNotFoundException or ArgumentException
                                          or InvalidOperationException or NotSupportedException or System.Text.Json.JsonException)
            {
                Console.Error.WriteLine($"ingest: {e.Message}");
                return 2;
            }
        });
        return command;
    }
}
