namespace SSeg.Pseudomask;

internal static class AssemblyMarker;
