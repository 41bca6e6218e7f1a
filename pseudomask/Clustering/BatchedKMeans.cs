using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Pseudomask;

/// <summary>Result of batched k-means: labels [B, N] (int64), centers [B, K, D], iterations run per image.</summary>
public sealed class KMeansResult : IDisposable
{
    public required Tensor Labels { get; init; }
    public required Tensor Centers { get; init; }
    public required int[] Iterations { get; init; }

    public void Dispose()
    {
        Labels.Dispose();
        Centers.Dispose();
    }
}

/// <summary>
/// Per-image Lloyd k-means over a batch [B, N, D], entirely as tensor ops on the features' device.
/// Init: k-means++ driven by given uniforms [B, K] (first center = token floor(u0·N); center j = inverse-CDF
/// draw of the squared distance to the nearest chosen center, i.e. the first index whose cumulative sum
/// exceeds u_j·total). Lloyd: assign each token to argmin ||x − c||² (computed as ||c||² − 2x·c); new
/// centers = member means; an empty cluster is re-seeded with the token farthest from its assigned center
/// (the e-th empty cluster gets the e-th farthest token). An image stops once its assignment no longer
/// changes (its labels and centers are then frozen, so results do not depend on the rest of the batch);
/// at most <c>maxIterations</c> assignment steps. Fixtures/generate_kmeans_fixture.py mirrors this in NumPy.
/// </summary>
public static class BatchedKMeans
{
    public static KMeansResult Run(Tensor features, Tensor uniforms, int maxIterations = 30)
    {
        using var scope = NewDisposeScope();
        var centers = InitPlusPlus(features, uniforms);
        var result = Lloyd(features, centers, maxIterations);
        result.Labels.MoveToOuterDisposeScope();
        result.Centers.MoveToOuterDisposeScope();
        return result;
    }

    /// <summary>k-means++ centers [B, K, D] from uniforms [B, K] (float64, in [0, 1)).</summary>
    public static Tensor InitPlusPlus(Tensor x, Tensor uniforms)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (b, n, d) = (x.shape[0], x.shape[1], x.shape[2]);
        var k = uniforms.shape[1];
        var u = uniforms.to(ScalarType.Float64, x.device);
        var first = u.select(1, 0).mul(n).floor().to_type(ScalarType.Int64).clamp(0, n - 1);
        var chosen = new List<Tensor> { GatherTokens(x, first) };
        var minDist = SquaredDistance(x, chosen[0]);
        for (var j = 1; j < k; j++)
        {
            var cdf = minDist.to_type(ScalarType.Float64).cumsum(1);
            var target = u.narrow(1, j, 1).mul(cdf.narrow(1, n - 1, 1));
            var index = cdf.le(target).sum(1).clamp(0, n - 1);
            var center = GatherTokens(x, index);
            chosen.Add(center);
            minDist = minimum(minDist, SquaredDistance(x, center));
        }
        return stack(chosen, 1).MoveToOuterDisposeScope();
    }

    /// <summary>Lloyd iterations from the given initial centers [B, K, D].</summary>
    public static KMeansResult Lloyd(Tensor x, Tensor initialCenters, int maxIterations = 30)
    {
        if (maxIterations < 1) throw new ArgumentOutOfRangeException(nameof(maxIterations));
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (b, n, d) = (x.shape[0], x.shape[1], x.shape[2]);
        var k = initialCenters.shape[1];
        var centers = initialCenters.to(x.dtype, x.device).clone();
        var active = ones(b, dtype: ScalarType.Bool, device: x.device);
        Tensor? labels = null;
        var iterations = new int[b];

        for (var it = 0; it < maxIterations; it++)
        {
            using var step = NewDisposeScope();
            // distance up to the constant ||x||²: ||c||² − 2 x·c  -> [B, N, K]
            var cross = x.bmm(centers.transpose(1, 2));
            var dist = centers.pow(2).sum(2).unsqueeze(1).sub(cross.mul(2));
            var assign = dist.argmin(2);
            Tensor changed;
            if (labels is null)
            {
                labels = assign;
                changed = active.clone();
            }
            else
            {
                changed = assign.ne(labels).any(1).logical_and(active);
                active = changed;
                labels = where(active.unsqueeze(1), assign, labels);
            }
            var activeCpu = active.cpu().data<bool>().ToArray();
            for (var i = 0; i < b; i++) if (activeCpu[i]) iterations[i] = it + 1;
            if (!activeCpu.Any(a => a))
            {
                labels.MoveToOuterDisposeScope();
                active.MoveToOuterDisposeScope();
                break;
            }

            var oneHot = nn.functional.one_hot(labels, k).to_type(x.dtype);           // [B, N, K]
            var counts = oneHot.sum(1);                                                 // [B, K]
            var sums = oneHot.transpose(1, 2).bmm(x);                                   // [B, K, D]
            var means = sums.div(counts.clamp_min(1).unsqueeze(2));
            var empty = counts.eq(0);
            // Distance of every token to its assigned center, for re-seeding empty clusters with far tokens.
            var own = dist.gather(2, labels.unsqueeze(2)).squeeze(2).add(x.pow(2).sum(2));
            var farthest = own.topk((int)Math.Min(k, n), dim: 1).indexes;               // [B, min(K,N)]
            var rank = empty.to_type(ScalarType.Int64).cumsum(1).sub(1).clamp(0, farthest.shape[1] - 1);
            var reseed = GatherTokens(x, farthest.gather(1, rank));                     // [B, K, D]
            var updated = where(empty.unsqueeze(2), reseed, means);
            centers = where(active.unsqueeze(1).unsqueeze(2), updated, centers);
            labels.MoveToOuterDisposeScope();
            active.MoveToOuterDisposeScope();
            centers.MoveToOuterDisposeScope();
        }
        return new KMeansResult
        {
            Labels = labels!.MoveToOuterDisposeScope(),
            Centers = centers.MoveToOuterDisposeScope(),
            Iterations = iterations,
        };
    }

    /// <summary>Rows of x [B, N, D] at index [B] -> [B, D], or at index [B, M] -> [B, M, D].</summary>
    private static Tensor GatherTokens(Tensor x, Tensor index)
    {
        var d = x.shape[2];
        if (index.dim() == 1)
            return x.gather(1, index.view(-1, 1, 1).expand(-1, 1, d)).squeeze(1);
        return x.gather(1, index.unsqueeze(2).expand(-1, -1, d));
    }

    /// <summary>||x − c||² for x [B, N, D] and c [B, D] -> [B, N].</summary>
    private static Tensor SquaredDistance(Tensor x, Tensor c) => x.sub(c.unsqueeze(1)).pow(2).sum(2);
}
