using System.Globalization;
using System.Text.Json;
using ClosedLoop.Communication.Features.Consent;
using ClosedLoop.Communication.Features.Templates;
using ClosedLoop.Feedback.Contracts;
using ClosedLoop.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Communication.Features.Surveys;

/// <summary>A survey answer as a program posts it.</summary>
/// <param name="Score">0–10 (required).</param>
/// <param name="Comment">Up to 10,000 characters (optional).</param>
internal sealed record SurveyAnswerInput(int? Score, string? Comment);

/// <summary>
/// The follow-up survey links in customers' emails (<c>/s/{token}</c>), without login: the signed token is the
/// authority. A page with a 0–10 choice and a comment; the answer becomes new feedback on the case and the loop, once.
/// </summary>
internal static class SurveyEndpoints
{
    /// <summary>A score and a 10,000-character comment, form-encoded, fit with room to spare.</summary>
    public const long MaxBodyBytes = 128 * 1024;

    /// <summary><c>GET/POST /s/{token}</c>, at the root.</summary>
    public static IEndpointRouteBuilder MapSurveyEndpoints(this IEndpointRouteBuilder app)
    {
        var links = app.MapGroup("/s").WithTags("Surveys").AllowAnonymous().RequireRateLimiting(RateLimitPolicies.Public);
        links.MapGet("/{token}", Open)
            .WithName("OpenSurvey")
            .Produces<string>(StatusCodes.Status200OK, "text/html")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        links.MapPost("/{token}", Answer)
            .WithName("AnswerSurvey")
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .Accepts<SurveyAnswerInput>("application/json", "application/x-www-form-urlencoded")
            .Produces<SurveyAnswered>(StatusCodes.Status200OK)
            .Produces<string>(StatusCodes.Status200OK, "text/html")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    /// <summary>Opens a follow-up survey: a small HTML page with a 0–10 choice and an optional comment.</summary>
    /// <remarks>
    /// The link from a survey invitation (`{PublicBaseUrl}/s/{token}`), sent by a loop's SendSurvey step. In the
    /// customer's language (English or German; else as `Accept-Language` prefers). **200** with the form, or with
    /// "already answered" once the survey step has its answer (**409** problem for non-browser clients); **404** when
    /// the link is not genuine (or its customer was erased), **410** when it expired: pages for browsers
    /// (`Accept: text/html`), problem documents (`code` `link-invalid`, `link-expired`) for other clients. No API key;
    /// rate-limited per client address.
    /// </remarks>
    /// <param name="token">The signed token from the link.</param>
    /// <param name="http">The request.</param>
    /// <param name="links">Reads the token.</param>
    /// <param name="answers">Whether the step was answered.</param>
    /// <param name="customers">The customer's language, and whether they still exist.</param>
    /// <param name="options">The company's name, for the question.</param>
    /// <param name="time">The clock.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<IResult> Open(
        string token, HttpContext http, SurveyLinks links, SurveyAnswers answers, ICustomerDirectory customers, IOptions<CommunicationOptions> options,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var page = PublicPage.AsksForPage(http.Request);
        var (ticket, language, refusal) = await ReadAsync(token, http, page, links, customers, time, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        if (await answers.FindAsync(ticket!, cancellationToken) is not null)
        {
            return page ? SurveyPage.For(SurveyView.AlreadyAnswered, StatusCodes.Status200OK, language, http) : AlreadyAnswered();
        }

        return SurveyPage.For(SurveyView.Form, StatusCodes.Status200OK, language, http, options.Value.Company.Name);
    }

    /// <summary>Answers a follow-up survey, once.</summary>
    /// <remarks>
    /// The form of `GET /s/{token}` posts here (`application/x-www-form-urlencoded`: `score`, `comment`) and gets pages;
    /// programs post JSON `{"score": 9, "comment": "…"}` (or a form) and get JSON: pages go to callers that accept
    /// `text/html`. The answer is recorded as new feedback of the
    /// customer (classified and tagged like any feedback, linked to the case and the loop instance as `caseId` and
    /// `loopInstanceId`, opening no case), and the waiting loop continues. **200** `{status, feedbackId, answeredAt}`
    /// (or the thank-you page); **409** when the survey step already has an answer (nothing is recorded); **422** with
    /// field errors for a missing or out-of-range score or an over-long comment (the form again, for browsers);
    /// **400** for malformed JSON; **415** for another content type; **404**/**410** for a link that is not genuine or
    /// expired, as for GET.
    /// </remarks>
    /// <param name="token">The signed token from the link.</param>
    /// <param name="http">The request.</param>
    /// <param name="links">Reads the token.</param>
    /// <param name="answers">Records the answer.</param>
    /// <param name="customers">The customer's language, and whether they still exist.</param>
    /// <param name="options">The company's name, for the form shown again.</param>
    /// <param name="time">The clock.</param>
    /// <param name="cancellationToken">Request aborted.</param>
    internal static async Task<IResult> Answer(
        string token, HttpContext http, SurveyLinks links, SurveyAnswers answers, ICustomerDirectory customers, IOptions<CommunicationOptions> options,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var form = http.Request.HasFormContentType;
        if (!form && !http.Request.HasJsonContentType())
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type",
                detail: "Post the answer as application/json ({\"score\": 0-10, \"comment\": \"...\"}) or as a form (application/x-www-form-urlencoded).");
        }

        // The body's type says how to read it; what the caller accepts says what to answer: a page for a browser, problems
        // for anything else (as /u/{token} does), whatever it posted.
        var page = PublicPage.AsksForPage(http.Request);
        var (ticket, language, refusal) = await ReadAsync(token, http, page, links, customers, time, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        int? score;
        string? comment;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (form)
        {
            var fields = await http.Request.ReadFormAsync(cancellationToken);
            score = int.TryParse(fields["score"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
            comment = fields["comment"].ToString();
        }
        else
        {
            SurveyAnswerInput? input;
            try
            {
                input = await http.Request.ReadFromJsonAsync<SurveyAnswerInput>(cancellationToken);
            }
            catch (JsonException e)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed JSON", detail: $"The body is not a survey answer: {e.Message}");
            }

            (score, comment) = (input?.Score, input?.Comment);
        }

        if (score is not (>= 0 and <= 10))
        {
            errors["score"] = ["score is required: a whole number from 0 to 10."];
        }

        if (comment?.Length > SurveyAnswers.MaxCommentLength)
        {
            errors["comment"] = [$"comment must be at most {SurveyAnswers.MaxCommentLength:N0} characters."];
        }
        else if (comment is not null && TextRules.Problem(comment) is { } problem)
        {
            errors["comment"] = ["comment " + problem];
        }

        comment = string.IsNullOrWhiteSpace(comment) ? null : comment;
        if (errors.Count > 0)
        {
            return Invalid(errors, page, language, http, options, score, comment);
        }

        var result = await answers.AnswerAsync(ticket!, score!.Value, comment, cancellationToken);
        return result.Status switch
        {
            SurveyAnswerStatus.Answered when page => SurveyPage.For(SurveyView.Thanks, StatusCodes.Status200OK, language, http),
            SurveyAnswerStatus.Answered => TypedResults.Ok(new SurveyAnswered("answered", result.FeedbackId!.Value, result.AnsweredAt!.Value)),
            SurveyAnswerStatus.AlreadyAnswered when page => SurveyPage.For(SurveyView.AlreadyAnswered, StatusCodes.Status409Conflict, language, http),
            SurveyAnswerStatus.AlreadyAnswered => AlreadyAnswered(),
            SurveyAnswerStatus.Gone => Refuse(UnsubscribeLinks.Invalid, page, language, http),
            _ => Invalid(
                result.Errors is { Count: > 0 } fieldErrors ? new Dictionary<string, string[]>(fieldErrors) : new() { ["score"] = ["The answer was refused."] },
                page, language, http, options, score, comment),
        };
    }

    private static async Task<(SurveyTicket? Ticket, string Language, IResult? Refusal)> ReadAsync(
        string token, HttpContext http, bool page, SurveyLinks links, ICustomerDirectory customers, TimeProvider time, CancellationToken cancellationToken)
    {
        var fallback = PublicPage.LanguageOf(http.Request);
        if (!links.TryRead(token, time.GetUtcNow(), out var ticket, out var failure))
        {
            return (null, fallback, Refuse(failure, page, fallback, http));
        }

        // An erased customer's link answers like one that never was: the page must not tell the difference.
        var customer = await customers.FindAsync(ticket!.CustomerId, cancellationToken);
        if (customer is null or { Erased: true })
        {
            return (null, fallback, Refuse(UnsubscribeLinks.Invalid, page, fallback, http));
        }

        var spoken = customer.Language?.Split('-')[0].ToLowerInvariant();
        var language = spoken is "de" or "en" ? spoken : fallback;
        return (ticket, language, null);
    }

    private static IResult Refuse(string? failure, bool page, string language, HttpContext http)
    {
        var expired = failure == UnsubscribeLinks.Expired;
        if (page)
        {
            return SurveyPage.For(expired ? SurveyView.Expired : SurveyView.Invalid, expired ? StatusCodes.Status410Gone : StatusCodes.Status404NotFound, language, http);
        }

        PublicPage.NeverStored(http);
        var code = expired ? "link-expired" : "link-invalid";
        return TypedResults.Problem(
            statusCode: expired ? StatusCodes.Status410Gone : StatusCodes.Status404NotFound,
            title: expired ? "Survey closed" : "Link not valid",
            detail: expired ? "This survey link has expired." : "This is not a genuine survey link.",
            type: "https://closedloop.dev/problems/" + code,
            extensions: new Dictionary<string, object?> { ["code"] = code });
    }

    private static IResult AlreadyAnswered() => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: "Already answered",
        detail: "This survey already has its answer; each survey link takes one. Nothing was recorded.",
        type: "https://closedloop.dev/problems/survey-already-answered",
        extensions: new Dictionary<string, object?> { ["code"] = "survey-already-answered" });

    private static IResult Invalid(Dictionary<string, string[]> errors, bool page, string language, HttpContext http, IOptions<CommunicationOptions> options, int? score, string? comment) =>
        page
            ? SurveyPage.For(SurveyView.Form, StatusCodes.Status422UnprocessableEntity, language, http, options.Value.Company.Name, SurveyPage.ErrorText(language, errors.Keys.First()), score, comment)
            : Problems.Validation(errors);
}

/// <summary>A recorded survey answer.</summary>
/// <param name="Status">Always <c>answered</c>.</param>
/// <param name="FeedbackId">The follow-up feedback it became (<c>GET /api/v1/feedback/{id}</c>).</param>
/// <param name="AnsweredAt">When it was recorded.</param>
internal sealed record SurveyAnswered(string Status, Guid FeedbackId, DateTimeOffset AnsweredAt);
