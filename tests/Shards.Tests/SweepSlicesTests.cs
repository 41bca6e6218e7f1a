using SSeg.Shards.Commits;

namespace SSeg.Shards.Tests;

/// <summary>
/// The slices a large dataset is swept by (<see cref="SweepSlices"/>): every commit object name falls in exactly one
/// slice of its kind, and no slice holds more than about 11,000 shards whatever the kind's size.
/// </summary>
public sealed class SweepSlicesTests
{
    private const string Inc = "inc1";

    /// <summary>The slices whose listing (a key prefix under the commits folder) returns <paramref name="path"/>.</summary>
    private static List<string> SlicesListing(List<string> slices, string path) =>
        slices.Where(s => path.StartsWith($"{CommitKeys.CommitsFolderOf(Inc)}/{s}", StringComparison.Ordinal)).ToList();

    [Theory]
    [InlineData(99_999, 10)]
    [InlineData(100_000, 100)]
    [InlineData(999_999, 100)]
    [InlineData(5_000_000, 1000)]
    public void Every_name_of_a_kind_falls_in_exactly_one_of_its_slices(int highest, int slicesPerKind)
    {
        var masks = ShardNames.MasksKind("g1");
        var slices = SweepSlices.Of([ShardNames.ImagesKind, masks], kind => kind == masks ? null : highest, 1_000_000, SweepSlices.WholeUpTo);
        Assert.Equal(slicesPerKind + 10, slices.Count);   // a kind with no known index: one lead digit
        Assert.Equal(slices.Order(StringComparer.Ordinal), slices);
        var random = new Random(highest);
        var indexes = new[] { 0, 9, 99, 999, 9_999, 10_000, 99_999, highest, highest / 2 }
            .Concat(Enumerable.Range(0, 2000).Select(_ => random.Next(0, highest + 1)));
        foreach (var index in indexes)
            foreach (var kind in new[] { ShardNames.ImagesKind, masks })
            {
                var path = CommitKeys.CommitPath(Inc, kind, index, 1 + index % 3);
                Assert.Single(SlicesListing(slices, path));
            }
    }

    [Fact]
    public void No_slice_of_a_kind_of_a_million_shards_holds_more_than_11000_of_them()
    {
        var slices = SweepSlices.Of([ShardNames.ImagesKind], _ => 999_999, 1_000_000, SweepSlices.WholeUpTo);
        var perSlice = slices.ToDictionary(s => s, _ => 0);
        for (var index = 0; index < 1_000_000; index++)
        {
            var name = $"{ShardNames.ImagesKind}/{ShardNames.PartName(index)}";
            perSlice[slices.Single(s => name.StartsWith(s, StringComparison.Ordinal))]++;
        }
        Assert.Equal(1_000_000, perSlice.Values.Sum());
        Assert.True(perSlice.Values.Max() <= 11_000, $"largest slice {perSlice.Values.Max()}");
    }

    [Fact]
    public void A_dataset_of_at_most_WholeUpTo_objects_is_one_slice_and_the_next_slice_wraps_after_the_last()
    {
        Assert.Equal([SweepSlices.Whole], SweepSlices.Of([ShardNames.ImagesKind], _ => 999_999, SweepSlices.WholeUpTo, SweepSlices.WholeUpTo));
        var slices = SweepSlices.Of([ShardNames.ImagesKind], _ => 5, SweepSlices.WholeUpTo + 1, SweepSlices.WholeUpTo);
        Assert.Equal("images/part-0", SweepSlices.After(slices, null));
        Assert.Equal("images/part-0", SweepSlices.After(slices, SweepSlices.Whole));   // a dataset that grew past the bound starts a pass
        Assert.Equal("images/part-4", SweepSlices.After(slices, "images/part-3"));
        Assert.Equal("images/part-0", SweepSlices.After(slices, "images/part-9"));
        // A kind that grew a digit mid-pass goes on after the slice it was at (its first sub-slice was covered by it).
        var grown = SweepSlices.Of([ShardNames.ImagesKind], _ => 100_000, SweepSlices.WholeUpTo + 1, SweepSlices.WholeUpTo);
        Assert.Equal("images/part-30", SweepSlices.After(grown, "images/part-3"));
    }
}
