using ClosedLoop.SharedKernel;

namespace ClosedLoop.Web;

/// <summary>Binds <c>page</c> and <c>pageSize</c> from the query string of a list endpoint.</summary>
/// <param name="Page">1-based page number (default 1).</param>
/// <param name="PageSize">Items per page, 1–500 (default 50).</param>
public sealed record PageQuery(int? Page, int? PageSize)
{
    public PageRequest Validate(FieldErrors errors)
    {
        var page = Page ?? 1;
        var size = PageSize ?? PageRequest.DefaultPageSize;
        errors.When(page < 1, "page", "page must be 1 or more.");
        errors.When(size is < 1 or > PageRequest.MaxPageSize, "pageSize", $"pageSize must be between 1 and {PageRequest.MaxPageSize}.");
        return new PageRequest(Math.Max(page, 1), Math.Clamp(size, 1, PageRequest.MaxPageSize));
    }
}
