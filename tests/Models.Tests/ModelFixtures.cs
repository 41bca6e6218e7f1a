using System.Runtime.CompilerServices;

namespace SSeg.Models.Tests;

/// <summary>
/// Fixture folder of this project. Located from this source file's path, which also works when bin/ lives
/// outside the tree (SSEG_BUILD_ROOT) and the test host's working directory is not under the checkout.
/// </summary>
internal static class ModelFixtures
{
    public static string Dir { get; } = Locate();

    public static string File(string name) => Path.Combine(Dir, name);

    private static string Locate([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Fixtures");
}
