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
}
