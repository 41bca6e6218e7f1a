using System.Net;
using System.Text.RegularExpressions;
using SSeg.Pipelines.Jobs;
using SSeg.Pipelines.Runs;
using SSeg.Tests.Common;

namespace SSeg.Pipelines.Tests;

/// <summary>
/// Option values that name runs, reports, checkpoints, generators and datasets (issue 17): the dashboard accepts names
/// only (or checkpoints under Dashboard:AllowedModelFolders); the CLI and pipeline files may give paths for checkpoints
/// and dataset folders, never for names.
/// </summary>
public sealed class OptionPathTests
{
    /// <summary>Every bad value paired with a stage, the option and the reason the refusal must give.</summary>
    private static readonly (string Stage, string Option, string Value, string Reason)[] Refused =
    [
        ("eval", "run", "../../../traversal-report", "option 'run' must be a name"),
        ("eval", "run", "/tmp/abs-report", "option 'run' must be a name"),
        ("eval", "run", "a/b", "option 'run' must be a name"),
        ("eval", "checkpoint", "../../../etc", "option 'checkpoint': the dashboard accepts a name"),
        ("eval", "checkpoint", "/", "option 'checkpoint': the dashboard accepts a name"),
        ("eval", "checkpoint", "runs/x", "option 'checkpoint': the dashboard accepts a name"),
        ("eval", "datasets", "voc=../../../etc", "option 'datasets': the dashboard accepts a name"),
        ("eval", "datasets", "voc=/etc", "option 'datasets': the dashboard accepts a name"),
        ("pseudomask", "generatorId", "../../../tmp/evil", "option 'generatorId' must be a name"),
        ("pseudomask", "generatorId", "/tmp/evil", "option 'generatorId' must be a name"),
        ("pseudomask", "generatorId", "a\\b", "option 'generatorId' must be a name"),
        ("pseudomask", "checkpoint", "/etc/passwd", "option 'checkpoint': the dashboard accepts a name"),
        ("pseudomask", "dataset", "../x", "option 'dataset' must be a name"),
        ("ingest", "dataset", "/tmp/x", "option 'dataset' must be a name"),
        ("train", "run", "../x", "option 'run' must be a name"),
        ("train", "maskGenerator", "a/b", "option 'maskGenerator' must be a name"),
        ("selftrain-label", "targetRoot", "/etc", "option 'targetRoot': the dashboard accepts a name"),
        ("selftrain-label", "checkpoint", "../../x", "option 'checkpoint': the dashboard accepts a name"),
        ("selftrain", "generatorId", "../x", "option 'generatorId' must be a name"),
        ("selftrain", "pretrained", "/etc/hostname", "option 'pretrained': the dashboard accepts a name"),
    ];

    [Fact]
    public async Task Run_form_refuses_paths_and_traversal_with_the_reason_and_enqueues_nothing()
    {
        await using var host = await TestHost.StartAsync(RepoPaths.NewTempDir("sseg-paths-form"));
        using var http = new HttpClient();
        foreach (var (stage, option, value, reason) in Refused)
        {
            var form = await http.GetStringAsync(host.DashboardUrl + "/sseg/run");
            var token = Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
            var posted = await http.PostAsync(host.DashboardUrl + "/sseg/run", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["stage"] = stage, [$"opt:{stage}:{option}"] = value,
            }));
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
            var body = WebUtility.HtmlDecode(await posted.Content.ReadAsStringAsync());
            var errors = Regex.Match(body, "class=\"[^\"]*validation-errors[^\"]*\"(.*?)</(ul|div)>", RegexOptions.Singleline).Value;
            Assert.True(errors.Contains(reason), $"{stage} {option}={value}: expected '{reason}' in the form's errors, got: {errors}");
            // Nothing outside the data root was probed: no file name of /etc shows up.
            Assert.DoesNotContain("modules-load.d", body);
            Assert.DoesNotContain("not found: /etc", body);
        }
        Assert.Empty(host.Runs.List());
        Assert.False(Directory.Exists(Path.Combine(host.Root, "..", "..", "..", "traversal-report")));
    }

    [Fact]
    public async Task Pipeline_files_and_the_CLI_accept_checkpoint_and_dataset_folder_paths_but_never_paths_for_names()
    {
        var root = RepoPaths.NewTempDir("sseg-paths-cli");
        await using var host = await TestHost.StartAsync(Path.Combine(root, "data"));
        var checkpoint = Directory.CreateDirectory(Path.Combine(root, "elsewhere", "ckpt")).FullName;
        var voc = Directory.CreateDirectory(Path.Combine(root, "elsewhere", "voc")).FullName;

        // Names that are paths are refused from the trusted origin too, with the same reasons.
        foreach (var (stage, option, value, reason) in Refused.Where(r => r.Reason.Contains("must be a name")))
            Assert.Contains(host.Engine.Validate(Single(stage, (option, value)), OptionOrigin.Trusted), e => e.Contains(reason));

        // Explicit paths for a checkpoint and a dataset folder are accepted (and resolved as given).
        var eval = Single("eval", ("run", "r1"), ("checkpoint", checkpoint), ("datasets", $"voc={voc}"));
        Assert.DoesNotContain(host.Engine.Validate(eval, OptionOrigin.Trusted), e => e.Contains("checkpoint") || e.Contains("datasets"));
        var context = host.Engine.ContextFor("t", eval, 0, OptionOrigin.Trusted);
        Assert.Equal(checkpoint, OptionValue.Resolve(context, "checkpoint", OptionKind.RunOrPath));
        Assert.Equal(Path.Combine(Path.GetFullPath(host.Root), "reports", "r1"), EvalAdapter.ReportDirectory(context));
        // The same definition from the dashboard is refused, and a bare name means runs/<name> under the data root.
        Assert.Contains(host.Engine.Validate(eval, OptionOrigin.Dashboard), e => e.Contains("option 'checkpoint': the dashboard accepts a name"));
        Assert.Equal(Path.Combine(Path.GetFullPath(host.Root), "runs", "tiny"),
            OptionValue.Resolve(host.Engine.ContextFor("t", Single("eval", ("checkpoint", "tiny")), 0, OptionOrigin.Dashboard), "checkpoint", OptionKind.RunOrPath));

        // `run FILE`: a pipeline file with a path checkpoint is enqueued; one with a traversing generator id is refused.
        var good = Path.Combine(root, "good.json");
        await File.WriteAllTextAsync(good, $$"""{ "name": "paths", "stages": [ { "stage": "eval", "options": { "run": "r1", "checkpoint": {{Json(checkpoint)}}, "datasets": {{Json("voc=" + voc)}} } } ] }""");
        var bad = Path.Combine(root, "bad.json");
        await File.WriteAllTextAsync(bad, """{ "name": "evil", "stages": [ { "stage": "pseudomask", "options": { "dataset": "d", "generatorId": "../../../tmp/evil" } } ] }""");
        var error = new StringWriter();
        var (originalOut, originalError) = (Console.Out, Console.Error);
        int goodRc, badRc;
        try
        {
            Console.SetOut(TextWriter.Null);
            Console.SetError(error);
            Dictionary<string, string?> Settings() => new()
            {
                ["Storage:Root"] = Path.Combine(root, "cli"), ["Jobs:SqlitePath"] = Path.Combine(root, "cli.db"), ["Urls"] = "http://127.0.0.1:0",
                ["Logging:LogLevel:Default"] = "Warning",
            };
            goodRc = await RunCommand.ExecuteAsync(new FileInfo(good), wait: false, Settings(), [], CancellationToken.None);
            badRc = await RunCommand.ExecuteAsync(new FileInfo(bad), wait: false, Settings(), [], CancellationToken.None);
        }
        finally
        {
            Console.SetOut(originalOut);
            Console.SetError(originalError);
        }
        Assert.True(goodRc == 0, error.ToString());
        Assert.Equal(2, badRc);
        Assert.Contains("option 'generatorId' must be a name", error.ToString());
    }

    [Fact]
    public async Task Dashboard_checkpoints_may_lie_under_an_allowed_model_folder_after_normalisation()
    {
        var root = RepoPaths.NewTempDir("sseg-paths-allowed");
        var models = Directory.CreateDirectory(Path.Combine(root, "models-store")).FullName;
        var checkpoint = Path.Combine(models, "teacher.pt");
        await File.WriteAllTextAsync(checkpoint, "not a real checkpoint");
        await using var host = await TestHost.StartAsync(Path.Combine(root, "data"),
            new Dictionary<string, string?> { ["Dashboard:AllowedModelFolders:0"] = models });

        string? Refusal(string value)
        {
            try { OptionValue.Resolve(host.Engine.ContextFor("t", Single("eval", ("checkpoint", value)), 0, OptionOrigin.Dashboard), "checkpoint", OptionKind.RunOrPath); return null; }
            catch (StageOptionException e) { return e.Message; }
        }
        Assert.Null(Refusal(checkpoint));
        Assert.Contains("or an absolute path under an allowed model folder", Refusal(Path.Combine(models, "..", "..", "etc")));
        Assert.NotNull(Refusal(models + "-evil/x.pt")); // a sibling sharing the prefix is not inside
        Assert.NotNull(Refusal("models-store/teacher.pt")); // relative: would depend on the host's working directory
        // Dataset folders are not model folders: still names only from the dashboard.
        Assert.Contains(host.Engine.Validate(Single("eval", ("run", "r"), ("checkpoint", checkpoint), ("datasets", $"voc={models}")), OptionOrigin.Dashboard),
            e => e.Contains("option 'datasets': the dashboard accepts a name"));
    }

    private static PipelineDefinition Single(string stage, params (string Key, string Value)[] options)
    {
        var definition = new StageDefinition { Stage = stage };
        foreach (var (key, value) in options) definition.Options[key] = value;
        return new PipelineDefinition { Name = "paths", Stages = [definition] };
    }

    private static string Json(string value) => System.Text.Json.JsonSerializer.Serialize(value);
}
