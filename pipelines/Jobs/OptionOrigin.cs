namespace SSeg.Pipelines.Jobs;

/// <summary>
/// Who supplied a run's option values, which decides whether explicit file-system paths are accepted (see OptionValue).
/// Stored with the run and with a schedule, so the jobs that resolve the values later apply the same rule.
/// </summary>
public enum OptionOrigin
{
    /// <summary>The dashboard (Run form, Schedules page): anyone who can reach it over HTTP. Names only.</summary>
    Dashboard,

    /// <summary>The CLI and pipeline files: their users already have the machine's files, so paths are accepted.</summary>
    Trusted,
}
