namespace SSeg.Shards.Storage;

/// <summary>
/// A flat key/value object store under one storage root: a local folder (<see cref="LocalStorage"/>) or an
/// Azure Blob container prefix (<see cref="AzureBlobStorage"/>). Keys are relative, '/'-separated paths such as
/// <c>datasets/cc3m/images/part-00042.parquet</c>. Open one with <see cref="StorageFactory.Open"/>.
/// </summary>
/// <remarks>
/// Two primitives make the shard commit protocol safe on both backends:
/// <list type="bullet">
/// <item><see cref="BeginWriteAsync"/>: stream any amount of data to a hidden temporary object, then make it
/// visible under its final key in one atomic step (rename on disk, block-list commit on Blob). A crash before
/// the commit leaves nothing visible under the key.</item>
/// <item><see cref="ReadVersionedAsync"/> + <see cref="TryWriteIfVersionAsync"/>: compare-and-swap on small
/// objects (the dataset metadata). The version is an opaque token (ETag on Blob, content hash on disk). With no
/// expected version it is put-if-absent (If-None-Match: * on Blob, a hard link that fails if the name exists on
/// disk), which needs no lock and is how shard commit objects are created.</item>
/// </list>
/// A third, <see cref="AppendAsync"/> + <see cref="ReadFromAsync"/>, keeps the commit journal: append-only logs that
/// readers read on from where they stopped.
/// All methods are thread-safe and safe to use from several processes at once.
/// </remarks>
public interface IStorage
{
    /// <summary>The root this storage was opened with (a full local path or <c>az://container/prefix</c>).</summary>
    string RootUri { get; }

    /// <summary>Size and change token of an object, or null when it does not exist.</summary>
    Task<StorageObjectInfo?> GetInfoAsync(string key, CancellationToken ct = default);

    /// <summary>Opens an object for reading. The stream is seekable (Parquet readers need that).</summary>
    /// <exception cref="FileNotFoundException">The object does not exist (message names the key).</exception>
    Task<Stream> OpenReadAsync(string key, CancellationToken ct = default);

    /// <summary>Reads a small object whole, with the version to pass to <see cref="TryWriteIfVersionAsync"/>; null when absent.</summary>
    Task<VersionedContent?> ReadVersionedAsync(string key, CancellationToken ct = default);

    /// <summary>Writes a small object whole, replacing any previous content atomically (readers see old or new, never a mix).</summary>
    Task WriteAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct = default);

    /// <summary>
    /// Compare-and-swap: writes <paramref name="content"/> only if the object's current version equals
    /// <paramref name="expectedVersion"/> (null: only if the object does not exist yet).
    /// Returns the new version, or null when another writer got there first (re-read and retry).
    /// With a null <paramref name="expectedVersion"/> this is an atomic put-if-absent: of several writers of one new
    /// key exactly one succeeds, and readers never see a partly written object.
    /// </summary>
    Task<string?> TryWriteIfVersionAsync(string key, ReadOnlyMemory<byte> content, string? expectedVersion, CancellationToken ct = default);

    /// <summary>
    /// Starts a staged write: write to <see cref="IStagedObject.Stream"/>, then <see cref="IStagedObject.CommitAsync"/>
    /// publishes it under <paramref name="key"/> atomically (replacing an existing object). Disposing without
    /// commit discards the data.
    /// </summary>
    Task<IStagedObject> BeginWriteAsync(string key, CancellationToken ct = default);

    /// <summary>Lists committed objects whose key starts with <paramref name="prefix"/> (recursive), in key order.</summary>
    IAsyncEnumerable<StorageObjectInfo> ListAsync(string prefix, CancellationToken ct = default);

    /// <summary>
    /// Names of the immediate sub-folders of folder <paramref name="folderKey"/> (a key without a trailing slash),
    /// sorted; the folders' contents are not listed (one delimiter listing on Blob, one directory read on disk).
    /// </summary>
    Task<IReadOnlyList<string>> ListFoldersAsync(string folderKey, CancellationToken ct = default);

    /// <summary>
    /// Appends a small record to an append-only object, creating the object when it does not exist. Records appended at
    /// once by several threads or processes each land whole, one after another, in some order (one Append Block on Blob,
    /// one <c>O_APPEND</c> write on disk). A retried request may append a record twice.
    /// </summary>
    /// <exception cref="AppendLimitReachedException">The object takes no more appends (an append blob's 50,000).</exception>
    /// <exception cref="NotSupportedException">The store takes no appends at all (Azurite's SQL metadata store; a local
    /// root off Linux).</exception>
    Task AppendAsync(string key, ReadOnlyMemory<byte> record, CancellationToken ct = default);

    /// <summary>
    /// The bytes of an object from <paramref name="offset"/> to its end (empty when it holds no more), or null when it
    /// does not exist: how an append-only object is read as it grows. On disk a reader may see the start of a record that
    /// is being appended; a record format must tell whole records from that.
    /// </summary>
    Task<byte[]?> ReadFromAsync(string key, long offset, CancellationToken ct = default);

    /// <summary>Deletes an object; returns false when it did not exist.</summary>
    Task<bool> DeleteAsync(string key, CancellationToken ct = default);
}

/// <summary>An object in storage. <see cref="ChangeToken"/> changes when the content changes (ETag on Blob,
/// size+mtime on disk); use <see cref="IStorage.ReadVersionedAsync"/> for compare-and-swap versions.</summary>
public sealed record StorageObjectInfo(string Key, long Size, DateTimeOffset LastModified, string ChangeToken);

/// <summary>Content of a small object plus its compare-and-swap version.</summary>
public sealed record VersionedContent(byte[] Content, string Version);

/// <summary>A write in progress. Commit publishes it atomically; dispose without commit aborts it.</summary>
public interface IStagedObject : IAsyncDisposable
{
    /// <summary>The final key this object is published under.</summary>
    string Key { get; }

    /// <summary>Write-only, forward-only stream; <see cref="Stream.Position"/> reports bytes written.</summary>
    Stream Stream { get; }

    /// <summary>Flushes and publishes the object under <see cref="Key"/> in one atomic step.</summary>
    Task CommitAsync(CancellationToken ct = default);
}
