using System.Text.Json;
using System.Text.Json.Serialization;
using RulesEngine.Models;

namespace ClosedLoop.Rules.Validation;

/// <summary>
/// Reads RulesEngine Workflow JSON the way RulesEngine does (System.Text.Json, member names as spelled), after
/// checking its shape against RulesEngine's published schema so that mistakes are reported with the rule's path
/// instead of being silently ignored, and every string in it against its cap (<see cref="TextLimits"/>; expressions
/// are capped where they are parsed).
/// </summary>
internal static class WorkflowJson
{
    private enum Shape
    {
        Name,
        Message,
        Expression,
        Bool,
        Object,
        Strings,
        Enum,
        Rules,
        Params,
        Actions,
        Action,
        Context,
    }

    public static readonly JsonSerializerOptions Options = new()
    {
        // RulesEngine's Workflow has no enum converter on RuleExpressionType; accept names and numbers for both.
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        MaxDepth = 64,
    };

    private static readonly Dictionary<string, Shape> WorkflowMembers = new(StringComparer.Ordinal)
    {
        ["WorkflowName"] = Shape.Name,
        ["WorkflowsToInject"] = Shape.Strings,
        ["WorkflowRulesToInject"] = Shape.Strings,
        ["RuleExpressionType"] = Shape.Enum,
        ["GlobalParams"] = Shape.Params,
        ["Rules"] = Shape.Rules,
    };

    private static readonly Dictionary<string, Shape> RuleMembers = new(StringComparer.Ordinal)
    {
        ["RuleName"] = Shape.Name,
        ["Properties"] = Shape.Object,
        ["Operator"] = Shape.Name,
        ["ErrorMessage"] = Shape.Message,
        ["SuccessEvent"] = Shape.Message,
        ["SuccessMessage"] = Shape.Message,
        ["Enabled"] = Shape.Bool,
        ["RuleExpressionType"] = Shape.Enum,
        ["WorkflowsToInject"] = Shape.Strings,
        ["Rules"] = Shape.Rules,
        ["LocalParams"] = Shape.Params,
        ["Expression"] = Shape.Expression,
        ["Actions"] = Shape.Actions,
    };

    private static readonly Dictionary<string, Shape> ParamMembers = new(StringComparer.Ordinal) { ["Name"] = Shape.Name, ["Expression"] = Shape.Expression };

    private static readonly Dictionary<string, Shape> ActionsMembers = new(StringComparer.Ordinal) { ["OnSuccess"] = Shape.Action, ["OnFailure"] = Shape.Action };

    private static readonly Dictionary<string, Shape> ActionMembers = new(StringComparer.Ordinal) { ["Name"] = Shape.Name, ["Context"] = Shape.Context };

    /// <summary>The workflow, or null with errors in <paramref name="problems"/> when the text is not a RulesEngine Workflow.</summary>
    public static Workflow? Read(string json, Problems problems)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
            CheckObject(document.RootElement, WorkflowMembers, null, null, problems);
        }
        catch (JsonException ex)
        {
            problems.Error(null, null, "json", $"Not valid JSON: {ex.Message}");
            return null;
        }

        if (problems.HasErrors)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<Workflow>(json, Options);
        }
        catch (JsonException ex)
        {
            problems.Error(null, ex.Path, "schema", $"Does not match RulesEngine's Workflow schema: {ex.Message}");
            return null;
        }
    }

    /// <summary>The workflow as RulesEngine's model holds it: every schema member it defines, nulls left out.</summary>
    public static string Write(Workflow workflow) => JsonSerializer.Serialize(workflow, Options);

    private static void CheckObject(JsonElement element, Dictionary<string, Shape> members, string? rule, string? prefix, Problems problems)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            problems.Error(rule, prefix, "schema", $"{prefix ?? "The rule set"} must be a JSON object.");
            return;
        }

        foreach (var member in element.EnumerateObject())
        {
            if (member.Name.Length > TextLimits.Name)
            {
                problems.Error(rule, prefix, "limit", $"A member name{(prefix is null ? "" : $" in {prefix}")} has {member.Name.Length:N0} characters; at most {TextLimits.Name} are allowed.");
                continue;
            }

            var field = prefix is null ? member.Name : $"{prefix}.{member.Name}";
            if (members.TryGetValue(member.Name, out var shape))
            {
                CheckValue(member.Value, shape, rule, field, problems);
                continue;
            }

            var known = members.Keys.FirstOrDefault(k => string.Equals(k, member.Name, StringComparison.OrdinalIgnoreCase));
            if (known is not null)
            {
                // RulesEngine matches names exactly: "enabled": false would be ignored and the rule would run.
                problems.Error(rule, field, "schema", $"'{member.Name}' must be spelled '{known}'; RulesEngine ignores it otherwise.");
            }
            else
            {
                problems.Warning(rule, field, "schema", $"'{member.Name}' is not part of RulesEngine's Workflow schema; it is stored as sent but has no effect.");
                CheckTexts(member.Value, TextLimits.Note, skipExpressions: false, rule, field, problems);
            }
        }
    }

    private static void CheckValue(JsonElement value, Shape shape, string? rule, string field, Problems problems)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        var ok = shape switch
        {
            Shape.Name or Shape.Message or Shape.Expression => value.ValueKind == JsonValueKind.String,
            Shape.Bool => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            Shape.Object or Shape.Actions or Shape.Action or Shape.Context => value.ValueKind == JsonValueKind.Object,
            Shape.Enum => value.ValueKind == JsonValueKind.String ? value.GetString() == "LambdaExpression" : value.ValueKind == JsonValueKind.Number && value.GetRawText() == "0",
            _ => value.ValueKind == JsonValueKind.Array,
        };
        if (!ok)
        {
            problems.Error(rule, field, "schema", shape switch
            {
                Shape.Enum => $"{field} must be \"LambdaExpression\", the only expression type RulesEngine has.",
                Shape.Strings or Shape.Rules or Shape.Params => $"{field} must be an array.",
                Shape.Bool => $"{field} must be true or false.",
                Shape.Name or Shape.Message or Shape.Expression => $"{field} must be a string.",
                _ => $"{field} must be an object.",
            });
            return;
        }

        switch (shape)
        {
            case Shape.Name:
                Limit(value.GetString()!, TextLimits.Name, rule, field, problems);
                break;
            case Shape.Message:
                Limit(value.GetString()!, TextLimits.Message, rule, field, problems);
                break;
            case Shape.Strings:
                var at = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                    {
                        problems.Error(rule, field, "schema", $"{field} must hold only strings.");
                    }
                    else
                    {
                        Limit(item.GetString()!, TextLimits.Name, rule, $"{field}[{at}]", problems);
                    }

                    at++;
                }

                break;
            case Shape.Object:
                CheckTexts(value, TextLimits.Note, skipExpressions: false, rule, field, problems);
                break;
            case Shape.Context:
                // Expressions are capped where they are parsed; every other value here names a rule set or a rule.
                CheckTexts(value, TextLimits.Name, skipExpressions: true, rule, field, problems);
                break;
            case Shape.Params:
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    CheckObject(item, ParamMembers, rule, $"{field}[{i++}]", problems);
                }

                break;
            case Shape.Rules:
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    var name = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("RuleName", out var n) && n.ValueKind == JsonValueKind.String
                        ? TextLimits.Label(n.GetString()!)
                        : $"#{index + 1}";
                    CheckObject(item, RuleMembers, rule is null ? name : $"{rule}/{name}", null, problems);
                    index++;
                }

                break;
            case Shape.Actions:
                CheckObject(value, ActionsMembers, rule, field, problems);
                break;
            case Shape.Action:
                CheckObject(value, ActionMembers, rule, field, problems);
                break;
        }
    }

    private static void Limit(string text, int limit, string? rule, string field, Problems problems)
    {
        if (TextLimits.Check(field, text, limit) is { } problem)
        {
            problems.Error(rule, field, "limit", problem);
        }
    }

    /// <summary>Every key and string inside <paramref name="value"/>, however deep: keys are names, strings at most <paramref name="limit"/>.</summary>
    private static void CheckTexts(JsonElement value, int limit, bool skipExpressions, string? rule, string field, Problems problems)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                Limit(value.GetString()!, limit, rule, field, problems);
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    CheckTexts(item, limit, skipExpressions, rule, $"{field}[{i++}]", problems);
                }

                break;
            case JsonValueKind.Object:
                foreach (var member in value.EnumerateObject())
                {
                    if (member.Name.Length > TextLimits.Name)
                    {
                        problems.Error(rule, field, "limit", $"A key in {field} has {member.Name.Length:N0} characters; at most {TextLimits.Name} are allowed.");
                    }
                    else if (!(skipExpressions && string.Equals(member.Name, "Expression", StringComparison.OrdinalIgnoreCase)))
                    {
                        CheckTexts(member.Value, limit, skipExpressions, rule, $"{field}.{member.Name}", problems);
                    }
                }

                break;
        }
    }
}
