using System.Reflection;
using System.Reflection.Emit;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Models.Tests;

/// <summary>
/// libtorch calls whose Scalar and Tensor arguments only TorchSharp holds, while other threads collect garbage
/// (build/TorchSharpKeepAlive rewrites TorchSharp.dll for this).
/// </summary>
public class TorchSharpKeepAliveTests
{
    [Fact]
    public void The_loaded_TorchSharp_is_the_builds_keep_alive_rewrite() =>
        Assert.True(TorchBackendInfo.KeepAliveRewritten, $"{typeof(torch).Assembly.Location} lacks the keep-alive rewrite");

    /// <summary>
    /// <c>x * 0.5</c> and <c>y + x</c> (alpha 1) each create a Scalar that TorchSharp leaves to the finalizer. With the
    /// package's own TorchSharp.dll this loop failed about once per 50,000 iterations on a 2-core machine
    /// ("Expected false to be true", libtorch reading a freed Scalar); the rewrite keeps every Scalar reachable until
    /// its native call returns.
    /// </summary>
    [Fact]
    public void Implicit_scalars_survive_collections_forced_by_another_thread()
    {
        using (ones(1)) { } // loads libtorch before the clock starts
        var stop = DateTime.UtcNow.AddSeconds(4);
        long iterations = 0, errors = 0, wrong = 0;
        string? firstError = null;
        var workers = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            using var x = ones(4, 4);
            while (DateTime.UtcNow < stop)
            {
                for (var i = 0; i < 500; i++)
                {
                    try
                    {
                        using var y = x * 0.5;
                        using var z = y + x;
                        if (z[0, 0].item<float>() != 1.5f) Interlocked.Increment(ref wrong);
                    }
                    catch (Exception e)
                    {
                        Interlocked.Increment(ref errors);
                        Interlocked.CompareExchange(ref firstError, e.Message, null);
                    }
                    Interlocked.Increment(ref iterations);
                }
            }
        })).ToList();
        var collector = new Thread(() =>
        {
            while (DateTime.UtcNow < stop) GC.Collect(0);
        });
        workers.ForEach(t => t.Start());
        collector.Start();
        workers.ForEach(t => t.Join());
        collector.Join();

        Assert.True(errors == 0, $"{errors} of {iterations} iterations failed; first: {firstError}");
        Assert.Equal(0, wrong);
        Assert.True(iterations >= 1000, $"only {iterations} iterations ran");
    }

    /// <summary>
    /// The rewrite's invariant, checked on the loaded assembly's IL: every method that hands a Scalar argument to
    /// libtorch also calls GC.KeepAlive. Guards a TorchSharp upgrade that moves its native calls somewhere the rewriter
    /// does not look.
    /// </summary>
    [Fact]
    public void Every_TorchSharp_method_that_passes_a_Scalar_to_libtorch_keeps_it_alive()
    {
        var keepAlive = typeof(GC).GetMethod(nameof(GC.KeepAlive))!;
        var checkedMethods = 0;
        var missing = new List<string>();
        foreach (var method in LoadableTypes(typeof(torch).Assembly).SelectMany(DeclaredMethods))
        {
            if (!HasScalarParameter(method)) continue;
            var callees = Callees(method).ToList();
            if (!callees.Any(c => c.Attributes.HasFlag(MethodAttributes.PinvokeImpl))) continue;
            checkedMethods++;
            if (!callees.Any(c => c == keepAlive)) missing.Add($"{method.DeclaringType}.{method}");
        }
        Assert.True(checkedMethods > 50, $"only {checkedMethods} methods pass a Scalar to libtorch: the scan no longer sees the native calls");
        Assert.True(missing.Count == 0, $"{missing.Count} methods pass a Scalar to libtorch without keeping it alive, e.g. {string.Join("; ", missing.Take(5))}");
    }

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try { return assembly.GetTypes(); }
        catch (ReflectionTypeLoadException e) { return e.Types.OfType<Type>(); }
    }

    private static IEnumerable<MethodBase> DeclaredMethods(Type type) =>
        type.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly);

    private static bool HasScalarParameter(MethodBase method)
    {
        try { return method.GetParameters().Any(p => p.ParameterType == typeof(Scalar)); }
        catch (FileNotFoundException) { return false; } // a signature naming an assembly TorchSharp does not ship with
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>The methods a method's IL calls (call, callvirt, newobj).</summary>
    private static IEnumerable<MethodBase> Callees(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray() ?? [];
        for (var i = 0; i < il.Length;)
        {
            var op = il[i] == 0xFE ? OpCodesByValue[(short)(0xFE00 | il[i + 1])] : OpCodesByValue[il[i]];
            i += op.Size;
            if (op.OperandType == OperandType.InlineMethod)
            {
                MethodBase? callee = null;
                try { callee = method.Module.ResolveMethod(BitConverter.ToInt32(il, i), method.DeclaringType?.GetGenericArguments(), method.IsGenericMethod ? method.GetGenericArguments() : null); }
                catch (Exception e) when (e is ArgumentException or FileNotFoundException or TypeLoadException) { }
                if (callee is not null) yield return callee;
            }
            i += OperandSize(op, il, i);
        }
    }

    private static int OperandSize(OpCode op, byte[] il, int at) => op.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
        _ => 4,
    };
}
