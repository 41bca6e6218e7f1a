using SSeg.Build.TorchSharpKeepAlive;

// Usage: SSeg.TorchSharpKeepAlive <TorchSharp.dll in> <TorchSharp.dll out>
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: SSeg.TorchSharpKeepAlive <input TorchSharp.dll> <output TorchSharp.dll>");
    return 2;
}
try
{
    var report = KeepAliveRewriter.Rewrite(args[0], args[1]);
    Console.WriteLine($"TorchSharp keep-alive: {report.Methods} methods that call libtorch now keep {report.Objects} argument objects alive ({args[1]})");
    return 0;
}
catch (Exception e) when (e is IOException or BadImageFormatException or InvalidOperationException)
{
    Console.Error.WriteLine($"error: cannot rewrite {args[0]}: {e.Message}");
    return 1;
}
