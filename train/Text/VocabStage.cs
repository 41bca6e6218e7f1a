using SSeg.Shards;
using SSeg.Shards.Storage;

namespace SSeg.Train.Text;

/// <summary>`train vocab`: learns the dataset's own BPE vocabulary from its captions and stores it at
/// <c>datasets/NAME/vocab/bpe-SIZE.txt.gz</c> (CLIP merges format). Idempotent: an existing file is kept unless forced.</summary>
public static class VocabStage
{
    public static string VocabKey(string dataset, int size) => $"datasets/{dataset}/vocab/bpe-{size}.txt.gz";

    public sealed record Result(string Key, int Merges, long Captions, int DistinctWords, bool Skipped);

    public static async Task<Result> RunAsync(string root, string datasetName, int size, bool force = false, string? azureConnectionString = null,
        IProgress<string>? progress = null, CancellationToken ct = default)
    {
        var storage = StorageFactory.Open(root, azureConnectionString);
        var dataset = new DatasetStore(storage).Dataset(datasetName);
        var key = VocabKey(datasetName, size);
        if (!force && await storage.GetInfoAsync(key, ct) is not null)
        {
            progress?.Report($"{key} exists; skipped (use --force to rebuild)");
            return new Result(key, -1, 0, 0, true);
        }
        var learner = new BpeLearner();
        await foreach (var row in dataset.ReadImagesAsync(ImageColumns.Caption, ct))
        {
            learner.Add(row.Caption);
            if (learner.TextsSeen % 100_000 == 0) progress?.Report($"{learner.TextsSeen} captions read");
        }
        if (learner.TextsSeen == 0) throw new InvalidOperationException($"dataset '{datasetName}' has no committed image shards with captions");
        progress?.Report($"{learner.TextsSeen} captions, {learner.DistinctWords} distinct words; learning merges");
        var merges = learner.Learn(size, progress: new Progress<int>(n => { if (n % 5000 == 0) progress?.Report($"{n} merges"); }), ct: ct);
        using var buffer = new MemoryStream();
        BpeTokenizer.Save(merges, buffer, key, $"#version: sseg bpe learned from {datasetName} ({learner.TextsSeen} captions)");
        await storage.WriteAsync(key, buffer.ToArray(), ct);
        progress?.Report($"wrote {key}: {merges.Count} merges (vocabulary {514 + merges.Count})");
        return new Result(key, merges.Count, learner.TextsSeen, learner.DistinctWords, false);
    }
}
