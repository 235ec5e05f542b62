using System.Text.Json.Nodes;
using ClosedLoop.Feedback.Ingest;
using ClosedLoop.Feedback.Routing;

namespace ClosedLoop.Feedback.FollowUps;

/// <summary>
/// A follow-up answer is classified and tagged by the rules like any feedback, but it answers a loop that is already
/// running: it must not open a second case or start another loop. Its decision keeps what the rules found (topics,
/// tags, priority) and says so, in the decision and in its explanation.
/// </summary>
internal static class FollowUpRouting
{
    public const string Tag = "follow-up";

    public static RoutedFeedback Unrouted(RoutedFeedback routed, FollowUpLink link)
    {
        var decision = routed.Decision with
        {
            OpenCase = false,
            Loop = null,
            Tags = routed.Decision.Tags.Contains(Tag, StringComparer.Ordinal) ? routed.Decision.Tags : [.. routed.Decision.Tags, Tag],
        };
        return routed with { Decision = decision, Explanation = Explain(routed.Explanation, link) };
    }

    private static string Explain(string explanation, FollowUpLink link)
    {
        if (JsonNode.Parse(explanation) is not JsonObject root)
        {
            return explanation;
        }

        if (root["decision"] is JsonObject decision)
        {
            decision["openCase"] = false;
            decision.Remove("loop");
            var tags = decision["tags"] as JsonArray ?? [];
            if (!tags.Any(t => t?.GetValue<string>() == Tag))
            {
                tags.Add(Tag);
            }

            decision["tags"] = tags.DeepClone();
        }

        root["followUp"] = new JsonObject
        {
            ["caseId"] = link.CaseId,
            ["loopInstanceId"] = link.LoopInstanceId,
            ["note"] = "A follow-up answer to a running loop: no case is opened and no loop is started for it.",
        };
        return root.ToJsonString();
    }
}
