namespace SSeg.Eval.Metrics;

/// <summary>
/// Dataset-level mIoU exactly as mmsegmentation computes it (core/evaluation/metrics.py): per class, the
/// intersection, predicted-pixel and ground-truth-pixel counts are accumulated over the whole dataset in
/// 64-bit integers; pixels whose ground truth equals <see cref="IgnoreIndex"/> are dropped first;
/// union = pred + gt − intersect; IoU is NaN where the union is zero; mIoU is the mean over non-NaN classes;
/// aAcc = Σ intersect / Σ gt. Per-image IoUs are never averaged.
/// </summary>
/// <remarks>
/// Ground-truth values outside [0, <see cref="NumClasses"/>) other than the ignore index are dropped as mmseg's
/// histogram does, but counted in <see cref="OutOfRangeGroundTruthPixels"/> so that a label/class-list mismatch
/// is visible. A prediction outside the class range is a scorer bug and throws. Not thread-safe: accumulate per
/// thread and <see cref="Merge"/>.
/// </remarks>
public sealed class SegmentationMetrics
{
    private readonly long[] _intersect;
    private readonly long[] _pred;
    private readonly long[] _gt;

    public SegmentationMetrics(int numClasses, int ignoreIndex = 255)
    {
        if (numClasses <= 0) throw new ArgumentOutOfRangeException(nameof(numClasses), "at least one class is needed");
        NumClasses = numClasses;
        IgnoreIndex = ignoreIndex;
        _intersect = new long[numClasses];
        _pred = new long[numClasses];
        _gt = new long[numClasses];
    }

    public int NumClasses { get; }
    public int IgnoreIndex { get; }

    /// <summary>Images added so far.</summary>
    public long Images { get; private set; }

    /// <summary>Non-ignored ground-truth pixels whose value is not a class index (dropped, as mmseg does).</summary>
    public long OutOfRangeGroundTruthPixels { get; private set; }

    public IReadOnlyList<long> Intersect => _intersect;
    public IReadOnlyList<long> PredictedPixels => _pred;
    public IReadOnlyList<long> GroundTruthPixels => _gt;

    /// <summary>Adds one image: prediction and ground truth of equal length (row-major label maps).</summary>
    public void Add(ReadOnlySpan<int> prediction, ReadOnlySpan<int> groundTruth)
    {
        if (prediction.Length != groundTruth.Length)
            throw new ArgumentException($"prediction has {prediction.Length} pixels but ground truth has {groundTruth.Length}");
        int n = NumClasses;
        for (int i = 0; i < prediction.Length; i++)
        {
            int g = groundTruth[i];
            if (g == IgnoreIndex) continue;
            int p = prediction[i];
            if ((uint)p >= (uint)n)
                throw new ArgumentOutOfRangeException(nameof(prediction), $"predicted label {p} at pixel {i} is outside 0..{n - 1}");
            if ((uint)g >= (uint)n)
            {
                OutOfRangeGroundTruthPixels++;
                continue;
            }
            _pred[p]++;
            _gt[g]++;
            if (p == g) _intersect[g]++;
        }
        Images++;
    }

    /// <summary>Adds one image given as label maps of the same size.</summary>
    public void Add(LabelMap prediction, LabelMap groundTruth)
    {
        if (prediction.Width != groundTruth.Width || prediction.Height != groundTruth.Height)
            throw new ArgumentException(
                $"prediction is {prediction.Width}x{prediction.Height} but ground truth is {groundTruth.Width}x{groundTruth.Height}");
        Add(prediction.Labels, groundTruth.Labels);
    }

    /// <summary>Adds another accumulator's counts (same class count and ignore index).</summary>
    public void Merge(SegmentationMetrics other)
    {
        if (other.NumClasses != NumClasses || other.IgnoreIndex != IgnoreIndex)
            throw new ArgumentException("cannot merge metrics with different class count or ignore index");
        for (int c = 0; c < NumClasses; c++)
        {
            _intersect[c] += other._intersect[c];
            _pred[c] += other._pred[c];
            _gt[c] += other._gt[c];
        }
        Images += other.Images;
        OutOfRangeGroundTruthPixels += other.OutOfRangeGroundTruthPixels;
    }

    public long Union(int c) => _pred[c] + _gt[c] - _intersect[c];

    /// <summary>IoU of class c; NaN when the class is absent from both prediction and ground truth.</summary>
    public double IoU(int c)
    {
        long union = Union(c);
        return union == 0 ? double.NaN : (double)_intersect[c] / union;
    }

    /// <summary>Per-class accuracy (recall) intersect/gt; NaN when the class has no ground-truth pixel.</summary>
    public double Accuracy(int c) => _gt[c] == 0 ? double.NaN : (double)_intersect[c] / _gt[c];

    public double[] PerClassIoU()
    {
        var iou = new double[NumClasses];
        for (int c = 0; c < NumClasses; c++) iou[c] = IoU(c);
        return iou;
    }

    /// <summary>Mean IoU over classes whose IoU is defined (nanmean); NaN when none is.</summary>
    public double MeanIoU => NanMean(PerClassIoU());

    /// <summary>Mean per-class accuracy over classes present in the ground truth (nanmean).</summary>
    public double MeanAccuracy
    {
        get
        {
            var acc = new double[NumClasses];
            for (int c = 0; c < NumClasses; c++) acc[c] = Accuracy(c);
            return NanMean(acc);
        }
    }

    /// <summary>All-pixel accuracy Σ intersect / Σ gt; NaN before any counted pixel.</summary>
    public double AllAccuracy
    {
        get
        {
            long inter = 0, gt = 0;
            for (int c = 0; c < NumClasses; c++) { inter += _intersect[c]; gt += _gt[c]; }
            return gt == 0 ? double.NaN : (double)inter / gt;
        }
    }

    /// <summary>One row per class with counts, IoU and accuracy, named by <paramref name="classNames"/>.</summary>
    public IReadOnlyList<ClassResult> PerClass(IReadOnlyList<string> classNames)
    {
        if (classNames.Count != NumClasses)
            throw new ArgumentException($"{classNames.Count} class names given for {NumClasses} classes");
        var rows = new ClassResult[NumClasses];
        for (int c = 0; c < NumClasses; c++)
            rows[c] = new ClassResult(c, classNames[c], _intersect[c], Union(c), _pred[c], _gt[c], IoU(c), Accuracy(c));
        return rows;
    }

    public static double NanMean(IEnumerable<double> values)
    {
        double sum = 0;
        int n = 0;
        foreach (var v in values)
        {
            if (double.IsNaN(v)) continue;
            sum += v;
            n++;
        }
        return n == 0 ? double.NaN : sum / n;
    }
}

/// <summary>One class's accumulated counts and scores.</summary>
public sealed record ClassResult(
    int Index, string Name, long Intersect, long Union, long Predicted, long GroundTruth, double IoU, double Accuracy);
