using System.Text;
using SSeg.Pipelines.Hosting;
using SSeg.Pipelines.Runs;

namespace SSeg.Pipelines.Dashboard;

/// <summary>
/// The PNG plots a stage wrote under its output's <c>plots/</c> folder (training loss and learning rate under
/// <c>runs/&lt;run&gt;/plots/</c>, an eval's per-class IoU under <c>reports/&lt;run&gt;/plots/</c>), shown on the run page.
/// </summary>
internal static class RunPlots
{
    /// <summary>The data-root-relative plots folder of a stage's output, or null when it has none.</summary>
    public static string? FolderOf(StageDefinition stage)
    {
        if (!stage.Options.TryGetValue("run", out var run) || !IsName(run.Trim())) return null;
        return stage.Stage switch
        {
            "train" or "selftrain" => $"runs/{run.Trim()}/plots",
            "eval" => $"reports/{run.Trim()}/plots",
            _ => null,
        };
    }

    public static void Append(StringBuilder html, HostSettings settings, StageDefinition stage, string plotLink)
    {
        if (FolderOf(stage) is not { } folder) return;
        if (LocalDataRoot.Of(settings) is not { } root)
        {
            html.Append("<p class=\"text-muted\"><small>Plots are shown for local data roots only.</small></p>");
            return;
        }
        var directory = Path.Combine(root, folder);
        if (!Directory.Exists(directory)) return;
        var files = Directory.EnumerateFiles(directory, "*.png").Select(Path.GetFileName).OfType<string>()
            .Where(IsName).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) return;
        html.Append("<div class=\"plots\">");
        foreach (var file in files)
            html.Append($"<figure style=\"display:inline-block;margin:4px\"><img class=\"plot\" alt=\"{DisplayText.Html(file)}\" src=\"{plotLink}?path={Uri.EscapeDataString($"{folder}/{file}")}\" style=\"max-width:480px\"/>")
                .Append($"<figcaption><small>{DisplayText.Html(file)}</small></figcaption></figure>");
        html.Append("</div>");
    }

    public static bool IsName(string text) =>
        text.Length is > 0 and <= 200 && text != "." && text != ".." && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
