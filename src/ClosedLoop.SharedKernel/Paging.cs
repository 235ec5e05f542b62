namespace ClosedLoop.SharedKernel;

/// <summary>One page of a list: its items, where it is, and how many there are in all.</summary>
public sealed record PagedList<T>(IReadOnlyList<T> Items, int Page, int PageSize, long TotalCount);

/// <summary>The page a caller asked for, already validated (page ≥ 1, 1 ≤ pageSize ≤ 500).</summary>
public readonly record struct PageRequest(int Page, int PageSize)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    /// <summary>
    /// Rows before this page, worked out in long: a far page (page=2147483647) must not wrap around to a negative
    /// OFFSET, which PostgreSQL refuses; beyond int.MaxValue rows a page is empty anyway.
    /// </summary>
    public int Skip => (int)Math.Min((long)(Page - 1) * PageSize, int.MaxValue);
}
