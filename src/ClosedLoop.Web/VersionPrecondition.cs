using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ClosedLoop.Web;

/// <summary>
/// HTTP preconditions on a versioned document's published version (rule sets, templates): <c>If-Match</c> (the
/// versions the caller last saw, or <c>*</c> for any) and <c>If-None-Match: *</c> (only if none exists yet). The
/// version is the entity tag: <c>"3"</c>.
/// </summary>
public sealed record VersionPrecondition(IReadOnlyList<int>? IfMatch, bool IfMatchAny, bool IfNoneMatchAny)
{
    public static VersionPrecondition None { get; } = new(null, false, false);

    public static VersionPrecondition OnlyIfNew { get; } = new(null, false, true);

    /// <summary>Only over this published version (a seeder's "no admin has edited it since").</summary>
    public static VersionPrecondition OnlyOver(int version) => new([version], false, false);

    /// <summary>The entity tag of a version.</summary>
    public static string ETagOf(int version) => $"\"{version}\"";

    /// <summary>What the request's <c>If-Match</c> and <c>If-None-Match</c> headers ask.</summary>
    public static VersionPrecondition Of(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var headers = request.GetTypedHeaders();
        var ifNoneMatchAny = headers.IfNoneMatch.Any(t => t.Equals(EntityTagHeaderValue.Any));
        if (request.Headers.IfMatch.Count == 0)
        {
            return new VersionPrecondition(null, false, ifNoneMatchAny);
        }

        var tags = headers.IfMatch;
        var any = tags.Any(t => t.Equals(EntityTagHeaderValue.Any));

        // Versions are the tags; a tag that is not one of ours matches nothing, so the save is refused.
        var versions = tags.Select(t => int.TryParse(t.Tag.Value?.Trim('"'), out var v) ? v : -1).Where(v => v > 0).ToList();
        return new VersionPrecondition(versions, any, ifNoneMatchAny);
    }

    public bool HoldsFor(int? publishedVersion)
    {
        if (IfNoneMatchAny && publishedVersion is not null)
        {
            return false;
        }

        if (IfMatch is null && !IfMatchAny)
        {
            return true;
        }

        return publishedVersion is { } version && (IfMatchAny || IfMatch!.Contains(version));
    }
}
