using System.Runtime.InteropServices;

namespace SSeg.Shards.Storage;

/// <summary>
/// Appends to a file with one <c>write(2)</c> on a descriptor opened with <c>O_APPEND</c>, which moves to the end and
/// writes as one step: records appended at once by several processes never overwrite each other. .NET's
/// <see cref="FileMode.Append"/> is not enough: it seeks to the end once at open and writes at its own position, so two
/// appenders write over each other.
/// </summary>
internal static class AppendWrite
{
    // Linux values.
    private const int O_WRONLY = 0x1, O_CREAT = 0x40, O_APPEND = 0x400, O_CLOEXEC = 0x80000;
    private const int EINTR = 4;
    private const int FileMode644 = 0x1A4;

    /// <summary>Appends <paramref name="record"/> to <paramref name="path"/>, creating the file when absent.</summary>
    public static unsafe void Append(string path, ReadOnlySpan<byte> record)
    {
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException($"Appending to {path}: a local storage root needs Linux's O_APPEND (this build targets linux-x64).");
        int fd;
        while ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, FileMode644)) < 0 && Marshal.GetLastPInvokeError() == EINTR) { }
        if (fd < 0) throw new IOException($"cannot open {path} to append (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            fixed (byte* bytes = record)
            {
                nint written;
                while ((written = write(fd, bytes, record.Length)) < 0 && Marshal.GetLastPInvokeError() == EINTR) { }
                if (written < 0) throw new IOException($"cannot append to {path} (errno {Marshal.GetLastPInvokeError()})");
                // A regular file takes a small record whole unless the disk is full; a short write is reported, not retried, so no record is split.
                if (written != record.Length) throw new IOException($"appended only {written} of {record.Length} bytes to {path} (disk full?)");
            }
        }
        finally
        {
            close(fd);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open(string path, int flags, int mode);

    [DllImport("libc", SetLastError = true)]
    private static extern unsafe nint write(int fd, byte* buffer, nint count);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
