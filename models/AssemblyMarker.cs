namespace SSeg.Models;

internal static class AssemblyMarker;
