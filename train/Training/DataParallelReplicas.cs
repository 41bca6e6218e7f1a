using SSeg.Models;
using SSeg.Train.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SSeg.Train.Training;

/// <summary>
/// Data-parallel copies of one model on several devices of this host (<see cref="TrainOptions.Devices"/>). Replica 0 is
/// the model the optimizer owns; the others are copies whose gradients are summed onto it before the step and whose
/// weights are overwritten with its weights after the step. Buffers (BatchNorm running statistics) are taken from
/// replica 0 as well, as torch's DataParallel does. TorchSharp has no torch.distributed, so this is as far as training
/// scales: one process, one host.
/// </summary>
public sealed class DataParallelReplicas : IDisposable
{
    private readonly List<SSegModel> _owned = [];

    public IReadOnlyList<SSegModel> Models { get; }
    public IReadOnlyList<Device> Devices { get; }
    public int Count => Models.Count;

    /// <param name="main">Replica 0, already on <paramref name="devices"/>[0].</param>
    public DataParallelReplicas(SSegModel main, IReadOnlyList<Device> devices)
    {
        if (devices.Count == 0) throw new ArgumentException("at least one device is needed", nameof(devices));
        var models = new List<SSegModel> { main };
        var dtype = main.parameters().First().dtype;
        for (int r = 1; r < devices.Count; r++)
        {
            var copy = new SSegModel(main.Config);
            copy.to(dtype).to(devices[r]);
            _owned.Add(copy);
            models.Add(copy);
        }
        Models = models;
        Devices = devices;
        Broadcast();
    }

    /// <summary>The devices of a run: <see cref="TrainOptions.Devices"/> when given (each as <c>--device</c> accepts it),
    /// else the one <see cref="TrainOptions.Device"/>.</summary>
    public static IReadOnlyList<Device> SelectDevices(TrainOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.Devices)) return [DeviceSelector.Select(o.Device)];
        var names = o.Devices.Split(',', StringSplitOptions.TrimEntries);
        if (names.Any(n => n.Length == 0 || n.Equals("auto", StringComparison.OrdinalIgnoreCase)))
            throw new ArgumentException($"--devices '{o.Devices}': list devices explicitly (cpu, cuda:0, cuda:1, …), without 'auto' or empty entries");
        return names.Select(n => DeviceSelector.Select(n)).ToList();
    }

    /// <summary>Splits <paramref name="count"/> samples into one contiguous share per replica (the first ones take the
    /// remainder): (start, length) per replica.</summary>
    public IReadOnlyList<(int Start, int Length)> Shares(int count)
    {
        if (count < Count) throw new ArgumentException($"a micro-batch of {count} cannot be shared by {Count} replicas (batch must be ≥ the number of devices)");
        var shares = new List<(int, int)>(Count);
        int start = 0;
        for (int r = 0; r < Count; r++)
        {
            int length = count / Count + (r < count % Count ? 1 : 0);
            shares.Add((start, length));
            start += length;
        }
        return shares;
    }

    public void ZeroGradients()
    {
        foreach (var m in Models) m.zero_grad();
    }

    /// <summary>Adds every replica's gradients onto replica 0's parameters (on replica 0's device).</summary>
    public void SumGradientsOntoMain()
    {
        if (Count == 1) return;
        using var noGrad = no_grad();
        var main = Models[0].parameters().ToList();
        for (int r = 1; r < Count; r++)
        {
            var other = Models[r].parameters().ToList();
            for (int i = 0; i < main.Count; i++)
            {
                var g = other[i].grad;
                if (g is null) continue;
                using var moved = g.to(Devices[0]);
                if (main[i].grad is { } target) target.add_(moved);
                else main[i].grad = moved.clone();
            }
        }
    }

    /// <summary>Copies replica 0's parameters and buffers to the other replicas.</summary>
    public void Broadcast()
    {
        if (Count == 1) return;
        using var noGrad = no_grad();
        var mainParams = Models[0].parameters().ToList();
        var mainBuffers = Models[0].buffers().ToList();
        for (int r = 1; r < Count; r++)
        {
            var p = Models[r].parameters().ToList();
            for (int i = 0; i < p.Count; i++) p[i].copy_(mainParams[i]);
            var b = Models[r].buffers().ToList();
            for (int i = 0; i < b.Count; i++) b[i].copy_(mainBuffers[i]);
        }
    }

    /// <summary>Copies of every replica's buffers (BatchNorm running statistics), to undo what a forward pass without
    /// gradients changed.</summary>
    public IReadOnlyList<Tensor[]> SnapshotBuffers()
    {
        using var noGrad = no_grad();
        return Models.Select(m => m.buffers().Select(b => b.clone().DetachFromDisposeScope()).ToArray()).ToList();
    }

    public void RestoreBuffers(IReadOnlyList<Tensor[]> snapshot)
    {
        using var noGrad = no_grad();
        for (int r = 0; r < Count; r++)
        {
            var b = Models[r].buffers().ToList();
            for (int i = 0; i < b.Count; i++)
            {
                b[i].copy_(snapshot[r][i]);
                snapshot[r][i].Dispose();
            }
        }
    }

    public void Dispose()
    {
        foreach (var m in _owned) m.Dispose();
    }
}
