using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using ClosedLoop.Feedback.Ingest;
using ClosedLoop.Web;

namespace ClosedLoop.Feedback.Imports;

internal enum CsvField
{
    Attribute,
    Ignored,
    Source,
    ExternalId,
    Channel,
    SubmittedAt,
    Score,
    Comment,
    CustomerExternalId,
    Email,
    Name,
    Region,
    Segment,
    Language,
    AccountValue,
}

/// <summary>
/// What each CSV column means. Names match case-insensitively, ignoring spaces, '_' and '-'; customer
/// fields may be prefixed <c>customer.</c> or <c>customer</c>; <c>attributes.X</c> names attribute X; any
/// other column becomes an attribute of that name (string value, left out when empty).
/// </summary>
internal sealed class CsvColumns
{
    private static readonly FrozenDictionary<string, CsvField> Known = new Dictionary<string, CsvField>
    {
        ["source"] = CsvField.Source,
        ["externalid"] = CsvField.ExternalId,
        ["channel"] = CsvField.Channel,
        ["submittedat"] = CsvField.SubmittedAt,
        ["score"] = CsvField.Score,
        ["comment"] = CsvField.Comment,
        ["customerexternalid"] = CsvField.CustomerExternalId,
        ["customer.externalid"] = CsvField.CustomerExternalId,
        ["customerid"] = CsvField.CustomerExternalId,
        ["email"] = CsvField.Email,
        ["name"] = CsvField.Name,
        ["region"] = CsvField.Region,
        ["segment"] = CsvField.Segment,
        ["language"] = CsvField.Language,
        ["accountvalue"] = CsvField.AccountValue,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly string[] CustomerFields = ["email", "name", "region", "segment", "language", "accountvalue"];

    private readonly (CsvField Field, string Name)[] _columns;
    private readonly ImportDefaults _defaults;

    private CsvColumns((CsvField, string)[] columns, ImportDefaults defaults)
    {
        _columns = columns;
        _defaults = defaults;
    }

    /// <summary>Maps a header; null with <paramref name="error"/> when two columns mean the same thing.</summary>
    public static CsvColumns? Create(IReadOnlyList<string> header, ImportDefaults defaults, out string? error)
    {
        error = null;
        var columns = new (CsvField, string)[header.Count];
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < header.Count; i++)
        {
            var name = header[i].Trim();
            var field = Classify(name, out var attribute);
            columns[i] = (field, attribute);
            var key = field == CsvField.Attribute ? "attributes." + attribute : field.ToString();
            if (field != CsvField.Ignored && !seen.TryAdd(key, name))
            {
                error = $"The header names the same field twice: '{seen[key]}' and '{name}'.";
                return null;
            }
        }

        return new CsvColumns(columns, defaults);
    }

    private static CsvField Classify(string name, out string attribute)
    {
        attribute = name;
        if (name.Length == 0)
        {
            return CsvField.Ignored;
        }

        foreach (var prefix in (string[])["attributes.", "attribute."])
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && name.Length > prefix.Length)
            {
                attribute = name[prefix.Length..];
                return CsvField.Attribute;
            }
        }

        var key = string.Concat(name.Where(c => c is not (' ' or '_' or '-'))).ToLowerInvariant();
        if (Known.TryGetValue(key, out var field))
        {
            return field;
        }

        foreach (var prefix in (string[])["customer.", "customer"])
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal) && CustomerFields.Contains(key[prefix.Length..]))
            {
                return Known[key[prefix.Length..]];
            }
        }

        return CsvField.Attribute;
    }

    /// <summary>Turns one record's fields into an item, or into the field errors that stop it.</summary>
    public ImportRow ToRow(long line, IReadOnlyList<string> fields, DateTimeOffset now)
    {
        var errors = new FieldErrors();
        if (fields.Count > _columns.Length)
        {
            errors.Add("row", $"The row has {fields.Count} fields; the header has {_columns.Length}.");
        }

        string? source = null, externalId = null, channel = null, comment = null;
        string? customerId = null, email = null, name = null, region = null, segment = null, language = null;
        DateTimeOffset? submittedAt = null;
        int? score = null;
        decimal? accountValue = null;
        Dictionary<string, JsonElement>? attributes = null;
        for (var i = 0; i < Math.Min(fields.Count, _columns.Length); i++)
        {
            var value = fields[i];
            if (value.Length == 0)
            {
                continue;
            }

            if (TextRules.Problem(value) is { } unfit)
            {
                // The same rule as every request's text: a value that cannot be stored rejects its row, not the import.
                errors.Add($"column {i + 1}", $"Column {i + 1} {unfit}");
                continue;
            }

            var (field, attribute) = _columns[i];
            switch (field)
            {
                case CsvField.Source: source = value; break;
                case CsvField.ExternalId: externalId = value; break;
                case CsvField.Channel: channel = value; break;
                case CsvField.Comment: comment = value; break;
                case CsvField.CustomerExternalId: customerId = value; break;
                case CsvField.Email: email = value; break;
                case CsvField.Name: name = value; break;
                case CsvField.Region: region = value; break;
                case CsvField.Segment: segment = value; break;
                case CsvField.Language: language = value; break;
                case CsvField.Score:
                    score = int.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s) ? s
                        : Fail<int>(errors, "score", "score must be a whole number from 0 to 10.");
                    break;
                case CsvField.SubmittedAt:
                    submittedAt = DateTimeOffset.TryParse(value.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at
                        : Fail<DateTimeOffset>(errors, "submittedAt", "submittedAt must be an ISO-8601 date and time such as 2026-11-20T10:00:00Z.");
                    break;
                case CsvField.AccountValue:
                    accountValue = decimal.TryParse(value.Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out var v) ? v
                        : Fail<decimal>(errors, "customer.accountValue", "customer.accountValue must be a number such as 120000.50.");
                    break;
                case CsvField.Ignored:
                    errors.Add("row", $"Column {i + 1} has no name in the header but holds a value.");
                    break;
                default:
                    (attributes ??= new(StringComparer.Ordinal))[attribute] = JsonSerializer.SerializeToElement(value);
                    break;
            }
        }

        var input = _defaults.Apply(new FeedbackInput(
            source, externalId, channel, submittedAt, score, comment,
            new CustomerInput(customerId, email, name, region, segment, language, accountValue),
            attributes));
        if (errors.IsEmpty)
        {
            return ImportRow.Valid(line, input);
        }

        // Report everything wrong with the row at once, not only what failed to convert.
        var all = errors.ToDictionary();
        var more = new FieldErrors();
        FeedbackValidator.Validate(input, now, more);
        foreach (var (key, messages) in more.ToDictionary())
        {
            all.TryAdd(key, messages);
        }

        return ImportRow.Invalid(line, all);
    }

    private static T? Fail<T>(FieldErrors errors, string field, string message)
        where T : struct
    {
        errors.Add(field, message);
        return null;
    }
}
