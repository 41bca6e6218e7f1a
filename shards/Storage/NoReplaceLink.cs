using System.Runtime.InteropServices;

namespace SSeg.Shards.Storage;

/// <summary>
/// Puts a finished file under a new name only if that name is free, atomically: of several processes racing for
/// one name exactly one wins. On Linux and macOS this is link(2), which fails with EEXIST when the name exists.
/// File.Move without overwrite is not enough there: .NET checks for the destination and then renames, so two
/// movers can both "win" (measured: 24 of 300 four-way races had more than one winner).
/// </summary>
internal static class NoReplaceLink
{
    private const int EEXIST = 17;

    /// <summary>True when <paramref name="destination"/> now names <paramref name="source"/>'s content; false when the
    /// name was taken. The caller deletes <paramref name="source"/> if it is still there.</summary>
    public static bool TryLink(string source, string destination)
    {
        if (OperatingSystem.IsWindows())
        {
            // MoveFileEx without MOVEFILE_REPLACE_EXISTING fails atomically when the destination exists.
            try
            {
                File.Move(source, destination, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(destination))
            {
                return false;
            }
        }
        if (link(source, destination) == 0) return true;
        var errno = Marshal.GetLastPInvokeError();
        if (errno == EEXIST) return false;
        throw new IOException($"cannot create {destination} (link from {source} failed with errno {errno})");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int link(string oldpath, string newpath);
}
