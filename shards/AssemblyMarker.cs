namespace SSeg.Shards;

internal static class AssemblyMarker;
