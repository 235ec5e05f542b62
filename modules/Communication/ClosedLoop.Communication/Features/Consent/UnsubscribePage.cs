using Microsoft.AspNetCore.Http;

namespace ClosedLoop.Communication.Features.Consent;

/// <summary>What an unsubscribe link tells the person who opened it.</summary>
internal enum UnsubscribeOutcome
{
    Done,
    Expired,
    Invalid,
}

/// <summary>
/// What an unsubscribe link answers (a <see cref="PublicPage"/>, or a problem for programs), in English or German.
/// It never says which customer the link was for.
/// </summary>
internal static class UnsubscribePage
{
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
        PublicPage.NeverStored(http);
        if (outcome != UnsubscribeOutcome.Done && !PublicPage.AsksForPage(http.Request))
        {
            var code = outcome == UnsubscribeOutcome.Expired ? "link-expired" : "link-invalid";
            return TypedResults.Problem(
                statusCode: status,
                title: outcome == UnsubscribeOutcome.Expired ? "Link expired" : "Link not valid",
                detail: Texts[("en", outcome)].Text,
                type: "https://closedloop.dev/problems/" + code,
                extensions: new Dictionary<string, object?> { ["code"] = code });
        }

        var language = PublicPage.LanguageOf(http.Request);
        var (title, text) = Texts[(language, outcome)];
        return PublicPage.Html(language, title, PublicPage.Paragraph(text), status, PublicPage.NoForms, http);
    }
}
