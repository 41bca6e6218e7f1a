namespace SSeg.Ingest;

internal static class AssemblyMarker;
