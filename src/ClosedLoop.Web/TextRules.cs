using System.Text;

namespace ClosedLoop.Web;

/// <summary>
/// What text ClosedLoop accepts anywhere (bodies, query strings, imported rows): Unicode scalar values, without
/// control characters other than tab, line feed and carriage return. A lone UTF-16 surrogate cannot be stored as
/// UTF-8 (it would be replaced or refused by the database), and NUL is refused by PostgreSQL and cuts C strings;
/// the other controls have no place in feedback and would reach logs, e-mails and terminals.
/// See docs/decisions/0030-text-json-and-error-surface.md.
/// </summary>
public static class TextRules
{
    /// <summary>Why <paramref name="text"/> cannot be accepted, or null when it can.</summary>
    public static string? Problem(ReadOnlySpan<char> text)
    {
        // Fast path: nothing below U+0020 and no surrogate at all is by far the common case.
        var index = text.IndexOfAnyInRange('\uD800', '\uDFFF');
        var control = text.IndexOfAnyInRange('\0', '\u001F');
        if (index < 0 && control < 0)
        {
            return null;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                return $"contains a lone UTF-16 surrogate (U+{(int)c:X4} at character {i + 1}), which is not text.";
            }

            if (c < ' ' && c is not ('\t' or '\n' or '\r'))
            {
                return $"contains the control character U+{(int)c:X4} at character {i + 1}; only tab, line feed and carriage return are accepted.";
            }
        }

        return null;
    }

    /// <summary>Why the UTF-8 <paramref name="utf8"/> cannot be accepted as text, or null when it can.</summary>
    public static string? Problem(ReadOnlySpan<byte> utf8)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return "is not valid UTF-8.";
        }

        return utf8.IndexOfAnyInRange((byte)0, (byte)0x1F) < 0 ? null : Problem(Encoding.UTF8.GetString(utf8));
    }
}
