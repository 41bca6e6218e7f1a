using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace SSeg.Shards.Commits;

/// <summary>
/// A local file that holds blocks of heads a reader moved out of its memory (<see cref="HeadsTable.SpilledTo"/>), so
/// that what a process keeps of a dataset does not grow with its shard count. Append-only: a block is written once and
/// never changed, so the snapshots that refer to it stay valid while newer ones refer to newer blocks.
/// <para>
/// The file is unlinked as soon as it is open (off Windows; there it is deleted on close), so it needs no cleanup and a
/// killed process leaves nothing behind. It lives as long as a block refers to it: the handle is released by the
/// garbage collector once the last snapshot that uses one of its blocks is gone.
/// </para>
/// </summary>
internal sealed class HeadsSpill
{
    private static readonly int HeadSize = Unsafe.SizeOf<ShardHead>();
    private readonly SafeFileHandle _file;
    private readonly object _appendLock = new();
    private long _length;

    private HeadsSpill(SafeFileHandle file, string path)
    {
        _file = file;
        Path = path;
    }

    /// <summary>Where the file was made (gone from the directory already off Windows); for error messages.</summary>
    public string Path { get; }

    /// <summary>Bytes written so far, those of blocks no snapshot uses any more included.</summary>
    public long Length => Interlocked.Read(ref _length);

    /// <summary>The folder spill files are made in: the system's temporary folder (<c>TMPDIR</c> on Linux).</summary>
    public static string Folder => System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sseg-heads");

    /// <summary>A new, empty spill file in <paramref name="folder"/> (made if missing).</summary>
    /// <exception cref="IOException">The folder cannot be made or written (read-only, full); the message names it.</exception>
    public static HeadsSpill Create(string folder)
    {
        var path = System.IO.Path.Combine(folder, $"{Environment.ProcessId}-{Guid.NewGuid():N}.heads");
        try
        {
            Directory.CreateDirectory(folder);
            var options = OperatingSystem.IsWindows() ? FileOptions.DeleteOnClose : FileOptions.None;
            var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, options);
            if (!OperatingSystem.IsWindows()) File.Delete(path);
            return new HeadsSpill(file, path);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new IOException($"Cannot make a heads spill file at {path}: {e.Message}", e);
        }
    }

    /// <summary>Writes <paramref name="heads"/> at the end of the file; returns where they start.</summary>
    public long Append(ReadOnlySpan<ShardHead> heads)
    {
        var bytes = MemoryMarshal.AsBytes(heads);
        lock (_appendLock)
        {
            var offset = _length;
            RandomAccess.Write(_file, bytes, offset);
            Interlocked.Exchange(ref _length, offset + bytes.Length);
            return offset;
        }
    }

    /// <summary>Reads <paramref name="count"/> heads written at <paramref name="offset"/>.</summary>
    public ShardHead[] Read(long offset, int count)
    {
        var heads = new ShardHead[count];
        var bytes = MemoryMarshal.AsBytes(heads.AsSpan());
        for (var done = 0; done < bytes.Length;)
        {
            var n = RandomAccess.Read(_file, bytes[done..], offset + done);
            if (n == 0) throw new IOException($"The heads spill file {Path} ends at {offset + done} B, before the {count} heads written at {offset}.");
            done += n;
        }
        return heads;
    }

    /// <summary>Bytes <paramref name="count"/> heads take in a spill file.</summary>
    public static long BytesOf(int count) => (long)count * HeadSize;
}
