using SSeg.Tests.Common;

namespace SSeg.Shards.Tests;

/// <summary>Rows built from the real JPEGs in ../shared/data/photos.</summary>
internal static class TestRows
{
    private static readonly Lazy<IReadOnlyList<string>> PhotoPaths = new(() =>
    {
        var files = Directory.Exists(RepoPaths.Photos)
            ? Directory.GetFiles(RepoPaths.Photos, "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList()
            : [];
        if (files.Count == 0) throw new InvalidOperationException($"No JPEGs under {RepoPaths.Photos}.");
        return files;
    });

    public static byte[] Photo(int i) => File.ReadAllBytes(PhotoPaths.Value[i % PhotoPaths.Value.Count]);

    public static ImageRow Image(int shard, int row, byte[]? bytes = null) => new(
        Key: SampleKey.Format("test", shard, row),
        ImageBytes: bytes ?? Photo(row),
        Caption: $"a photo number {row} of shard {shard}",
        Nouns: row % 3 == 0 ? [] : ["photo", $"noun{row}"],
        Verbs: row % 2 == 0 ? ["run"] : [],
        Url: $"https://example.com/{shard}/{row}.jpg?x=1&y=2",
        Source: "test",
        Width: 100 + row, Height: 200 + row, OriginalWidth: 1000 + row, OriginalHeight: 2000 + row,
        Sha256: $"{row:x64}",
        Extra: row % 4 == 0 ? null : $$"""{"row":{{row}},"subreddit":"pics"}""");

    public static async Task<ShardCommitResult> WriteImageShardAsync(Dataset dataset, int shard, int rows, int failures = 0,
        ShardWriterOptions? options = null)
    {
        await using var writer = await dataset.CreateImageShardWriterAsync(shard, options);
        for (var i = 0; i < rows; i++) await writer.AddAsync(Image(shard, i));
        for (var i = 0; i < failures; i++)
            writer.AddFailure(new FailureRow($"https://example.com/fail/{i}", SampleKey.Format("test", shard, rows + i), i % 2 == 0 ? "http_404" : "timeout", $"detail {i}"));
        writer.InputRows = rows + failures;
        return await writer.CommitAsync();
    }
}
