using System.Text.Json;
using SSeg.Train.Matching;

namespace SSeg.Train.Tests.Matching;

public class LinearAssignmentTests
{
    private sealed record Case(int rows, int cols, string kind, bool maximize, double[] cost, int[] row_ind, int[] col_ind, double total);

    public static IEnumerable<object[]> Cases()
    {
        var path = Path.Combine(RepoPaths.Fixtures("Train.Tests"), "assignment_golden.json");
        var cases = JsonSerializer.Deserialize<Case[]>(File.ReadAllText(path))!;
        for (int i = 0; i < cases.Length; i++) yield return [i, cases[i].rows, cases[i].cols, cases[i].kind, cases[i].maximize];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_scipy_linear_sum_assignment(int index, int rows, int cols, string kind, bool maximize)
    {
        var path = Path.Combine(RepoPaths.Fixtures("Train.Tests"), "assignment_golden.json");
        var c = JsonSerializer.Deserialize<Case[]>(File.ReadAllText(path))![index];
        Assert.Equal((rows, cols, kind, maximize), (c.rows, c.cols, c.kind, c.maximize));

        var (r, k) = LinearAssignment.Solve(c.cost, c.rows, c.cols, c.maximize);

        Assert.Equal(c.row_ind, r);
        Assert.Equal(c.col_ind, k);
        double total = r.Select((ri, n) => c.cost[ri * c.cols + k[n]]).Sum();
        Assert.Equal(c.total, total, 9);
    }

    [Fact]
    public void Empty_and_bad_inputs()
    {
        var (r, k) = LinearAssignment.Solve([], 0, 5);
        Assert.Empty(r);
        Assert.Empty(k);
        Assert.Throws<ArgumentException>(() => LinearAssignment.Solve([1, 2, 3], 2, 2));
        Assert.Throws<ArgumentException>(() => LinearAssignment.Solve([1, double.NaN, 3, 4], 2, 2));
        Assert.Throws<InvalidOperationException>(() =>
            LinearAssignment.Solve([double.PositiveInfinity, double.PositiveInfinity, 1, 2], 2, 2));
    }
}
