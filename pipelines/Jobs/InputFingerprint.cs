using System.Security.Cryptography;
using System.Text;

namespace SSeg.Pipelines.Jobs;

/// <summary>SHA-256 over the bytes of input files (a folder: every file under it, by relative path).</summary>
public static class InputFingerprint
{
    public static string Of(IEnumerable<string> paths)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                    AddFile(hash, file, Path.GetRelativePath(path, file));
            }
            else if (File.Exists(path)) AddFile(hash, path, Path.GetFileName(path));
            else throw new FileNotFoundException($"Input not found: {path}", path);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void AddFile(IncrementalHash hash, string file, string name)
    {
        hash.AppendData(Encoding.UTF8.GetBytes(name + "\n"));
        using var stream = File.OpenRead(file);
        hash.AppendData(SHA256.HashData(stream));
    }
}
