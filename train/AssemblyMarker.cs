namespace SSeg.Train;

internal static class AssemblyMarker;
