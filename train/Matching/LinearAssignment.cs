namespace SSeg.Train.Matching;

/// <summary>
/// Rectangular linear sum assignment with the semantics of SciPy's <c>linear_sum_assignment</c>:
/// shortest augmenting paths (Jonker–Volgenant style, as in Crouse 2016) over the smaller dimension,
/// so every row (if rows ≤ columns) or every column (otherwise) is assigned exactly once.
/// Tie-breaking follows SciPy's implementation, so results are identical even with equal costs.
/// </summary>
public static class LinearAssignment
{
    /// <summary>Minimum-cost assignment of a row-major <paramref name="rows"/>×<paramref name="cols"/> cost matrix.
    /// Returns (rowIndices ascending, colIndices) of length min(rows, cols).</summary>
    public static (int[] Rows, int[] Cols) Solve(double[] cost, int rows, int cols, bool maximize = false)
    {
        ArgumentNullException.ThrowIfNull(cost);
        if (cost.Length != rows * cols)
            throw new ArgumentException($"Cost matrix has {cost.Length} values, expected {rows}x{cols}.", nameof(cost));
        if (rows == 0 || cols == 0) return ([], []);

        bool transpose = cols < rows;
        int nr = transpose ? cols : rows, nc = transpose ? rows : cols;
        var c = new double[nr * nc];
        for (int i = 0; i < nr; i++)
            for (int j = 0; j < nc; j++)
            {
                double x = transpose ? cost[j * cols + i] : cost[i * cols + j];
                if (maximize) x = -x;
                if (double.IsNaN(x) || double.IsNegativeInfinity(x))
                    throw new ArgumentException("Cost matrix contains NaN or -inf.", nameof(cost));
                c[i * nc + j] = x;
            }

        var u = new double[nr];
        var v = new double[nc];
        var shortest = new double[nc];
        var path = new int[nc];
        var col4row = new int[nr];
        var row4col = new int[nc];
        var sr = new bool[nr];
        var sc = new bool[nc];
        var remaining = new int[nc];
        Array.Fill(path, -1);
        Array.Fill(col4row, -1);
        Array.Fill(row4col, -1);

        for (int curRow = 0; curRow < nr; curRow++)
        {
            int sink = AugmentingPath(nc, c, u, v, path, row4col, shortest, curRow, sr, sc, remaining, out double minVal);
            if (sink < 0) throw new InvalidOperationException("Cost matrix is infeasible.");

            u[curRow] += minVal;
            for (int i = 0; i < nr; i++)
                if (sr[i] && i != curRow) u[i] += minVal - shortest[col4row[i]];
            for (int j = 0; j < nc; j++)
                if (sc[j]) v[j] -= minVal - shortest[j];

            int jj = sink;
            while (true)
            {
                int i = path[jj];
                row4col[jj] = i;
                (col4row[i], jj) = (jj, col4row[i]);
                if (i == curRow) break;
            }
        }

        var a = new int[nr];
        var b = new int[nr];
        if (transpose)
        {
            // Sort by the original row index (= assigned column of the transposed problem).
            var order = Enumerable.Range(0, nr).OrderBy(k => col4row[k]).ToArray();
            for (int k = 0; k < nr; k++) { a[k] = col4row[order[k]]; b[k] = order[k]; }
        }
        else
        {
            for (int k = 0; k < nr; k++) { a[k] = k; b[k] = col4row[k]; }
        }
        return (a, b);
    }

    private static int AugmentingPath(int nc, double[] cost, double[] u, double[] v, int[] path, int[] row4col,
        double[] shortest, int i, bool[] sr, bool[] sc, int[] remaining, out double minVal)
    {
        minVal = 0;
        int numRemaining = nc;
        for (int it = 0; it < nc; it++) remaining[it] = nc - it - 1;
        Array.Clear(sr);
        Array.Clear(sc);
        Array.Fill(shortest, double.PositiveInfinity);

        int sink = -1;
        while (sink == -1)
        {
            int index = -1;
            double lowest = double.PositiveInfinity;
            sr[i] = true;
            for (int it = 0; it < numRemaining; it++)
            {
                int j = remaining[it];
                double r = minVal + cost[i * nc + j] - u[i] - v[j];
                if (r < shortest[j])
                {
                    path[j] = i;
                    shortest[j] = r;
                }
                // Prefer an unassigned column on ties: it ends the search sooner (SciPy's rule).
                if (shortest[j] < lowest || (shortest[j] == lowest && row4col[j] == -1))
                {
                    lowest = shortest[j];
                    index = it;
                }
            }
            minVal = lowest;
            if (double.IsPositiveInfinity(minVal)) return -1;

            int jSel = remaining[index];
            if (row4col[jSel] == -1) sink = jSel;
            else i = row4col[jSel];
            sc[jSel] = true;
            remaining[index] = remaining[--numRemaining];
        }
        return sink;
    }
}
