namespace SSeg.Eval.Tests;

/// <summary>Eval's fixture folder and self-deleting scratch folders.</summary>
internal static class TestPaths
{
    public static string Fixtures { get; } = SSeg.Tests.Common.RepoPaths.Fixtures("Eval.Tests");

    public static string Fixture(string name) => Path.Combine(Fixtures, name);

    /// <summary>A fresh folder under the temp dir, deleted on dispose.</summary>
    public static TempDir NewTempDir(string prefix = "sseg-eval") => new(prefix);
}

internal sealed class TempDir : IDisposable
{
    public TempDir(string prefix)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string relative) => System.IO.Path.Combine(Path, relative);

    public void Dispose()
    {
        try { Directory.Delete(Path, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
