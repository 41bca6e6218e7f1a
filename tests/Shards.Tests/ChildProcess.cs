using System.Diagnostics;
using SSeg.Shards.Storage;

namespace SSeg.Shards.Tests;

/// <summary>Runs <see cref="ChildProcessEntry"/> in a separate process with the same runtime.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ChildProcess(string? azureConnectionString, params string[] args)
    {
        var dll = typeof(ChildProcessEntry).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        if (azureConnectionString is not null) start.Environment[StorageFactory.ConnectionStringVariable] = azureConnectionString;
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the child process.");
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stdout) _stdout.Add(e.Data);
            if (e.Data == "READY") _ready.TrySetResult();
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.Add(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output { get { lock (_stdout) lock (_stderr) return string.Join('\n', _stdout.Concat(_stderr)); } }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit();   // drains the output handlers
        return _process.ExitCode;
    }

    /// <summary>Writes one line to the child's stdin.</summary>
    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Waits until the child has reported <paramref name="count"/> shards (COMMITTED or SKIPPED), or has exited.</summary>
    public async Task WaitForShardsAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!_process.HasExited && DateTime.UtcNow < deadline)
        {
            lock (_stdout) if (_stdout.Count(l => l is "COMMITTED" or "SKIPPED") >= count) return;
            await Task.Delay(2);
        }
    }

    public async Task WaitForReadyAsync(TimeSpan timeout)
    {
        var finished = await Task.WhenAny(_ready.Task, _process.WaitForExitAsync(), Task.Delay(timeout));
        if (finished != _ready.Task) throw new InvalidOperationException($"Child never became ready: {Output}");
    }

    /// <summary>SIGKILL: no finally blocks, no disposal, like a crashed machine.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
