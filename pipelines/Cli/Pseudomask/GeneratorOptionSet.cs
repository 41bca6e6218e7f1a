using System.CommandLine;
using SSeg.Pipelines.Jobs;
using SSeg.Pseudomask;

namespace SSeg.Pipelines.Cli.Pseudomask;

/// <summary>
/// The generator options of `pseudomask`, `pseudomask oracle` and `bench pseudomask`, derived from the stage's declarations
/// (PseudomaskStageOptions.Generator); a verb may start from other defaults (the bench's smaller inputs).
/// </summary>
internal sealed class GeneratorOptionSet(string defaultModel = "vit_small", int defaultPatch = 8, int defaultMaxSide = 448, int defaultBatch = 16)
{
    private readonly DeclaredCliOptions _declared = new(PseudomaskStageOptions.Generator.Select(d => d.Name switch
    {
        "model" => d with { Default = defaultModel },
        "patch" => d with { Default = defaultPatch.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        "maxSide" => d with { Default = defaultMaxSide.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        "batchSize" => d with { Default = defaultBatch.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        _ => d,
    }).ToList());

    public void AddTo(Command command) => _declared.AddTo(command);

    /// <summary>The generator settings; a checkpoint path is used as given (the CLI's paths are trusted).</summary>
    public GeneratorOptions Build(ParseResult parse) =>
        DeclaredCliOptions.Build(Context(parse), PseudomaskAdapter.BuildGenerator);

    public StageContext Context(ParseResult parse, string root = ".", string? azureConnectionString = null) =>
        _declared.Context(parse, root, azureConnectionString, DefaultsOf);

    private Func<StageOption, string?> DefaultsOf => d => _declared.Declarations.First(x => x.Name == d.Name).Default;
}
