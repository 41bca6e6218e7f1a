using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace SSeg.Shards.Storage;

/// <summary>
/// <see cref="IStorage"/> on a local folder. Staged writes go to <c>&lt;root&gt;/_sseg/tmp/</c> and are published
/// with an atomic rename; compare-and-swap holds an exclusive OS file lock (released by the OS if the process
/// dies) while it checks the content hash and renames the new content into place.
/// </summary>
public sealed class LocalStorage : IStorage
{
    internal const string InternalFolder = "_sseg";
    /// <summary>Temp files older than this are leftovers of killed writers and are removed on the next staged write.</summary>
    private static readonly TimeSpan StaleTempAge = TimeSpan.FromDays(1);
    private readonly string _root;
    private int _staleTempSwept;

    /// <summary>Opens (and creates) the folder <paramref name="rootPath"/>.</summary>
    public LocalStorage(string rootPath)
    {
        _root = Path.GetFullPath(rootPath);
        Directory.CreateDirectory(_root);
    }

    /// <inheritdoc />
    public string RootUri => _root;

    /// <summary>The local path an object key maps to.</summary>
    public string PathOf(string key) => Path.Combine(_root, StorageKeys.Validate(key).Replace('/', Path.DirectorySeparatorChar));

    /// <inheritdoc />
    public Task<StorageObjectInfo?> GetInfoAsync(string key, CancellationToken ct = default)
    {
        var info = new FileInfo(PathOf(key));
        return Task.FromResult(info.Exists ? ToInfo(key, info) : null);
    }

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(string key, CancellationToken ct = default)
    {
        var path = PathOf(key);
        if (!File.Exists(path)) throw new FileNotFoundException($"Object '{key}' not found under {_root}.", path);
        return Task.FromResult(DirectReadFileStream.Open(path));
    }

    /// <inheritdoc />
    public async Task<VersionedContent?> ReadVersionedAsync(string key, CancellationToken ct = default)
    {
        var path = PathOf(key);
        try
        {
            var bytes = await File.ReadAllBytesAsync(path, ct);
            return new VersionedContent(bytes, ContentVersion(bytes));
        }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
    }

    /// <inheritdoc />
    public async Task WriteAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct = default)
    {
        await using var staged = await BeginWriteAsync(key, ct);
        await staged.Stream.WriteAsync(content, ct);
        await staged.CommitAsync(ct);
    }

    /// <inheritdoc />
    public async Task<string?> TryWriteIfVersionAsync(string key, ReadOnlyMemory<byte> content, string? expectedVersion, CancellationToken ct = default)
    {
        var path = PathOf(key);
        if (expectedVersion is null) return await TryCreateAsync(key, path, content, ct);
        using var fileLock = await AcquireLockAsync(key, ct);
        string? current = null;
        if (File.Exists(path)) current = ContentVersion(await File.ReadAllBytesAsync(path, ct));
        if (current != expectedVersion) return null;
        await WriteAsync(key, content, ct);
        return ContentVersion(content.Span);
    }

    /// <summary>
    /// Put-if-absent without a lock: the content is written and fsynced to a temp file, then hard-linked under its
    /// final name with link(2), which fails when the name exists (<see cref="NoReplaceLink"/>), so the object
    /// appears complete or not at all and exactly one of several creators wins.
    /// </summary>
    private async Task<string?> TryCreateAsync(string key, string path, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        if (File.Exists(path)) return null;
        var tmpDir = Path.Combine(_root, InternalFolder, "tmp");
        Directory.CreateDirectory(tmpDir);
        var tmpPath = Path.Combine(tmpDir, $"{Guid.NewGuid():N}-{Path.GetFileName(path)}");
        try
        {
            await using (var file = new FileStream(tmpPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
            {
                await file.WriteAsync(content, ct);
                file.Flush(flushToDisk: true);
            }
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (!NoReplaceLink.TryLink(tmpPath, path)) return null;   // another writer created the key first
            return ContentVersion(content.Span);
        }
        finally
        {
            if (File.Exists(tmpPath)) try { File.Delete(tmpPath); } catch (IOException) { /* an orphan temp file is harmless */ }
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListFoldersAsync(string folderKey, CancellationToken ct = default)
    {
        var folder = PathOf(folderKey);
        IReadOnlyList<string> names = Directory.Exists(folder)
            ? new DirectoryInfo(folder).EnumerateDirectories().Select(d => d.Name).Order(StringComparer.Ordinal).ToList()
            : [];
        return Task.FromResult(names);
    }

    /// <inheritdoc />
    public Task<IStagedObject> BeginWriteAsync(string key, CancellationToken ct = default)
    {
        var finalPath = PathOf(key);
        var tmpDir = Path.Combine(_root, InternalFolder, "tmp");
        Directory.CreateDirectory(tmpDir);
        if (Interlocked.Exchange(ref _staleTempSwept, 1) == 0) DeleteStaleTempFiles(tmpDir);
        var tmpPath = Path.Combine(tmpDir, $"{Guid.NewGuid():N}-{Path.GetFileName(finalPath)}");
        return Task.FromResult<IStagedObject>(new LocalStagedObject(key, tmpPath, finalPath));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StorageObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await Task.Yield();
        // Walk the deepest folder the prefix names fully, entering only the entries that start with the rest of the
        // prefix (a prefix ending in part of a name, like a journal's 10-minute group, must not walk its siblings).
        var slash = prefix.LastIndexOf('/');
        var folderKey = slash < 0 ? "" : prefix[..slash];
        var folder = folderKey.Length == 0 ? _root : PathOf(folderKey);
        if (!Directory.Exists(folder)) yield break;
        foreach (var info in Walk(folder, folderKey, prefix[(slash + 1)..], ct)) yield return info;
    }

    /// <summary>One folder's entry in a listing: a file with its size and time, or a sub-folder (name ending in '/').</summary>
    private readonly record struct ListedEntry(string Name, long Length, DateTime LastWriteTimeUtc);

    /// <summary>
    /// The files under <paramref name="folder"/> in key order, holding only the entries of the folders on the current
    /// path, not the whole listing: each folder's entries are sorted as their keys sort (a sub-folder's name followed
    /// by '/'), and sub-folders are walked at their place in that order.
    /// </summary>
    private IEnumerable<StorageObjectInfo> Walk(string folder, string folderKey, string namePrefix, CancellationToken ct)
    {
        var entries = new System.IO.Enumeration.FileSystemEnumerable<ListedEntry>(folder,
            (ref System.IO.Enumeration.FileSystemEntry e) => new ListedEntry(e.IsDirectory ? e.FileName.ToString() + "/" : e.FileName.ToString(),
                e.IsDirectory ? 0 : e.Length, e.LastWriteTimeUtc.UtcDateTime),
            new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true })
        {
            ShouldIncludePredicate = (ref System.IO.Enumeration.FileSystemEntry e) => e.FileName.StartsWith(namePrefix, StringComparison.Ordinal),
        }.ToArray();
        Array.Sort(entries, (a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var entry in entries)
        {
            ct.ThrowIfCancellationRequested();
            var key = folderKey.Length == 0 ? entry.Name : $"{folderKey}/{entry.Name}";
            if (!entry.Name.EndsWith('/'))
            {
                yield return new StorageObjectInfo(key, entry.Length, entry.LastWriteTimeUtc, ChangeToken(entry.Length, entry.LastWriteTimeUtc));
                continue;
            }
            if (key == InternalFolder + "/") continue;
            foreach (var info in Walk(Path.Combine(folder, entry.Name[..^1]), key[..^1], "", ct)) yield return info;
        }
    }

    /// <inheritdoc />
    public Task AppendAsync(string key, ReadOnlyMemory<byte> record, CancellationToken ct = default)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AppendWrite.Append(path, record.Span);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<byte[]?> ReadFromAsync(string key, long offset, CancellationToken ct = default)
    {
        try
        {
            await using var file = new FileStream(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous);
            if (offset >= file.Length) return [];
            file.Position = offset;
            using var rest = new MemoryStream((int)Math.Min(file.Length - offset, int.MaxValue));
            await file.CopyToAsync(rest, ct);
            return rest.ToArray();
        }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string key, CancellationToken ct = default)
    {
        var path = PathOf(key);
        if (!File.Exists(path)) return Task.FromResult(false);
        File.Delete(path);
        return Task.FromResult(true);
    }

    private static void DeleteStaleTempFiles(string tmpDir)
    {
        foreach (var file in new DirectoryInfo(tmpDir).EnumerateFiles())
            if (DateTime.UtcNow - file.LastWriteTimeUtc > StaleTempAge)
                try { file.Delete(); } catch (IOException) { /* in use or gone: try again next time */ }
    }

    private static StorageObjectInfo ToInfo(string key, FileInfo info) =>
        new(key, info.Length, info.LastWriteTimeUtc, ChangeToken(info.Length, info.LastWriteTimeUtc));

    private static string ChangeToken(long length, DateTime lastWriteTimeUtc) => $"{length:x}-{lastWriteTimeUtc.Ticks:x}";

    internal static string ContentVersion(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>An exclusive lock per key; on Linux .NET maps FileShare.None to flock, which the kernel drops when the process dies.</summary>
    private async Task<FileStream> AcquireLockAsync(string key, CancellationToken ct)
    {
        var lockDir = Path.Combine(_root, InternalFolder, "locks");
        Directory.CreateDirectory(lockDir);
        var lockPath = Path.Combine(lockDir, Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)))[..32] + ".lock");
        var delay = 2;
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(Random.Shared.Next(delay, delay * 2), ct);
                delay = Math.Min(delay * 2, 100);
            }
        }
    }

    private sealed class LocalStagedObject(string key, string tmpPath, string finalPath) : IStagedObject
    {
        // Block-aligned writes (shard writers' write-behind chunks) bypass the page cache; others are buffered.
        private readonly DirectWriteFileStream _stream = new(tmpPath);
        private bool _committed;

        public string Key => key;
        public Stream Stream => _stream;

        public async Task CommitAsync(CancellationToken ct = default)
        {
            if (_committed) throw new InvalidOperationException($"Object '{key}' was already committed.");
            _stream.FlushToDisk();
            await _stream.DisposeAsync();
            Directory.CreateDirectory(Path.GetDirectoryName(finalPath)!);
            File.Move(tmpPath, finalPath, overwrite: true);   // rename(2): atomic on one file system
            _committed = true;
        }

        public async ValueTask DisposeAsync()
        {
            await _stream.DisposeAsync();
            if (!_committed)
                try { File.Delete(tmpPath); } catch (IOException) { /* an orphan temp file is harmless */ }
        }
    }
}
