using System.Globalization;
using System.Text;

namespace ClosedLoop.Workflows.Definitions;

/// <summary>
/// Renders a definition as a Mermaid flowchart. Node ids are generated (<c>a0</c>, <c>a1</c>, … by position), so no
/// activity id reaches Mermaid's syntax; labels are quoted and every character outside a small safe set is written as
/// a Mermaid entity code (<c>#34;</c>), so quotes, brackets, pipes and HTML cannot break out of a label.
/// Works on invalid definitions too: connections to unknown activities are left out.
/// </summary>
public static class MermaidDiagram
{
    public static string Render(WorkflowDefinitionDocument d) => Render(d, catalog: null);

    /// <summary>With a catalog, node shapes follow the activity kind (Start/End stadium, Decision rhombus, Fork/Join hexagon, Wait rounded).</summary>
    public static string Render(WorkflowDefinitionDocument d, ActivityCatalog? catalog)
    {
        ArgumentNullException.ThrowIfNull(d);
        var sb = new StringBuilder("flowchart TD\n");
        var nodes = new Dictionary<string, string>(StringComparer.Ordinal);
        var activities = d.Root.Activities;
        for (var i = 0; i < activities.Count; i++)
        {
            var a = activities[i];
            var node = "a" + i.ToString(CultureInfo.InvariantCulture);
            nodes.TryAdd(a.Id, node);
            var label = $"\"{Escape(a.DisplayName)}<br/><small>{Escape(a.Type)}</small>\"";
            var (open, close) = Shape(KindOf(a.Type, catalog));
            sb.Append("    ").Append(node).Append(open).Append(label).Append(close).Append('\n');
        }

        foreach (var c in d.Root.Connections)
        {
            if (nodes.TryGetValue(c.Source.Activity, out var from) && nodes.TryGetValue(c.Target.Activity, out var to))
            {
                sb.Append("    ").Append(from).Append(" -->|\"").Append(Escape(c.Source.Port)).Append("\"| ").Append(to).Append('\n');
            }
        }

        return sb.ToString();
    }

    private static ActivityKind? KindOf(string type, ActivityCatalog? catalog)
    {
        if (catalog is not null && catalog.TryGet(type, out var descriptor))
        {
            return descriptor.Kind;
        }

        return BuiltInActivities.All.FirstOrDefault(x => x.Type == type)?.Kind;
    }

    private static (string Open, string Close) Shape(ActivityKind? kind) => kind switch
    {
        ActivityKind.Start or ActivityKind.End => ("([", "])"),
        ActivityKind.Decision => ("{", "}"),
        ActivityKind.Fork or ActivityKind.Join => ("{{", "}}"),
        ActivityKind.Wait => ("(", ")"),
        _ => ("[", "]"),
    };

    /// <summary>Letters, digits, space and <c>_-.,:/</c> pass; everything else becomes <c>#code;</c>.</summary>
    internal static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.IsAscii && (char.IsAsciiLetterOrDigit((char)rune.Value) || " _-.,:/".Contains((char)rune.Value, StringComparison.Ordinal)))
            {
                sb.Append((char)rune.Value);
            }
            else if (Rune.IsControl(rune))
            {
                sb.Append(' ');
            }
            else
            {
                sb.Append('#').Append(rune.Value.ToString(CultureInfo.InvariantCulture)).Append(';');
            }
        }

        return sb.ToString();
    }
}
