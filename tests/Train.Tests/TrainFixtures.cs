using System.Reflection;

namespace SSeg.Train.Tests;

/// <summary>Fixture and scratch locations for the train tests; works when bin/ is outside the checkout.</summary>
internal static class TrainFixtures
{
    public static string SourceRoot { get; } = typeof(TrainFixtures).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "SourceRoot").Value!;

    public static string Dir => Path.Combine(SourceRoot, "tests", "Train.Tests", "Fixtures");

    public static string File(string name) => Path.Combine(Dir, name);

    public static string NewTempDir(string prefix = "sseg-train-test")
    {
        var dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }
}
