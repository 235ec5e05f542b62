using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClosedLoop.Web;

/// <summary>
/// A JSON value kept as text: written into a response exactly as stored (same members, order, numbers,
/// escapes and whitespace) instead of being parsed and re-serialised, which would lose what the reader's
/// model does not know. For documents users author, such as rule sets.
/// </summary>
/// <param name="Text">A complete, valid JSON value.</param>
[JsonConverter(typeof(RawJsonConverter))]
public sealed record RawJson(string Text)
{
    public override string ToString() => Text;
}

/// <summary>Reads any JSON value as its exact text; writes the text back unchanged.</summary>
public sealed class RawJsonConverter : JsonConverter<RawJson>
{
    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return new RawJson(document.RootElement.GetRawText());
    }

    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);

        // Validated, not skipped: a stored text that is not JSON must fail here, not corrupt the response.
        writer.WriteRawValue(value.Text, skipInputValidation: false);
    }
}
