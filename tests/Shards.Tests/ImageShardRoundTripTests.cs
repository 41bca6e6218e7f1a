using SSeg.Tests.Common;

namespace SSeg.Shards.Tests;

public sealed class ImageShardRoundTripTests : IDisposable
{
    private readonly string _root = RepoPaths.NewTempDir("sseg-shards");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Rows_round_trip_through_several_row_groups()
    {
        var store = DatasetStore.Open(_root);
        var ds = await store.CreateOrOpenAsync("rt", source: "test", configHash: "cfg1");
        var small = new ShardWriterOptions { RowGroupMaxRows = 4 };
        var result = await TestRows.WriteImageShardAsync(ds, 3, rows: 10, failures: 3, options: small);

        Assert.False(result.AlreadyCommitted);
        Assert.Equal(10, result.Entry.Rows);
        Assert.Equal(3, result.Entry.RowGroups);
        Assert.Equal(3, result.Entry.Failures);
        Assert.True(await ds.IsCommittedAsync(3));
        Assert.False(await ds.IsCommittedAsync(4));

        await using var reader = await ds.OpenImageShardAsync(3);
        Assert.Equal(3, reader.RowGroupCount);
        var rows = new List<ImageRow>();
        await foreach (var row in reader.ReadRowsAsync()) rows.Add(row);
        Assert.Equal(10, rows.Count);
        for (var i = 0; i < 10; i++)
        {
            var expected = TestRows.Image(3, i);
            var actual = rows[i];
            Assert.Equal(expected.Key, actual.Key);
            Assert.Equal(expected.ImageBytes, actual.ImageBytes);
            Assert.Equal(expected.Caption, actual.Caption);
            Assert.Equal(expected.Nouns, actual.Nouns);
            Assert.Equal(expected.Verbs, actual.Verbs);
            Assert.Equal(expected.Url, actual.Url);
            Assert.Equal(expected.Source, actual.Source);
            Assert.Equal((expected.Width, expected.Height, expected.OriginalWidth, expected.OriginalHeight),
                (actual.Width, actual.Height, actual.OriginalWidth, actual.OriginalHeight));
            Assert.Equal(expected.Sha256, actual.Sha256);
            Assert.Equal(expected.Extra, actual.Extra);
        }

        var failures = await ds.ReadFailuresAsync(3);
        Assert.Equal(["http_404", "timeout", "http_404"], failures.Select(f => f.Reason));
        var stats = await ds.ReadStatsAsync(3);
        Assert.NotNull(stats);
        Assert.Equal(10, stats.Rows);
        Assert.Equal(13, stats.InputRows);
        Assert.Equal(2, stats.FailuresByReason["http_404"]);
        Assert.Equal("cfg1", stats.ConfigHash);
    }

    [Fact]
    public async Task Projection_reads_only_chosen_columns()
    {
        var ds = await DatasetStore.Open(_root).CreateOrOpenAsync("proj");
        await TestRows.WriteImageShardAsync(ds, 0, rows: 5);
        await using var reader = await ds.OpenImageShardAsync(0);
        var group = await reader.ReadRowGroupAsync(0, ImageColumns.Key | ImageColumns.Nouns);
        Assert.Equal(5, group.Count);
        Assert.Equal("test/00000/00001", group[1].Key);
        Assert.Equal(["photo", "noun1"], group[1].Nouns);
        Assert.Empty(group[1].ImageBytes);
        Assert.Equal("", group[1].Caption);
        Assert.Equal(0, group[1].Width);
    }
}
