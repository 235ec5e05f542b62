namespace ClosedLoop.Feedback.Contracts.Routing;

/// <summary>
/// What a routing rule sees of one piece of feedback: the input registered with the rules engine under the
/// name <c>feedback</c> (<c>feedback.Score &gt;= 9</c>, <c>feedback.Customer.Region == "EMEA"</c>).
/// </summary>
/// <remarks>
/// Method-free on purpose: expressions reach data, never behaviour. Every string is non-null (<c>""</c> when
/// missing) and every list and map is non-null (empty when missing), so rules never need null checks. Only
/// <see cref="Score"/>, <see cref="CustomerFacts.AccountValue"/> and <see cref="CustomerFacts.LastScore"/> can
/// be null; comparisons with null are false (<c>feedback.Score &lt;= 6</c> is false without a score).
/// </remarks>
/// <param name="Score">NPS score 0–10, or null for comment-only feedback.</param>
/// <param name="Category">NPS category: <c>promoter</c>, <c>passive</c>, <c>detractor</c>, or <c>none</c> without a score.</param>
/// <param name="Comment">The comment as sent, or <c>""</c>.</param>
/// <param name="Channel">Where it was given (<c>email</c>, <c>web</c>, <c>sms</c>, …), or <c>""</c>.</param>
/// <param name="Source">The system that sent it (<c>web-survey</c>, <c>zendesk</c>, …).</param>
/// <param name="Sentiment">Sentiment of the comment: <c>negative</c>, <c>neutral</c> or <c>positive</c>.</param>
/// <param name="SentimentScore">Compound sentiment score, −1 (most negative) to 1 (most positive); 0 without a comment.</param>
/// <param name="Topics">Topics known so far. Topic tagging rule sets fill it for the rule sets that run after them.</param>
/// <param name="SubmittedAt">When the customer gave the feedback.</param>
/// <param name="Attributes">Free-form attributes sent with the item (<c>product</c>, <c>orderId</c>, …).</param>
/// <param name="Customer">Who gave it.</param>
public sealed record FeedbackFacts(
    int? Score,
    string Category,
    string Comment,
    string Channel,
    string Source,
    string Sentiment,
    double SentimentScore,
    IReadOnlyList<string> Topics,
    DateTimeOffset SubmittedAt,
    IReadOnlyDictionary<string, string> Attributes,
    CustomerFacts Customer);

/// <summary>What a routing rule sees of the customer (<c>feedback.Customer</c>); strings are <c>""</c> when unknown.</summary>
/// <param name="Region">Region (<c>EMEA</c>, <c>NA</c>, <c>APAC</c>, <c>LATAM</c>, …), or <c>""</c>.</param>
/// <param name="Segment">Segment (<c>enterprise</c>, <c>smb</c>, <c>consumer</c>, …), or <c>""</c>.</param>
/// <param name="Language">Language tag (<c>en</c>, <c>de</c>, …), or <c>""</c>.</param>
/// <param name="AccountValue">Account value in the company's currency, or null when unknown.</param>
/// <param name="FeedbackCount">Feedback items received from this customer, this one included.</param>
/// <param name="LastScore">The customer's previous score, or null.</param>
public sealed record CustomerFacts(
    string Region,
    string Segment,
    string Language,
    decimal? AccountValue,
    int FeedbackCount,
    int? LastScore);
