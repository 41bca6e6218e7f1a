using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace SSeg.Shards.Storage;

/// <summary>
/// Turns <c>O_DIRECT</c> on and off for an open file (fcntl(2)). Direct I/O needs the buffer address, length and
/// file offset aligned to <see cref="Alignment"/>; where a file system or OS has no O_DIRECT it reports false.
/// </summary>
internal static partial class DirectIo
{
    /// <summary>Alignment of address, length and offset for direct I/O (the largest common logical block).</summary>
    public const int Alignment = 4096;

    private const int F_GETFL = 3, F_SETFL = 4;

    // O_DIRECT differs between architectures.
    private static readonly int DirectFlag = !OperatingSystem.IsLinux() ? 0 : RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => 0x4000,
        Architecture.Arm64 or Architecture.Arm => 0x10000,
        _ => 0,
    };

    /// <summary>Sets or clears O_DIRECT; false where that is not possible.</summary>
    public static bool TrySet(SafeFileHandle handle, bool on)
    {
        if (DirectFlag == 0) return false;
        var flags = Fcntl(handle, F_GETFL, 0);
        if (flags < 0) return false;
        return Fcntl(handle, F_SETFL, on ? flags | DirectFlag : flags & ~DirectFlag) == 0;
    }

    public static bool IsAligned(long value) => value % Alignment == 0;

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(SafeFileHandle fd, int cmd, int arg);
}
