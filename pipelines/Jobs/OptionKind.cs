namespace SSeg.Pipelines.Jobs;

/// <summary>How a stage option's value reaches the file system; OptionValue applies the rule for each kind.</summary>
public enum OptionKind
{
    /// <summary>Not a file-system value (numbers, modes, URLs in manifests).</summary>
    Text,

    /// <summary>Always a name (run, report, dataset, generator id): one path segment inside the data root, never a path.</summary>
    Name,

    /// <summary>A trained checkpoint: a run name (runs/&lt;name&gt;) or a path.</summary>
    RunOrPath,

    /// <summary>A model file (backbone weights, vocabulary): a name under models/ or a path.</summary>
    ModelOrPath,

    /// <summary>An evaluation or target dataset folder: a name under benchmarks/ or a path.</summary>
    FolderOrPath,
}
