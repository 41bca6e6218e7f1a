namespace SSeg.Shards.Storage;

/// <summary>
/// A staged write lost a race with another writer of the same key and published nothing (Azure Blob discards
/// the uncommitted blocks of a blob when another writer commits it). Retrying is safe.
/// </summary>
public sealed class ConcurrentWriterException(string message, Exception inner) : IOException(message, inner);
