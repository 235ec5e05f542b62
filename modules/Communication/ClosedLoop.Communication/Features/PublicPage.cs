using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ClosedLoop.Communication.Features;

/// <summary>
/// The pages the links in customers' emails answer with (unsubscribe, survey): self-contained (no scripts, styles,
/// images or fonts, so the strictest content security policy holds and nothing is fetched from elsewhere), in English
/// or German, never cached, framed or referred onwards. Browsers get pages; any other caller gets problem documents.
/// </summary>
internal static class PublicPage
{
    /// <summary>The policy of a page without a form.</summary>
    public const string NoForms = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>The policy of a page whose form posts back to its own address.</summary>
    public const string FormToSelf = "default-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The page: <paramref name="title"/> (encoded here) over <paramref name="body"/>, which the caller built from
    /// encoded text. Sets the headers every answer of these links carries (see <see cref="NeverStored"/>).
    /// </summary>
    public static IResult Html(string language, string title, string body, int status, string policy, HttpContext http)
    {
        var html = HtmlEncoder.Default;
        var page = $"""
            <!DOCTYPE html>
            <html lang="{language}">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex">
            <title>{html.Encode(title)}</title>
            </head>
            <body>
            <main>
            <h1>{html.Encode(title)}</h1>
            {body}
            </main>
            </body>
            </html>
            """;
        NeverStored(http);
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = policy;
        headers.XFrameOptions = "DENY";
        headers.ContentLanguage = language;
        headers["Referrer-Policy"] = "no-referrer";
        return TypedResults.Content(page, "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    /// <summary>A paragraph of encoded text.</summary>
    public static string Paragraph(string text) => $"<p>{HtmlEncoder.Default.Encode(text)}</p>";

    /// <summary>Page or problem, the answer depends on Accept and Accept-Language and holds a personal link: never cache it.</summary>
    public static void NeverStored(HttpContext http)
    {
        var headers = http.Response.Headers;
        headers.CacheControl = "no-store";
        headers.Vary = $"{HeaderNames.Accept}, {HeaderNames.AcceptLanguage}";
    }

    /// <summary>
    /// Whether the client asks for HTML as a first choice (<c>text/html</c> without a lowered quality), as every browser
    /// does; <c>*/*</c> or a grudging <c>text/html;q=0.1</c> is a program, which reads problem documents.
    /// </summary>
    public static bool AsksForPage(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase) && a.Quality is null or >= 1);

    /// <summary>German when the browser ranks it above English, else English (also for anything unreadable).</summary>
    public static string LanguageOf(HttpRequest request)
    {
        var ranked = request.GetTypedHeaders().AcceptLanguage
            .Where(l => l.Quality is not <= 0)
            .OrderByDescending(l => l.Quality ?? 1);
        foreach (var entry in ranked)
        {
            var primary = entry.Value.Value?.Split('-')[0];
            if (string.Equals(primary, "de", StringComparison.OrdinalIgnoreCase))
            {
                return "de";
            }

            if (string.Equals(primary, "en", StringComparison.OrdinalIgnoreCase))
            {
                return "en";
            }
        }

        return "en";
    }
}
