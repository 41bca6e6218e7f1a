namespace SSeg.Eval;

internal static class AssemblyMarker;
