namespace SSeg.Tests.Common;

/// <summary>Locations the tests read from: the repository root, ../shared beside it, and scratch folders.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>../shared beside the checkout (UD EWT, photos). Read at test time, never copied in.</summary>
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
        var fromEnv = Environment.GetEnvironmentVariable("SSEG_REPO_ROOT");
        if (!string.IsNullOrEmpty(fromEnv) && File.Exists(Path.Combine(fromEnv, "Pipeline.sln")))
            return Path.GetFullPath(fromEnv);
        // This file sits at <root>/tests/Common/; its compile-time path works whatever SSEG_BUILD_ROOT is.
        var fromSource = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", ".."));
        if (File.Exists(Path.Combine(fromSource, "Pipeline.sln")))
            return fromSource;
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            var dir = new DirectoryInfo(start);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
                dir = dir.Parent;
            if (dir is not null) return dir.FullName;
        }
        throw new InvalidOperationException(
            "Cannot find Pipeline.sln (set SSEG_REPO_ROOT to the repository root).");
    }

    private static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
}
