using SSeg.Runs;
using SSeg.Selftrain.Data;

namespace SSeg.Selftrain.Training;

/// <summary>
/// S-Seg+'s batch source: the batch of iteration i holds samples k = i·B … i·B + B − 1 of the seeded
/// <see cref="SampleOrder"/>, each augmented with a <see cref="Random"/> seeded from (seed, k) — a pure function
/// of the iteration, so resuming needs nothing but the iteration count.
/// </summary>
public sealed class LabelledBatchSource(LabelledSamples samples, SampleOrder order, SelftrainTrainOptions o) : IBatchSource<SegBatch>
{
    public async IAsyncEnumerable<SourcedBatch<SegBatch>> ReadAsync(DataPosition from, long fromStep,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        for (var iteration = fromStep; ; iteration++)
        {
            var batch = new List<SegSample>(o.BatchSize);
            for (var b = 0; b < o.BatchSize; b++)
            {
                var k = iteration * o.BatchSize + b;
                var (position, row) = order.At(k);
                var sample = await samples.GetAsync(position, row, ct);
                batch.Add(SegAugment.Apply(sample, o.Augment, new Random(SeedMixer.NonNegative(o.Seed, k, 11))));
            }
            var next = (iteration + 1) * o.BatchSize;
            yield return new SourcedBatch<SegBatch>(SegBatch.Build(batch, o.Model.CropSize, o.Model.IgnoreIndex),
                new DataPosition((int)(next / order.SamplesPerEpoch), next % order.SamplesPerEpoch), o.BatchSize);
        }
    }
}
