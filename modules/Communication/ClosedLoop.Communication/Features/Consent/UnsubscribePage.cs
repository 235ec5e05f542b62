using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ClosedLoop.Communication.Features.Consent;

/// <summary>What an unsubscribe link tells the person who opened it.</summary>
internal enum UnsubscribeOutcome
{
    Done,
    Expired,
    Invalid,
}

/// <summary>
/// The small page an unsubscribe link answers with: self-contained (no scripts, styles, images or fonts, so the
/// strictest content security policy holds and nothing is fetched from elsewhere), every text HTML-encoded, in
/// English or, when the browser prefers it, German. It never says which customer the link was for.
/// </summary>
internal static class UnsubscribePage
{
    private const string Policy = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly Dictionary<(string Language, UnsubscribeOutcome Outcome), (string Title, string Text)> Texts = new()
    {
        [("en", UnsubscribeOutcome.Done)] = (
            "You are unsubscribed",
            "You will no longer receive marketing emails from us. Messages about your own feedback and support cases still reach you."),
        [("de", UnsubscribeOutcome.Done)] = (
            "Sie sind abgemeldet",
            "Sie erhalten von uns keine Marketing-E-Mails mehr. Nachrichten zu Ihrem eigenen Feedback und Ihren Anfragen erhalten Sie weiterhin."),
        [("en", UnsubscribeOutcome.Expired)] = (
            "This link has expired",
            "Unsubscribe links work for a limited time. Use the link in a more recent email from us, or reply to one and ask to be unsubscribed."),
        [("de", UnsubscribeOutcome.Expired)] = (
            "Dieser Link ist abgelaufen",
            "Abmeldelinks gelten nur eine begrenzte Zeit. Verwenden Sie den Link aus einer neueren E-Mail von uns, oder antworten Sie darauf und bitten Sie um Abmeldung."),
        [("en", UnsubscribeOutcome.Invalid)] = (
            "This link is not valid",
            "It may have been cut off or changed. Open the complete link from the email, or use the link in a more recent email from us."),
        [("de", UnsubscribeOutcome.Invalid)] = (
            "Dieser Link ist ungültig",
            "Er wurde vielleicht abgeschnitten oder verändert. Öffnen Sie den vollständigen Link aus der E-Mail, oder verwenden Sie den Link aus einer neueren E-Mail von uns."),
    };

    /// <summary>
    /// The answer for <paramref name="outcome"/>: 200, 410 (expired) or 400 (invalid), never cached or framed. A
    /// browser (which asks for <c>text/html</c> first) gets the page; any other client gets the success page or,
    /// for a refused link, a problem document like every other error of this API.
    /// </summary>
    public static IResult For(UnsubscribeOutcome outcome, HttpContext http)
    {
        var status = outcome switch
        {
            UnsubscribeOutcome.Done => StatusCodes.Status200OK,
            UnsubscribeOutcome.Expired => StatusCodes.Status410Gone,
            _ => StatusCodes.Status400BadRequest,
        };
        var headers = http.Response.Headers;
        headers.CacheControl = "no-store";
        headers.Vary = $"{HeaderNames.Accept}, {HeaderNames.AcceptLanguage}";
        if (outcome != UnsubscribeOutcome.Done && !AsksForPage(http.Request))
        {
            var code = outcome == UnsubscribeOutcome.Expired ? "link-expired" : "link-invalid";
            return TypedResults.Problem(
                statusCode: status,
                title: outcome == UnsubscribeOutcome.Expired ? "Link expired" : "Link not valid",
                detail: Texts[("en", outcome)].Text,
                type: "https://closedloop.dev/problems/" + code,
                extensions: new Dictionary<string, object?> { ["code"] = code });
        }

        var language = LanguageOf(http.Request);
        var (title, text) = Texts[(language, outcome)];
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
            <p>{html.Encode(text)}</p>
            </main>
            </body>
            </html>
            """;

        headers.ContentSecurityPolicy = Policy;
        headers.XFrameOptions = "DENY";
        headers.ContentLanguage = language;
        return TypedResults.Content(page, "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    /// <summary>
    /// Whether the client asks for HTML as a first choice (<c>text/html</c> without a lowered quality), as every browser
    /// does; <c>*/*</c> or a grudging <c>text/html;q=0.1</c> is a program, which reads problem documents.
    /// </summary>
    internal static bool AsksForPage(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase) && a.Quality is null or >= 1);

    /// <summary>German when the browser ranks it above English, else English (also for anything unreadable).</summary>
    internal static string LanguageOf(HttpRequest request)
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
