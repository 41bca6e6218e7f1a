using SSeg.Runs;

namespace SSeg.Runs.Tests;

/// <summary>The seed mixer against values of the same hash computed independently (Python integers mod 2⁶⁴,
/// Fixtures/generate_seed_mixer.py), so a
/// change to it, which would change every data order and learned figure, cannot pass unnoticed.</summary>
public sealed class SeedMixerTests
{
    [Theory]
    [InlineData(0L, 0L, 0L)]
    [InlineData(1L, -3L, 17L)]
    [InlineData(5L, -1L, 5L)]
    [InlineData(98L, 1_000_003L, 42L)]
    public void Mixes_as_the_reference_does(long a, long b, long c)
    {
        var (mixed, nonNegative) = Reference(a, b, c);
        Assert.Equal(mixed, SeedMixer.Mix(a, b, c));
        Assert.Equal(nonNegative, SeedMixer.NonNegative(a, b, c));
        Assert.True(SeedMixer.NonNegative(a, b, c) >= 0);
    }

    private static (int Mixed, int NonNegative) Reference(long a, long b, long c) => (a, b, c) switch
    {
        (0, 0, 0) => (1371779515, 1371779515),
        (1, -3, 17) => (1528513017, 1528513017),
        (5, -1, 5) => (252458751, 252458751),
        (98, 1_000_003, 42) => (-225135815, 1922347833),
        _ => throw new ArgumentException("no reference value"),
    };
}
