using System.Text;
using System.Text.Json;

namespace ClosedLoop.Web;

/// <summary>What is wrong with a JSON document, and where.</summary>
/// <param name="Field">The member it concerns, as a path such as <c>customer.name</c>, <c>attributes.plan</c> or <c>[3].comment</c> (empty for the document itself).</param>
/// <param name="Message">What is wrong, for the caller.</param>
/// <param name="Malformed">True when the document is not JSON at all (400); false when it is JSON with text or members this product refuses (422).</param>
public sealed record JsonFlaw(string Field, string Message, bool Malformed);

/// <summary>
/// Reads a JSON document once, before any model binding, and finds the first thing no endpoint may accept: text that
/// breaks <see cref="TextRules"/> (in a value or a member name), and a member given twice in one object (names
/// compared without case, as the binder matches them: <c>"score":9,"SCORE":0</c> is refused, not "last one wins").
/// One place for every module's JSON; imports apply it to each JSON line.
/// </summary>
public static class JsonTextScreen
{
    public const int MaxDepth = 64;

    /// <summary>The document's first flaw, or null when it is clean.</summary>
    public static JsonFlaw? Find(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow });
        var path = new List<Segment>();
        var names = new List<HashSet<string>?>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        Enter(path);
                        path.Add(Segment.Object);
                        names.Add(null);
                        break;
                    case JsonTokenType.StartArray:
                        Enter(path);
                        path.Add(Segment.Array);
                        names.Add(null);
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        names.RemoveAt(names.Count - 1);
                        break;
                    case JsonTokenType.PropertyName:
                        var name = Text(ref reader, out var nameProblem);
                        if (nameProblem is not null)
                        {
                            return new JsonFlaw(Describe(path), $"A member name {nameProblem}", false);
                        }

                        path[^1] = path[^1] with { Name = name };
                        var seen = names[^1] ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                        if (!seen.Add(name!))
                        {
                            var field = Describe(path);
                            return new JsonFlaw(field, $"'{field}' is given more than once (member names are matched without regard to case); send it once.", false);
                        }

                        break;
                    case JsonTokenType.String:
                        Enter(path);
                        Text(ref reader, out var problem);
                        if (problem is not null)
                        {
                            var field = Describe(path);
                            return new JsonFlaw(field, $"{(field.Length == 0 ? "The value" : $"'{field}'")} {problem}", false);
                        }

                        break;
                    default:
                        Enter(path);
                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            return new JsonFlaw(Describe(path), "The body is not valid JSON: " + Plain(ex.Message), true);
        }

        return null;
    }

    /// <summary>A value or member name as text, with what is wrong with it.</summary>
    private static string? Text(ref Utf8JsonReader reader, out string? problem)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            // Unescaped JSON text cannot hold raw controls (the reader refuses them); only its UTF-8 can be wrong.
            var raw = reader.ValueSpan;
            problem = System.Text.Unicode.Utf8.IsValid(raw) ? null : "is not valid UTF-8.";
            return reader.TokenType == JsonTokenType.PropertyName && problem is null ? Encoding.UTF8.GetString(raw) : null;
        }

        string text;
        try
        {
            text = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // The reader refuses an escaped lone surrogate (\udfff) or invalid UTF-8 when it unescapes.
            problem = "contains a lone UTF-16 surrogate or invalid UTF-8, which is not text.";
            return null;
        }

        problem = TextRules.Problem(text);
        return text;
    }

    /// <summary>A value starts inside the current container: count array items.</summary>
    private static void Enter(List<Segment> path)
    {
        if (path.Count > 0 && path[^1].IsArray)
        {
            path[^1] = path[^1] with { Index = path[^1].Index + 1 };
        }
    }

    private static string Describe(List<Segment> path)
    {
        var text = new StringBuilder();
        foreach (var segment in path)
        {
            if (segment.IsArray)
            {
                if (segment.Index >= 0)
                {
                    text.Append('[').Append(segment.Index).Append(']');
                }
            }
            else if (segment.Name is { } name)
            {
                if (text.Length > 0)
                {
                    text.Append('.');
                }

                text.Append(name);
            }
        }

        return text.ToString();
    }

    /// <summary>The reader's message without its position suffix (the field says where).</summary>
    private static string Plain(string message) => message.Split(" LineNumber:", 2)[0].Trim().TrimEnd('|').Trim();

    private readonly record struct Segment(bool IsArray, string? Name, int Index)
    {
        public static Segment Object => new(false, null, -1);

        public static Segment Array => new(true, null, -1);
    }
}
