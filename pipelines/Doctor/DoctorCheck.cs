namespace SSeg.Pipelines.Doctor;

public enum CheckStatus { Ok, Warn, Fail }

/// <summary>One line of `doctor` output: a fail makes the exit code non-zero, a warn does not.</summary>
public sealed record DoctorCheck(CheckStatus Status, string Name, string Detail)
{
    public static DoctorCheck Ok(string name, string detail) => new(CheckStatus.Ok, name, detail);
    public static DoctorCheck Warn(string name, string detail) => new(CheckStatus.Warn, name, detail);
    public static DoctorCheck Fail(string name, string detail) => new(CheckStatus.Fail, name, detail);

    public override string ToString() => $"{Status.ToString().ToLowerInvariant(),-4}  {Name,-12}  {Detail}";
}
