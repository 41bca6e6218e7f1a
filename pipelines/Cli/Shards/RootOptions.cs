using System.CommandLine;
using SSeg.Shards;

namespace SSeg.Pipelines.Cli.Shards;

/// <summary>--root and --connection-string, shared by the shards verbs.</summary>
internal sealed class RootOptions
{
    public Option<string> Root { get; } = DataRootOption.Create("Storage root: a folder or az://container/prefix");

    public Option<string?> ConnectionString { get; } = new("--connection-string")
    {
        Description = "Azure Storage connection string for az:// roots (default: $SSEG_AZURE_CONNECTION_STRING).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Root);
        command.Options.Add(ConnectionString);
    }

    public DatasetStore Open(ParseResult parse) => DatasetStore.Open(parse.GetValue(Root)!, parse.GetValue(ConnectionString));
}
