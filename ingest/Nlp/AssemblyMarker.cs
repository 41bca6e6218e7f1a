namespace SSeg.Ingest.Nlp;

internal static class AssemblyMarker;
