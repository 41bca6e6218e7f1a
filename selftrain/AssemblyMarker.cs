namespace SSeg.Selftrain;

internal static class AssemblyMarker;
