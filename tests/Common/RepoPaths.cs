namespace SSeg.Tests.Common;

/// <summary>Locations the tests read from: the repository root, ../shared beside it, and scratch folders.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>../shared beside the checkout (docs, UD EWT, photos). Read at test time, never copied in.</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    public static string Photos => Path.Combine(Shared, "data", "photos");

    public static string Fixtures(string area) => Path.Combine(Root, "tests", area, "Fixtures");

    /// <summary>A fresh empty folder under the system temp dir; removed by the caller or left for inspection.</summary>
    public static string NewTempDir(string prefix = "sseg-test")
    {
        var dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Where tests leave artefacts worth keeping (screenshots, reports): ./test-results under the root.</summary>
    public static string Artifacts(string name)
    {
        var dir = Path.Combine(Root, "test-results", name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
            dir = dir.Parent;
        if (dir is not null) return dir.FullName;
        // Builds with SSEG_BUILD_ROOT put bin/ outside the tree; fall back to the working directory's ancestors.
        dir = new DirectoryInfo(Directory.GetCurrentDirectory());
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Cannot find Pipeline.sln above the test binaries or the working directory.");
    }
}
