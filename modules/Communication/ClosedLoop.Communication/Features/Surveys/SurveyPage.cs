using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;

namespace ClosedLoop.Communication.Features.Surveys;

/// <summary>What a survey page shows.</summary>
internal enum SurveyView
{
    Form,
    Thanks,
    AlreadyAnswered,
    Expired,
    Invalid,
}

/// <summary>
/// What a survey link shows (a <see cref="PublicPage"/>; the form posts back to the same address only), in English or
/// German. It never shows who the customer is or what the case was about.
/// </summary>
internal static class SurveyPage
{
    private static readonly Dictionary<string, Dictionary<string, string>> Texts = new()
    {
        ["en"] = new()
        {
            ["form.title"] = "How did we do?",
            ["form.question"] = "How likely are you to recommend {0} to a friend or colleague?",
            ["form.low"] = "0 = not at all likely",
            ["form.high"] = "10 = extremely likely",
            ["form.comment"] = "What is the main reason for your score? What would make it a 10? (optional)",
            ["form.send"] = "Send my answer",
            ["form.error"] = "Please choose a score from 0 to 10.",
            ["form.commentError"] = "Your comment is too long or contains characters we cannot store; please shorten it.",
            ["thanks.title"] = "Thank you!",
            ["thanks.text"] = "We have your answer. It goes straight to the team that looked after you.",
            ["answered.title"] = "You have already answered",
            ["answered.text"] = "Thank you, we already have your answer to this survey. Each survey link takes one answer.",
            ["expired.title"] = "This survey has closed",
            ["expired.text"] = "Survey links work for a limited time. If you would still like to tell us something, reply to our email.",
            ["invalid.title"] = "This link is not valid",
            ["invalid.text"] = "It may have been cut off or changed. Open the complete link from the email.",
        },
        ["de"] = new()
        {
            ["form.title"] = "Wie zufrieden waren Sie?",
            ["form.question"] = "Wie wahrscheinlich ist es, dass Sie {0} einem Freund oder Kollegen empfehlen?",
            ["form.low"] = "0 = sehr unwahrscheinlich",
            ["form.high"] = "10 = sehr wahrscheinlich",
            ["form.comment"] = "Was ist der wichtigste Grund für Ihre Bewertung? Was würde daraus eine 10 machen? (optional)",
            ["form.send"] = "Antwort senden",
            ["form.error"] = "Bitte wählen Sie eine Bewertung von 0 bis 10.",
            ["form.commentError"] = "Ihr Kommentar ist zu lang oder enthält Zeichen, die wir nicht speichern können; bitte kürzen Sie ihn.",
            ["thanks.title"] = "Vielen Dank!",
            ["thanks.text"] = "Wir haben Ihre Antwort erhalten. Sie geht direkt an das Team, das sich um Ihr Anliegen gekümmert hat.",
            ["answered.title"] = "Sie haben bereits geantwortet",
            ["answered.text"] = "Vielen Dank, Ihre Antwort auf diese Umfrage liegt uns bereits vor. Jeder Umfragelink nimmt eine Antwort an.",
            ["expired.title"] = "Diese Umfrage ist beendet",
            ["expired.text"] = "Umfragelinks gelten nur eine begrenzte Zeit. Wenn Sie uns noch etwas mitteilen möchten, antworten Sie auf unsere E-Mail.",
            ["invalid.title"] = "Dieser Link ist ungültig",
            ["invalid.text"] = "Er wurde vielleicht abgeschnitten oder verändert. Öffnen Sie den vollständigen Link aus der E-Mail.",
        },
    };

    /// <summary>The page for <paramref name="view"/> with <paramref name="status"/> (a <see cref="PublicPage"/>).</summary>
    public static IResult For(SurveyView view, int status, string language, HttpContext http, string company = "", string? error = null, int? score = null, string? comment = null)
    {
        var t = Texts.GetValueOrDefault(language) ?? Texts["en"];
        language = Texts.ContainsKey(language) ? language : "en";
        var (title, body) = view switch
        {
            SurveyView.Form => (t["form.title"], Form(t, HtmlEncoder.Default, company, error, score, comment)),
            SurveyView.Thanks => (t["thanks.title"], PublicPage.Paragraph(t["thanks.text"])),
            SurveyView.AlreadyAnswered => (t["answered.title"], PublicPage.Paragraph(t["answered.text"])),
            SurveyView.Expired => (t["expired.title"], PublicPage.Paragraph(t["expired.text"])),
            _ => (t["invalid.title"], PublicPage.Paragraph(t["invalid.text"])),
        };
        return PublicPage.Html(language, title, body, status, view == SurveyView.Form ? PublicPage.FormToSelf : PublicPage.NoForms, http);
    }

    /// <summary>The error text of the form for <paramref name="field"/>.</summary>
    public static string ErrorText(string language, string field) =>
        (Texts.GetValueOrDefault(language) ?? Texts["en"])[field == "comment" ? "form.commentError" : "form.error"];

    private static string Form(Dictionary<string, string> t, HtmlEncoder html, string company, string? error, int? score, string? comment)
    {
        var form = new StringBuilder();
        if (error is not null)
        {
            form.Append("<p role=\"alert\"><strong>").Append(html.Encode(error)).Append("</strong></p>\n");
        }

        // No action: the form posts back to the link it was opened from.
        form.Append("<form method=\"post\">\n<fieldset>\n<legend>")
            .Append(html.Encode(string.Format(System.Globalization.CultureInfo.InvariantCulture, t["form.question"], company)))
            .Append("</legend>\n<p>");
        for (var i = 0; i <= 10; i++)
        {
            form.Append("<label><input type=\"radio\" name=\"score\" value=\"").Append(i).Append('"')
                .Append(i == score ? " checked" : "").Append(i == 0 ? " required" : "").Append("> ").Append(i).Append("</label>\n");
        }

        form.Append("</p>\n<p><small>").Append(html.Encode(t["form.low"])).Append(" · ").Append(html.Encode(t["form.high"])).Append("</small></p>\n</fieldset>\n")
            .Append("<p><label for=\"comment\">").Append(html.Encode(t["form.comment"])).Append("</label><br>\n")
            .Append("<textarea id=\"comment\" name=\"comment\" rows=\"6\" cols=\"60\" maxlength=\"").Append(SurveyAnswers.MaxCommentLength).Append("\">")
            .Append(html.Encode(comment ?? "")).Append("</textarea></p>\n")
            .Append("<p><button type=\"submit\">").Append(html.Encode(t["form.send"])).Append("</button></p>\n</form>");
        return form.ToString();
    }
}
