namespace SSeg.Shards.Storage;

/// <summary>Opens an <see cref="IStorage"/> from a root URI.</summary>
public static class StorageFactory
{
    /// <summary>Environment variable read when no Azure connection string is passed.</summary>
    public const string ConnectionStringVariable = "SSEG_AZURE_CONNECTION_STRING";

    /// <summary>
    /// Opens a storage root: <c>az://container[/prefix]</c> for Azure Blob (connection string from
    /// <paramref name="azureConnectionString"/> or the environment variable <see cref="ConnectionStringVariable"/>),
    /// anything else as a local folder path (created if missing; <c>file://</c> prefix allowed).
    /// </summary>
    /// <exception cref="ArgumentException">An az:// root without container, or without any connection string.</exception>
    public static IStorage Open(string rootUri, string? azureConnectionString = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootUri);
        if (rootUri.StartsWith("az://", StringComparison.OrdinalIgnoreCase))
        {
            var rest = rootUri["az://".Length..].Trim('/');
            var slash = rest.IndexOf('/');
            var container = slash < 0 ? rest : rest[..slash];
            var prefix = slash < 0 ? "" : rest[(slash + 1)..];
            if (container.Length == 0)
                throw new ArgumentException($"Storage root '{rootUri}' names no container (expected az://container/prefix).", nameof(rootUri));
            var connection = azureConnectionString ?? Environment.GetEnvironmentVariable(ConnectionStringVariable);
            if (string.IsNullOrWhiteSpace(connection))
                throw new ArgumentException(
                    $"Storage root '{rootUri}' needs an Azure connection string: pass one or set {ConnectionStringVariable}.", nameof(azureConnectionString));
            return new AzureBlobStorage(connection, container, prefix);
        }
        var path = rootUri.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? new Uri(rootUri).LocalPath : rootUri;
        return new LocalStorage(path);
    }
}
