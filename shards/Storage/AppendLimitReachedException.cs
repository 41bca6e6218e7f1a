namespace SSeg.Shards.Storage;

/// <summary>
/// An append-only object takes no more records (an Azure append blob holds at most 50,000 appended blocks). The
/// record was not appended; appending it to another object is safe.
/// </summary>
public sealed class AppendLimitReachedException(string message, Exception inner) : IOException(message, inner);
