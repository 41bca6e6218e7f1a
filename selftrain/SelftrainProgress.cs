namespace SSeg.Selftrain;

/// <summary>Progress of a selftrain job: Done of Total units, with an optional note (loss, lr, ...).</summary>
public sealed record SelftrainProgress(long Done, long? Total, string Unit, string? Note = null)
{
    public override string ToString() => (Total is { } t ? $"{Done}/{t} {Unit}" : $"{Done} {Unit}") + (Note is null ? "" : $" ({Note})");
}
