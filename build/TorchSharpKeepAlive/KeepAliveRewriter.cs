using Mono.Cecil;
using Mono.Cecil.Cil;
using Mono.Cecil.Rocks;

namespace SSeg.Build.TorchSharpKeepAlive;

/// <summary>
/// Adds <c>GC.KeepAlive</c> of <c>this</c>, of every reference-type argument and of every Scalar/Tensor local before each
/// return of each TorchSharp method that calls into libtorch.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 passes only native handles (<c>IntPtr</c>) to libtorch and frees them in finalizers. Once a method
/// has read <c>scalar.Handle</c>, the JIT treats the Scalar as dead, so a garbage collection started by any other
/// thread during the native call may finalize it and libtorch then reads freed memory: the
/// "Scalar::toLong: Expected false to be true" errors, or silently wrong numbers. Every <c>x * 0.5</c>, every
/// <c>a + b</c> (whose alpha of 1 is an implicit Scalar) and every AdamW step creates such Scalars. Temporary Tensors
/// outside a dispose scope have the same hazard. Keeping the objects reachable until the call returns is the fix
/// upstream proposes (dotnet/TorchSharp pull requests 1434 and 1496); until a release has it, the build applies it.
/// </remarks>
public static class KeepAliveRewriter
{
    /// <summary>Assembly metadata key the rewritten assembly carries; <c>doctor</c> reports it.</summary>
    public const string MarkerKey = "SSeg.TorchSharpKeepAlive";
    public const string MarkerValue = "1";

    public sealed record Report(int Methods, int Objects);

    public static Report Rewrite(string inputPath, string outputPath)
    {
        var resolver = new DefaultAssemblyResolver();
        resolver.AddSearchDirectory(Path.GetDirectoryName(Path.GetFullPath(inputPath))!);
        using var module = ModuleDefinition.ReadModule(inputPath, new ReaderParameters { AssemblyResolver = resolver, InMemory = true });
        if (IsRewritten(module.Assembly))
            throw new InvalidOperationException("it is already rewritten");
        var keepAlive = KeepAliveMethod(module);
        int methods = 0, objects = 0;
        foreach (var type in module.GetTypes())
            foreach (var method in type.Methods.Where(m => m.HasBody && CallsNative(m)))
            {
                var kept = ObjectsToKeep(method);
                if (kept.Count == 0) continue;
                InsertBeforeEachReturn(method, kept, keepAlive);
                methods++;
                objects += kept.Count;
            }
        Mark(module);
        var temporary = outputPath + ".tmp";
        module.Write(temporary);
        File.Move(temporary, outputPath, overwrite: true);
        return new Report(methods, objects);
    }

    public static bool IsRewritten(AssemblyDefinition assembly) => assembly.CustomAttributes.Any(a =>
        a.AttributeType.FullName == "System.Reflection.AssemblyMetadataAttribute" &&
        a.ConstructorArguments.Count == 2 && (string)a.ConstructorArguments[0].Value == MarkerKey);

    private static bool CallsNative(MethodDefinition method) => method.Body.Instructions.Any(i =>
        (i.OpCode == OpCodes.Call || i.OpCode == OpCodes.Callvirt) && i.Operand is MethodDefinition { IsPInvokeImpl: true });

    /// <summary>The loads of the objects whose native handles the method may pass to libtorch.</summary>
    private static List<Func<Instruction>> ObjectsToKeep(MethodDefinition method)
    {
        var loads = new List<Func<Instruction>>();
        if (method.HasThis && !method.DeclaringType.IsValueType)
            loads.Add(() => Instruction.Create(OpCodes.Ldarg_0));
        foreach (var parameter in method.Parameters.Where(p => IsObjectReference(p.ParameterType)))
            loads.Add(() => Instruction.Create(OpCodes.Ldarg, parameter));
        // Locals are safe to read on every path only when the method zero-initialises them.
        if (method.Body.InitLocals)
            foreach (var local in method.Body.Variables.Where(v => IsHandleOwner(v.VariableType)))
                loads.Add(() => Instruction.Create(OpCodes.Ldloc, local));
        return loads;
    }

    private static bool IsObjectReference(TypeReference type)
    {
        if (type.IsByReference || type.IsPointer || type.IsGenericParameter || type.IsFunctionPointer) return false;
        if (type.IsArray) return true;
        try { return type.Resolve() is { IsValueType: false }; }
        catch (AssemblyResolutionException) { return false; }
    }

    private static bool IsHandleOwner(TypeReference type)
    {
        var element = type is ArrayType array ? array.ElementType : type;
        return element.FullName is "TorchSharp.Scalar" or "TorchSharp.torch/Tensor" or "TorchSharp.Modules.Parameter";
    }

    private static void InsertBeforeEachReturn(MethodDefinition method, List<Func<Instruction>> loads, MethodReference keepAlive)
    {
        var body = method.Body;
        body.SimplifyMacros();
        var il = body.GetILProcessor();
        foreach (var ret in body.Instructions.Where(i => i.OpCode == OpCodes.Ret).ToList())
        {
            // The first new instruction takes over the ret's identity, so branches and handler ends that target the
            // ret now run the keep-alive calls first.
            var sequence = loads.SelectMany(load => new[] { load(), Instruction.Create(OpCodes.Call, keepAlive) }).ToList();
            ret.OpCode = sequence[0].OpCode;
            ret.Operand = sequence[0].Operand;
            var previous = ret;
            foreach (var next in sequence.Skip(1).Append(Instruction.Create(OpCodes.Ret)))
            {
                il.InsertAfter(previous, next);
                previous = next;
            }
        }
        body.OptimizeMacros();
    }

    private static MethodReference KeepAliveMethod(ModuleDefinition module)
    {
        var gc = new TypeReference("System", "GC", module, module.TypeSystem.CoreLibrary);
        var method = new MethodReference("KeepAlive", module.TypeSystem.Void, gc) { HasThis = false };
        method.Parameters.Add(new ParameterDefinition(module.TypeSystem.Object));
        return module.ImportReference(method);
    }

    private static void Mark(ModuleDefinition module)
    {
        var attribute = new TypeReference("System.Reflection", "AssemblyMetadataAttribute", module, module.TypeSystem.CoreLibrary);
        var constructor = new MethodReference(".ctor", module.TypeSystem.Void, attribute) { HasThis = true };
        constructor.Parameters.Add(new ParameterDefinition(module.TypeSystem.String));
        constructor.Parameters.Add(new ParameterDefinition(module.TypeSystem.String));
        var marker = new CustomAttribute(module.ImportReference(constructor));
        marker.ConstructorArguments.Add(new CustomAttributeArgument(module.TypeSystem.String, MarkerKey));
        marker.ConstructorArguments.Add(new CustomAttributeArgument(module.TypeSystem.String, MarkerValue));
        module.Assembly.CustomAttributes.Add(marker);
    }
}
