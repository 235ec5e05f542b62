using System.Text.Json;

namespace ClosedLoop.Rules.Store.Api;

/// <summary>Request bodies Swagger shows.</summary>
internal static class RuleSetExamples
{
    public static readonly JsonElement Workflow = JsonDocument.Parse("""
        {
          "WorkflowName": "vip-escalations",
          "GlobalParams": [ { "Name": "highValue", "Expression": "(feedback.Customer.AccountValue ?? 0) >= 250000" } ],
          "Rules": [
            {
              "RuleName": "vip-detractor",
              "SuccessEvent": "A key account is unhappy",
              "Operator": "AndAlso",
              "Rules": [
                { "RuleName": "is-detractor", "Expression": "feedback.Category == \"detractor\"" },
                { "RuleName": "is-high-value", "Expression": "highValue" }
              ],
              "Properties": { "openCase": true, "priority": "urgent", "slaHours": 4, "escalationLevel": "executive", "tags": [ "vip" ] }
            },
            {
              "RuleName": "vip-mentions-leaving",
              "LocalParams": [ { "Name": "leaving", "Expression": "Text.ContainsWord(feedback.Comment, \"cancel*\", \"competitor*\")" } ],
              "Expression": "highValue && leaving",
              "Properties": { "tags": "churn-risk", "x-owner": "retention team" }
            },
            { "RuleName": "retired-probe", "Enabled": false, "Expression": "feedback.Score == 0" }
          ]
        }
        """).RootElement.Clone();
}
