using System.Reflection;

namespace SSeg.Eval.Scoring;

/// <summary>
/// Finds <see cref="IScorerFactory"/> implementations (public, non-abstract, with a public parameterless constructor)
/// in assemblies, so the host can register the model libraries' factories without naming their types.
/// </summary>
public static class ScorerDiscovery
{
    /// <summary>Registers every factory found in the named assemblies (missing assemblies are skipped).</summary>
    public static ScorerRegistry FromAssemblyNames(params string[] assemblyNames)
    {
        var assemblies = new List<Assembly>();
        foreach (var name in assemblyNames)
        {
            try { assemblies.Add(Assembly.Load(new AssemblyName(name))); }
            catch (FileNotFoundException) { }
        }
        return FromAssemblies(assemblies);
    }

    public static ScorerRegistry FromAssemblies(IEnumerable<Assembly> assemblies)
    {
        var registry = new ScorerRegistry();
        foreach (var type in assemblies.SelectMany(SafeTypes).Distinct()
                     .Where(t => t is { IsClass: true, IsAbstract: false, IsPublic: true } && typeof(IScorerFactory).IsAssignableFrom(t)
                                 && t.GetConstructor(Type.EmptyTypes) is not null)
                     .OrderBy(t => t.FullName, StringComparer.Ordinal))
            registry.Register((IScorerFactory)Activator.CreateInstance(type)!);
        return registry;
    }

    private static IEnumerable<Type> SafeTypes(Assembly a)
    {
        try { return a.GetTypes(); }
        catch (ReflectionTypeLoadException e) { return e.Types.OfType<Type>(); }
    }
}
