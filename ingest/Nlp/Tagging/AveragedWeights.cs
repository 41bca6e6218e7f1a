namespace SSeg.Ingest.Nlp.Tagging;

/// <summary>
/// The training-time weights of an averaged perceptron: one linked list of (tag, weight) entries per hashed
/// feature (most features touch few tags), with lazily updated running totals so the average over all steps
/// costs nothing per step. Both tagging passes train with it.
/// </summary>
internal sealed class AveragedWeights
{
    private readonly Dictionary<ulong, int> _featureIds = new();
    private int[] _head = new int[1 << 16];
    private int[] _next = new int[1 << 18];
    private byte[] _tag = new byte[1 << 18];
    private float[] _weight = new float[1 << 18];
    private double[] _total = new double[1 << 18];
    private int[] _stamp = new int[1 << 18];
    private int _entries;

    /// <summary>The number of predictions made so far (the averaging clock); advance it once per prediction.</summary>
    public int Step { get; set; }

    /// <summary>Adds the current weights of <paramref name="features"/> to <paramref name="scores"/>; remembers each feature's id (-1 if new).</summary>
    public void Accumulate(ReadOnlySpan<ulong> features, Span<int> featureIds, Span<float> scores)
    {
        for (int f = 0; f < features.Length; f++)
        {
            int id = _featureIds.TryGetValue(features[f], out var v) ? v : -1;
            featureIds[f] = id;
            if (id < 0) continue;
            for (int e = _head[id]; e >= 0; e = _next[e]) scores[_tag[e]] += _weight[e];
        }
    }

    /// <summary>Adds <paramref name="delta"/> to (feature, tag) for every feature: the perceptron update.</summary>
    public void Update(ReadOnlySpan<ulong> features, ReadOnlySpan<int> featureIds, byte tag, float delta)
    {
        for (int f = 0; f < features.Length; f++)
            Update(featureIds[f] >= 0 ? featureIds[f] : AddFeature(features[f]), tag, delta);
    }

    private int AddFeature(ulong key)
    {
        if (_featureIds.TryGetValue(key, out var id)) return id; // the same hash twice in one position
        id = _featureIds.Count;
        _featureIds.Add(key, id);
        if (id >= _head.Length) Array.Resize(ref _head, _head.Length * 2);
        _head[id] = -1;
        return id;
    }

    private void Update(int feature, byte tag, float delta)
    {
        int e = _head[feature];
        while (e >= 0 && _tag[e] != tag) e = _next[e];
        if (e < 0)
        {
            if (_entries == _next.Length)
            {
                int size = _next.Length * 2;
                Array.Resize(ref _next, size); Array.Resize(ref _tag, size); Array.Resize(ref _weight, size);
                Array.Resize(ref _total, size); Array.Resize(ref _stamp, size);
            }
            e = _entries++;
            _tag[e] = tag; _weight[e] = 0; _total[e] = 0; _stamp[e] = Step;
            _next[e] = _head[feature];
            _head[feature] = e;
        }
        _total[e] += (double)(Step - _stamp[e]) * _weight[e];
        _stamp[e] = Step;
        _weight[e] += delta;
    }

    /// <summary>The averaged weights with |w| ≥ <paramref name="pruneBelow"/>, features in key order, entries in tag order.</summary>
    public (ulong[] Keys, int[] Starts, byte[] Tags, float[] Weights) Averaged(float pruneBelow)
    {
        double steps = Math.Max(1, Step);
        var keys = new List<ulong>();
        var starts = new List<int> { 0 };
        var entryTags = new List<byte>();
        var entryWeights = new List<float>();
        var row = new List<(byte Tag, float Weight)>();
        foreach (var (key, id) in _featureIds.OrderBy(kv => kv.Key))
        {
            row.Clear();
            for (int e = _head[id]; e >= 0; e = _next[e])
            {
                double avg = (_total[e] + (double)(Step - _stamp[e]) * _weight[e]) / steps;
                if (Math.Abs(avg) >= pruneBelow) row.Add((_tag[e], (float)avg));
            }
            if (row.Count == 0) continue;
            row.Sort((a, b) => a.Tag.CompareTo(b.Tag));
            keys.Add(key);
            foreach (var (t, w) in row) { entryTags.Add(t); entryWeights.Add(w); }
            starts.Add(entryTags.Count);
        }
        return (keys.ToArray(), starts.ToArray(), entryTags.ToArray(), entryWeights.ToArray());
    }

    /// <summary>The mean of several models' weights (a feature missing from a model counts as 0), pruned like <see cref="Averaged"/>.</summary>
    public static (ulong[] Keys, int[] Starts, byte[] Tags, float[] Weights) Mean(
        IReadOnlyList<(ulong[] Keys, int[] Starts, byte[] Tags, float[] Weights)> models, float pruneBelow)
    {
        var sums = new Dictionary<ulong, Dictionary<byte, double>>();
        foreach (var (keys, starts, tags, weights) in models)
            for (int f = 0; f < keys.Length; f++)
            {
                if (!sums.TryGetValue(keys[f], out var row)) sums[keys[f]] = row = new Dictionary<byte, double>();
                for (int e = starts[f]; e < starts[f + 1]; e++) row[tags[e]] = row.GetValueOrDefault(tags[e]) + weights[e];
            }
        var outKeys = new List<ulong>();
        var outStarts = new List<int> { 0 };
        var outTags = new List<byte>();
        var outWeights = new List<float>();
        foreach (var (key, row) in sums.OrderBy(kv => kv.Key))
        {
            int before = outTags.Count;
            foreach (var (tag, sum) in row.OrderBy(kv => kv.Key))
            {
                double mean = sum / models.Count;
                if (Math.Abs(mean) >= pruneBelow) { outTags.Add(tag); outWeights.Add((float)mean); }
            }
            if (outTags.Count == before) continue;
            outKeys.Add(key);
            outStarts.Add(outTags.Count);
        }
        return (outKeys.ToArray(), outStarts.ToArray(), outTags.ToArray(), outWeights.ToArray());
    }
}
