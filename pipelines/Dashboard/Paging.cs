namespace SSeg.Pipelines.Dashboard;

/// <summary>
/// A page number from the query string, kept inside [0, last page]: a negative, non-numeric or overflowing value
/// (e.g. 2147483647) shows the first or last page, never a page that does not exist.
/// </summary>
public readonly record struct Paging(int Page, int PageSize, int Total)
{
    public int Pages => Math.Max(1, (int)((Total + (long)PageSize - 1) / PageSize));
    public int Skip => Page * PageSize;
    public bool HasPrevious => Page > 0;
    public bool HasNext => Page + 1 < Pages;

    public static Paging Of(string? requested, int pageSize, int total)
    {
        var pages = Math.Max(1, (int)((total + (long)pageSize - 1) / pageSize));
        var page = long.TryParse(requested, out var n) ? (int)Math.Clamp(n, 0, pages - 1) : 0;
        return new Paging(page, pageSize, total);
    }
}
