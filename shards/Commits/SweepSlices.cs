using System.Globalization;

namespace SSeg.Shards.Commits;

/// <summary>
/// The parts the dataset's sweep lists one at a time once the dataset is large, so that no read lists every commit
/// object name: one slice per kind and leading digits of the shard number, <c>&lt;kind&gt;/part-&lt;lead&gt;</c> under the
/// incarnation's commits folder. Shard numbers have at least five digits (<see cref="ShardNames.PartName"/>), so every
/// name has exactly one lead of up to five digits and the slices of a kind cover each of its names once.
/// <para>
/// The lead is one digit shorter than needed for 1,000 shards a slice, judged by the kind's highest index: a kind up to
/// shard 99,999 has 10 slices of at most 10,000 shards; up to 999,999, 100 slices of at most 11,000 (1,000 five-digit
/// and 10,000 six-digit numbers share each two-digit lead); and so on. A slice therefore holds about 11,000 names at
/// most (3 list pages on Blob), whatever the dataset's size. A dataset of at most <see cref="WholeUpTo"/> commit objects
/// is swept in one listing of every name.
/// </para>
/// </summary>
internal static class SweepSlices
{
    /// <summary>Commit objects up to which a sweep lists every name at once: 10 list pages on Blob.</summary>
    public const long WholeUpTo = 50_000;

    /// <summary>The slice that lists every name.</summary>
    public const string Whole = "";

    private const int FewestDigits = 5;

    /// <summary>
    /// The slices, in ordinal order, of a dataset of <paramref name="commitObjects"/> objects whose kinds are
    /// <paramref name="kinds"/>; <paramref name="highestIndex"/> gives a kind's highest known shard index (null: none known).
    /// </summary>
    public static List<string> Of(IEnumerable<string> kinds, Func<string, int?> highestIndex, long commitObjects, long wholeUpTo)
    {
        if (commitObjects <= wholeUpTo) return [Whole];
        var slices = new List<string>();
        foreach (var kind in kinds.Distinct().Order(StringComparer.Ordinal))
        {
            var lead = LeadDigits(highestIndex(kind));
            var count = (int)Math.Pow(10, lead);
            for (var i = 0; i < count; i++) slices.Add($"{kind}/part-{i.ToString("D" + lead, CultureInfo.InvariantCulture)}");
        }
        slices.Sort(StringComparer.Ordinal);
        return slices.Count == 0 ? [Whole] : slices;
    }

    /// <summary>How many slices <see cref="Of"/> would give for these kinds: a reader's estimate, to pace the steps.</summary>
    public static int CountOf(IEnumerable<int?> highestIndexes, long commitObjects, long wholeUpTo) =>
        commitObjects <= wholeUpTo ? 1 : Math.Max(1, highestIndexes.Sum(h => (int)Math.Pow(10, LeadDigits(h))));

    /// <summary>Leading digits a kind's slices are cut by: one for up to 99,999, two for up to 999,999, at most five.</summary>
    public static int LeadDigits(int? highestIndex)
    {
        var digits = Math.Max(FewestDigits, (highestIndex ?? 0).ToString(CultureInfo.InvariantCulture).Length);
        return Math.Clamp(digits - 4, 1, FewestDigits);
    }

    /// <summary>The slice after <paramref name="last"/> in <paramref name="slices"/> (ordinal order), the first one after the last.</summary>
    public static string After(List<string> slices, string? last)
    {
        if (last is null) return slices[0];
        foreach (var slice in slices)
            if (string.CompareOrdinal(slice, last) > 0) return slice;
        return slices[0];
    }
}
