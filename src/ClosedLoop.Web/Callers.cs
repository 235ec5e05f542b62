using System.Security.Claims;

namespace ClosedLoop.Web;

/// <summary>Who is calling, as every endpoint records it: the API key's id or the JWT subject.</summary>
public static class Callers
{
    /// <summary>The caller's stable id, or <paramref name="fallback"/> when the request carries none.</summary>
    public static string IdOf(ClaimsPrincipal user, string fallback = "unknown")
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.FindFirstValue("sub") ?? fallback;
    }

    /// <summary>Who to name as the author of a change: the caller's display name, else their id.</summary>
    public static string AuthorOf(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.Identity?.Name ?? IdOf(user);
    }
}
