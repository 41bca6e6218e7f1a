using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using SSeg.Eval.Datasets;
using SSeg.Eval.Protocol;
using SSeg.Eval.Scoring;
using SSeg.Eval.Stage;
using SSeg.Models;
using SSeg.Pipelines.Jobs;
using SSeg.Shards.Storage;
using SSeg.Pipelines.Hosting;

namespace SSeg.Pipelines.Cli.Eval;

/// <summary>The `eval` verb itself: load a checkpoint through the scorer registry, evaluate, write the report.</summary>
internal static class EvalRunCommand
{
    public static Command Create()
    {
        var command = new Command("eval",
            "Evaluate a model: mIoU on VOC, Pascal Context, COCO-Object (also LVIS, ImageNet-S) with the GroupViT protocol " +
            "(short side 448, sliding 448/224 windows, background threshold). Writes <root>/reports/<run>/.");
        var scoring = new ScoringOptionSet(EvalStageOptions.All);
        scoring.AddTo(command);

        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var rootUri = parse.GetValue(scoring.Root)!;
                var given = scoring.Context(parse);
                var checkpoint = scoring.Checkpoint(parse);
                var runName = given.Get(EvalStageOptions.Run.Name) ?? $"{Path.GetFileNameWithoutExtension(checkpoint)}-{DateTime.UtcNow:yyyyMMdd-HHmmss}";
                // Datasets resolve against the working directory like every CLI path; the report goes under the root.
                var context = given with { Options = new Dictionary<string, string>(given.Options) { [EvalStageOptions.Run.Name] = runName } };
                var specs = DeclaredCliOptions.Build(context, EvalAdapter.Specs);
                var options = DeclaredCliOptions.Build(context, EvalAdapter.BuildOptions);
                if (runName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || runName.Contains(".."))
                    throw new ArgumentException($"run name '{runName}' is not a valid folder name");
                bool remote = rootUri.StartsWith("az://", StringComparison.OrdinalIgnoreCase);
                var reportDir = remote
                    ? Path.Combine(Path.GetTempPath(), $"sseg-eval-{Guid.NewGuid():N}", runName)
                    : Path.Combine(rootUri, "reports", runName);

                var settings = scoring.Settings(parse);
                var factory = scoring.Factory(parse);
                var request = new EvalRequest(runName, specs, options, reportDir, StoredThresholds.ForCheckpoint(factory, checkpoint), settings);
                EvalStage.OpenDatasets(request); // fail on a bad folder before spending time on the model
                var dev = scoring.DeviceOf(parse);
                var load = scoring.LoadOptions(parse, dev, settings);
                AnsiConsole.MarkupLine($"Scorer [bold]{Markup.Escape(factory.Kind)}[/] on {Markup.Escape(ComputeInfo.Of(dev, load.Precision).ToString())}");
                using var scorer = factory.Load(checkpoint, load);

                SSeg.Eval.Reports.RunReport? report = null;
                AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                        new RemainingTimeColumn(), new SpinnerColumn())
                    .Start(ctx =>
                    {
                        var tasks = new Dictionary<string, ProgressTask>();
                        var progress = new SyncProgress<EvalProgress>(p =>
                        {
                            if (!tasks.TryGetValue(p.Dataset, out var t)) tasks[p.Dataset] = t = ctx.AddTask(p.Dataset, maxValue: p.Total);
                            t.Value = p.Done;
                        });
                        report = EvalStage.Run(scorer, request, progress, ct);
                    });

                var location = reportDir;
                if (remote)
                {
                    var storage = StorageFactory.Open(rootUri);
                    foreach (var file in Directory.EnumerateFiles(reportDir, "*", SearchOption.AllDirectories))
                    {
                        var key = "reports/" + runName + "/" + Path.GetRelativePath(reportDir, file).Replace('\\', '/');
                        await storage.WriteAsync(key, await File.ReadAllBytesAsync(file, ct), ct);
                    }
                    Directory.Delete(Path.GetDirectoryName(reportDir)!, recursive: true);
                    location = rootUri.TrimEnd('/') + "/reports/" + runName;
                }
                EvalConsole.WriteSummary(report!, location);
                return report!.Datasets.Any(d => d.Incomplete) ? 2 : 0;
            }
            catch (Exception e) when (e is ArgumentException or FormatException or IOException or InvalidDataException or InvalidOperationException)
            {
                AnsiConsole.MarkupLine($"[red]eval failed:[/] {Markup.Escape(e.Message)}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>`eval scorers`: the scorer factories this host knows.</summary>
    public static Command CreateScorersList()
    {
        var command = new Command("scorers", "List the scorer factories (checkpoint kinds) registered in this host.");
        command.SetAction(_ =>
        {
            var registry = ScorerFactories.Create();
            if (registry.Factories.Count == 0) Console.WriteLine("No scorer factories registered yet (train/selftrain provide them).");
            foreach (var f in registry.Factories) Console.WriteLine($"{f.Kind}\t{f.GetType().FullName}");
            return 0;
        });
        return command;
    }

    /// <summary>IProgress that calls back on the reporting thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
