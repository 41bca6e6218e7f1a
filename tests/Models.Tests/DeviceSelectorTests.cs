using SSeg.Tests.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Models.Tests;

/// <summary>Device honesty: the messages name the build switch and `doctor` (this machine has the CPU build, no GPU).</summary>
public class DeviceSelectorTests
{
    [Fact]
    public void This_test_machine_runs_the_cpu_build_without_cuda()
    {
        Assert.Equal("cpu", TorchBackendInfo.Compiled);
        Assert.False(cuda.is_available());
    }

    [Fact]
    public void Cuda_requested_without_cuda_names_the_build_switch_and_doctor()
    {
        var error = Assert.Throws<InvalidOperationException>(() => DeviceSelector.Select("cuda", gpuProbePaths: []));
        Assert.Contains("-p:TorchBackend=cuda", error.Message);
        Assert.Contains("doctor", error.Message);
        Assert.Throws<InvalidOperationException>(() => DeviceSelector.Select("cuda:1", gpuProbePaths: []));
    }

    [Fact]
    public void Auto_with_a_visible_gpu_and_the_cpu_build_warns_naming_the_build_switch()
    {
        var dir = RepoPaths.NewTempDir("sseg-gpu-probe");
        try
        {
            var fakeNode = Path.Combine(dir, "nvidia0");
            File.WriteAllText(fakeNode, "");
            var warnings = new List<string>();
            var device = DeviceSelector.Select("auto", [fakeNode], warnings.Add);
            Assert.Equal(DeviceType.CPU, device.type);
            var warning = Assert.Single(warnings);
            Assert.Contains("-p:TorchBackend=cuda", warning);
            Assert.Contains("GPU is visible", warning);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Auto_without_a_visible_gpu_stays_quiet()
    {
        var warnings = new List<string>();
        var device = DeviceSelector.Select(null, [Path.Combine(Path.GetTempPath(), $"no-gpu-{Guid.NewGuid():N}")], warnings.Add);
        Assert.Equal(DeviceType.CPU, device.type);
        Assert.Empty(warnings);
    }

    /// <summary>
    /// A pool thread keeps the libtorch thread count an earlier job set on it; a run that gives none must still
    /// compute with the default, or its results depend on which thread a step lands on (a resumed run then
    /// differs from an uninterrupted one).
    /// </summary>
    [Fact]
    public void No_thread_count_given_restores_the_default_on_a_thread_configured_earlier()
    {
        var expected = DeviceSelector.DefaultThreads;
        Assert.True(expected > 0);
        int inEffect = 0, explicitCount = 0;
        var worker = new Thread(() =>
        {
            torch.set_num_threads(expected + 1);   // what an earlier job left on this thread
            inEffect = DeviceSelector.SetThreads(null);
            explicitCount = DeviceSelector.SetThreads(expected + 2);
        });
        worker.Start();
        worker.Join();
        Assert.Equal(expected, inEffect);
        Assert.Equal(expected + 2, explicitCount);
    }
}
