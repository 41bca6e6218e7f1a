using SSeg.Runs;
using SSeg.Train.Data;
using SSeg.Train.Model;

namespace SSeg.Train.Training;

/// <summary>The micro-batches of one optimizer step (gradient accumulation); disposing frees their tensors.</summary>
public sealed class MicroBatches(IReadOnlyList<TrainBatch> batches) : IDisposable
{
    public IReadOnlyList<TrainBatch> Batches { get; } = batches;

    public void Dispose()
    {
        foreach (var b in Batches) b.Dispose();
    }
}

/// <summary>
/// S-Seg's batch source: the shard stream's samples, epoch after epoch, collated into micro-batches and grouped
/// per optimizer step. An epoch's tail too short for a whole step is dropped; the position after each step is
/// the in-epoch position after its last sample.
/// </summary>
public sealed class ShardBatchSource(ShardTrainStream data, SSegModelConfig config, TrainOptions o) : IBatchSource<MicroBatches>
{
    public async IAsyncEnumerable<SourcedBatch<MicroBatches>> ReadAsync(DataPosition from, long fromStep,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var (epoch, position) = from;
        while (true)
        {
            var micro = new List<TrainSample>(o.BatchSize);
            var pending = new List<TrainBatch>(o.Accumulation);
            try
            {
                await foreach (var sample in data.ReadEpochAsync(epoch, position, ct))
                {
                    micro.Add(sample);
                    if (micro.Count < o.BatchSize) continue;
                    pending.Add(TrainBatch.Collate(micro, config.CropSize, config.MaskResolution, 1 + o.PromptWords, config.ContextLength, epoch, o.MinMaskArea));
                    micro.Clear();
                    if (pending.Count < o.Accumulation) continue;
                    var step = new MicroBatches(pending);
                    var next = new DataPosition(epoch, pending[^1].NextPosition);
                    pending = new List<TrainBatch>(o.Accumulation);
                    yield return new SourcedBatch<MicroBatches>(step, next, o.BatchSize * o.Accumulation);
                }
            }
            finally
            {
                foreach (var b in pending) b.Dispose();
            }
            epoch++;
            position = 0;
        }
    }
}
