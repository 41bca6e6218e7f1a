using SSeg.Runs;
using SSeg.Models.MaskFormer;
using SSeg.Train.Data;
using SSeg.Train.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SSeg.Train.Training;

/// <summary>
/// One optimizer step whose image–text and multi-label losses span a contrastive batch larger than one forward pass
/// (GradCache, Gao et al. 2021; OpenCLIP <c>--accum-freq</c>), over one or several data-parallel replicas.
/// <list type="number">
/// <item>Pass 1, without gradients: every chunk (a replica's share of a micro-batch) is embedded; only the normalised
/// image and text embeddings are kept (the cache: N × (1 + prompts) × E values), on replica 0's device.</item>
/// <item>The two contrastive losses are computed once over the N cached rows and back-propagated to the cache (and to
/// the logit scales of replica 0).</item>
/// <item>Pass 2, with gradients: every chunk runs again with the same dropout / drop-path draws (the torch seed is set per
/// chunk from (seed, step, chunk) in both passes), and back-propagates ⟨embedding, cached gradient⟩ together with its
/// own mask loss; its activations are freed before the next chunk, so memory holds one chunk's graph at a time.</item>
/// </list>
/// The mask loss of each chunk is normalised by the number of masks in the whole contrastive batch, so the mask part
/// equals that of one forward pass over the N samples. BatchNorm (the projectors' and the pyramid's) uses each chunk's
/// own statistics in both passes, and pass 1 leaves the running statistics as they were, so they are updated once per
/// chunk as in plain accumulation. Optimizer steps with several contrastive batches (batch × accumulation a multiple of
/// N) average their losses, as accumulation does.
/// </summary>
public sealed class GradientCachedStep
{
    private readonly DataParallelReplicas _replicas;
    private readonly SSegObjective _objective;
    private readonly int _batchSize;

    public int ContrastiveBatch { get; }

    public GradientCachedStep(DataParallelReplicas replicas, SSegObjective objective)
    {
        _replicas = replicas;
        _objective = objective;
        _batchSize = objective.Options.BatchSize;
        ContrastiveBatch = ResolveContrastiveBatch(objective.Options);
    }

    /// <summary>The contrastive batch of <paramref name="o"/> (default batch × accumulation), checked: a multiple of the
    /// batch size that divides batch × accumulation.</summary>
    public static int ResolveContrastiveBatch(TrainOptions o)
    {
        int step = o.BatchSize * o.Accumulation;
        int n = o.ContrastiveBatch ?? step;
        if (n < o.BatchSize || n % o.BatchSize != 0)
            throw new ArgumentException($"contrastive batch {n} must be a multiple of the batch size {o.BatchSize}");
        if (step % n != 0)
            throw new ArgumentException($"contrastive batch {n} must divide the optimizer step's batch × accumulation = {o.BatchSize} × {o.Accumulation} = {step}" +
                (n > step ? $"; use --accumulation {n / o.BatchSize}" : ""));
        return n;
    }

    /// <summary>False where the plain accumulation step computes the same objective: one device and a contrastive
    /// batch of one micro-batch.</summary>
    public static bool IsNeeded(TrainOptions o, int devices) => devices > 1 || ResolveContrastiveBatch(o) != o.BatchSize;

    /// <summary>The torch seed of chunk <paramref name="chunk"/> of optimizer step <paramref name="step"/>: set before
    /// the chunk's forward pass in both passes, so dropout and drop path draw the same masks.</summary>
    public static int ChunkSeed(int seed, long step, int chunk) => SeedMixer.Mix(SeedMixer.Mix(seed, -3, step), -4, chunk);

    /// <summary>Gradients of the two passes (summed onto replica 0), clipping and one AdamW step; the replicas then get
    /// replica 0's weights.</summary>
    public StepOutput Step(OptimizerHelper optimizer, IReadOnlyList<TrainBatch> batches, IReadOnlyList<Parameter> parameters, double lr, long step)
    {
        using var scope = NewDisposeScope();
        var metrics = ComputeGradients(batches, step);
        double gradNorm = _objective.Options.ClipGrad > 0 ? nn.utils.clip_grad_norm_(parameters, _objective.Options.ClipGrad) : double.NaN;
        foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
        optimizer.step();
        _replicas.Broadcast();
        return (metrics with { GradNorm = gradNorm }).ToOutput(lr);
    }

    /// <summary>Zeroes the gradients and runs both passes over <paramref name="batches"/>; the parameter gradients end
    /// up summed on replica 0. No optimizer step.</summary>
    public SSegStepValues ComputeGradients(IReadOnlyList<TrainBatch> batches, long step)
    {
        int perGroup = ContrastiveBatch / _batchSize;
        if (batches.Count == 0 || batches.Count % perGroup != 0)
            throw new ArgumentException($"{batches.Count} micro-batches do not make whole contrastive batches of {perGroup} micro-batches");
        int groups = batches.Count / perGroup;
        foreach (var m in _replicas.Models) m.train();
        _replicas.ZeroGradients();

        double loss = 0, mask = 0, focal = 0, dice = 0, itc = 0, ml = 0, masks = 0, images = 0;
        int chunkIndex = 0;
        for (int g = 0; g < groups; g++)
        {
            var group = batches.Skip(g * perGroup).Take(perGroup).ToList();
            var chunks = Chunks(group, ref chunkIndex);
            var t = Group(chunks, step, groups);
            loss += t.Loss / groups;
            mask += t.Mask / groups;
            focal += t.Focal / groups;
            dice += t.Dice / groups;
            itc += t.Itc / groups;
            ml += t.MultiLabel / groups;
            masks += group.Sum(b => b.TotalMasks);
            images += group.Sum(b => b.Count);
        }
        _replicas.SumGradientsOntoMain();
        return new SSegStepValues(loss, mask, focal, dice, itc, ml, _replicas.Models[0].Scale().ToDouble(), masks / Math.Max(1, images));
    }

    /// <summary>A replica's share of a micro-batch: one forward pass.</summary>
    private sealed record Chunk(int Index, int Replica, TrainBatch Batch, int Start, int Length);

    private List<Chunk> Chunks(List<TrainBatch> group, ref int chunkIndex)
    {
        var chunks = new List<Chunk>();
        foreach (var b in group)
        {
            var shares = _replicas.Shares(b.Count);
            for (int r = 0; r < shares.Count; r++) chunks.Add(new Chunk(chunkIndex++, r, b, shares[r].Start, shares[r].Length));
        }
        return chunks;
    }

    private sealed record GroupTerms(double Loss, double Mask, double Focal, double Dice, double Itc, double MultiLabel);

    private GroupTerms Group(List<Chunk> chunks, long step, int groups)
    {
        var o = _objective.Options;
        var main = _replicas.Models[0];
        var mainDevice = _replicas.Devices[0];
        double numMasks = Math.Max(1.0, chunks.Sum(c => c.Batch.Targets.Skip(c.Start).Take(c.Length).Sum(t => (double)t.shape[0])));
        using var scope = NewDisposeScope();

        // Pass 1: embeddings only. BatchNorm running statistics are put back afterwards: pass 2 updates them.
        var images = new List<Tensor>(chunks.Count);
        var texts = new List<Tensor>(chunks.Count);
        var buffers = _replicas.SnapshotBuffers();
        using (no_grad())
        {
            foreach (var c in chunks)
            {
                using var chunkScope = NewDisposeScope();
                var (img, txt) = Embed(c, step);
                images.Add(img.to(mainDevice).MoveToOuterDisposeScope());
                texts.Add(txt.to(mainDevice).MoveToOuterDisposeScope());
            }
        }
        _replicas.RestoreBuffers(buffers);

        // The contrastive losses over the whole contrastive batch, and their gradients w.r.t. the cache.
        var imageCache = cat(images, 0).detach().requires_grad_(true);
        var textCache = cat(texts, 0).detach().requires_grad_(true);
        var (contrast, itc, ml) = _objective.Contrastive(main, imageCache, textCache);
        (contrast * (o.ContrastiveWeight / groups)).backward();
        double contrastValue = contrast.ToDouble();
        var imageGrad = imageCache.grad!;
        var textGrad = textCache.grad!;

        // Pass 2: each chunk again with gradients; the cached gradients stand in for the contrastive losses.
        double mask = 0, focal = 0, dice = 0;
        long offset = 0;
        foreach (var c in chunks)
        {
            using var chunkScope = NewDisposeScope();
            var model = _replicas.Models[c.Replica];
            var device = _replicas.Devices[c.Replica];
            using var output = Forward(c, step);
            var (img, txt) = _objective.Embed(model, output, Slice(c.Batch.Tokens, c, device));
            var (maskLoss, layers) = _objective.MaskLoss(output, c.Batch.Targets.Skip(c.Start).Take(c.Length).ToList(), device, numMasks);
            var surrogate = (o.MaskWeight / groups) * maskLoss
                            + (img * imageGrad.narrow(0, offset, c.Length).to(device)).sum()
                            + (txt * textGrad.narrow(0, offset, c.Length).to(device)).sum();
            surrogate.backward();
            offset += c.Length;
            mask += maskLoss.ToDouble();
            focal += layers[^1].Focal;
            dice += layers[^1].Dice;
        }
        return new GroupTerms(o.MaskWeight * mask + o.ContrastiveWeight * contrastValue, mask, focal, dice, itc, ml);
    }

    private (Tensor Image, Tensor Text) Embed(Chunk c, long step)
    {
        var model = _replicas.Models[c.Replica];
        using var output = Forward(c, step);
        return _objective.Embed(model, output, Slice(c.Batch.Tokens, c, _replicas.Devices[c.Replica]));
    }

    private MaskFormerOutput Forward(Chunk c, long step)
    {
        manual_seed(ChunkSeed(_objective.Options.Seed, step, c.Index));
        return _replicas.Models[c.Replica].EncodeImages(Slice(c.Batch.Images, c, _replicas.Devices[c.Replica]));
    }

    private static Tensor Slice(Tensor t, Chunk c, Device device) => t.narrow(0, c.Start, c.Length).to(device);
}
