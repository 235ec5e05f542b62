using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ClosedLoop.Api.Tests.Infrastructure;

namespace ClosedLoop.Api.Tests.Fuzz;

/// <summary>Builds one request for an operation and a role: valid, or with one mutation in its path, query, headers or body.</summary>
internal sealed class FuzzRequests(FuzzValues values, FuzzData data)
{
    public static readonly string[] Roles = ["admin", "agent", "analyst", "ingest", "none", "unknown"];

    private static readonly string[] QueryMutations = ["nul", "bad-percent", "number-edge", "huge-page-size", "bad-guid", "bad-date", "bad-cursor", "long-value", "repeated", "unknown-param", "bad-bool", "lone-surrogate"];
    private static readonly string[] OtherMethods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"];
    private static readonly string[] HeaderMutations = ["if-match", "accept", "idempotency-key"];
    private static readonly string[] FileMutations = ["lone-surrogate", "control-chars", "invalid-utf8", "long-line", "empty-body", "no-body", "garbage", "unbalanced-quotes", "wrong-content-type", "json-lines-tricks", "huge-number"];
    // No %00: a path cannot hold NUL (Kestrel answers 400 before the application, and PathString refuses it).
    private static readonly string[] BadSegments = ["not-a-guid", "%zz", "%ED%A0%80", "%C0%AF", "00000000-0000-0000-0000-000000000000", "..", "%2e%2e", "%2F", "x%20y", "%F0%9F%99%81", "%C3%84%C3%96", "-1", "99999999999999999999", "CON", "%7B%7D", "ROUTING", "%FF", "%", "%25", "a;b=c"];
    private static readonly string[] BadPercent = ["%", "%zz", "%E9", "%ED%A0%80", "%ED%BF%BF", "%C0%AF", "%FF%FE", "%u0041", "%%", "%2", "a%00b%zz"];

    private readonly FuzzBodies _bodies = new(values);
    private readonly Dictionary<string, Queue<string>> _cycles = [];
    private readonly Dictionary<string, int> _rounds = [];

    /// <summary>The operations whose callers have not yet seen every mutation (none, when the request count suffices).</summary>
    public IEnumerable<string> Uncovered => _cycles.Where(c => _rounds.GetValueOrDefault(c.Key) == 0 && c.Value.Count > 0).Select(c => $"{c.Key} ({c.Value.Count} left)");

    public FuzzRequest Create(FuzzOperation operation, string role)
    {
        var mutation = ChooseMutation(operation, role);
        var headers = new List<KeyValuePair<string, string>>();
        AddCredentials(headers, role);

        var path = operation.Path;
        var pathParameters = operation.Parameters.Where(p => p.In == "path").ToList();
        var broken = mutation == "path:bad-segment" && pathParameters.Count > 0 ? values.Pick(pathParameters) : null;
        foreach (var parameter in pathParameters)
        {
            var segment = parameter == broken
                ? values.Pick(BadSegments.Append(new string('a', 3_000)).Append(values.Pick(data.IdsFor(operation.Path, parameter.Name)) + "%20").ToList())
                : Uri.EscapeDataString(values.Chance(0.75) ? values.Pick(data.IdsFor(operation.Path, parameter.Name)) : RandomValue(parameter));
            path = path.Replace("{" + parameter.Name + "}", segment, StringComparison.Ordinal);
        }

        var query = Query(operation, mutation);
        foreach (var parameter in operation.Parameters.Where(p => p.In == "header"))
        {
            if (values.Chance(0.5))
            {
                headers.Add(new(parameter.Name, values.Text(parameter.Name)));
            }
        }

        if (mutation.StartsWith("header:", StringComparison.Ordinal))
        {
            MutateHeader(headers, mutation[7..]);
        }

        byte[]? body = null;
        string? contentType = null;
        if (operation.HasBody)
        {
            var bodyMutation = mutation.StartsWith("body:", StringComparison.Ordinal) ? mutation[5..] : "valid";
            (body, contentType) = operation.IsJson && operation.ContentTypes.All(c => c.Contains("json", StringComparison.Ordinal) && !c.Contains("line", StringComparison.Ordinal))
                ? _bodies.Create(operation, bodyMutation)
                : File(operation, bodyMutation);
        }
        else if (mutation == "body:unexpected")
        {
            (body, contentType) = (Encoding.UTF8.GetBytes("{\"unexpected\":\"\\ud800\"}"), "application/json");
        }

        var otherMethod = mutation == "method:other" ? values.Pick(OtherMethods.Where(m => m != operation.Method).ToList()) : null;
        return new FuzzRequest(operation, role, mutation, path + query, headers, body, contentType, otherMethod);
    }

    /// <summary>
    /// For a caller the operation lets in, the next of a shuffled cycle over every mutation that applies (so each
    /// one reaches the handler within a few dozen requests); for anyone else, any one at random.
    /// </summary>
    private string ChooseMutation(FuzzOperation operation, string role)
    {
        if (!operation.Roles.Contains(role) && !(operation.Roles.Count == 0 && role is not "unknown"))
        {
            return values.Pick(Mutations(operation));
        }

        if (!_cycles.TryGetValue(operation.Name, out var cycle) || cycle.Count == 0)
        {
            _rounds[operation.Name] = _rounds.GetValueOrDefault(operation.Name) + (cycle is null ? 0 : 1);
            _cycles[operation.Name] = cycle = new Queue<string>(Mutations(operation).OrderBy(_ => values.Random.Next()));
        }

        return cycle.Dequeue();
    }

    /// <summary>How many requests a cycle over the operation's mutations takes: its share of the random requests.</summary>
    public static int Weight(FuzzOperation operation) => Mutations(operation).Count;

    private static List<string> Mutations(FuzzOperation operation)
    {
        var choices = new List<string>();
        var fileBody = operation.HasBody && !operation.ContentTypes.All(c => c.EndsWith("json", StringComparison.Ordinal));
        choices.AddRange(operation.HasBody ? (fileBody ? FileMutations : FuzzBodies.JsonMutations).Select(m => "body:" + m) : ["body:unexpected"]);
        choices.AddRange(QueryMutations.Select(m => "query:" + m));
        if (operation.Parameters.Any(p => p.In == "path"))
        {
            choices.AddRange(["path:bad-segment", "path:bad-segment"]);
        }

        choices.AddRange(HeaderMutations.Select(m => "header:" + m));
        choices.Add("method:other");
        choices.AddRange(Enumerable.Repeat("valid", choices.Count / 4));
        return choices;
    }

    private void AddCredentials(List<KeyValuePair<string, string>> headers, string role)
    {
        switch (role)
        {
            case "none":
                return;
            case "unknown":
                var (name, value) = values.Random.Next(8) switch
                {
                    0 => ("X-Api-Key", ""),
                    1 => ("X-Api-Key", new string('k', 5_000)),
                    2 => ("X-Api-Key", ApiFactory.AdminKey + "," + ApiFactory.AgentKey),
                    3 => ("X-Api-Key", ApiFactory.AdminKey.ToUpperInvariant()),
                    4 => ("Authorization", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4Iiwicm9sZXMiOiJhZG1pbiJ9."),
                    5 => ("Authorization", values.Pick(["Bearer", "Basic Zm9vOmJhcg==", "Bearer \u00e9\u00e9"])),
                    6 => ("X-Api-Key", "cl_" + Guid.NewGuid().ToString("N")),
                    _ => ("X-Api-Key", "fuzz-unknown-" + values.Random.Next(100_000).ToString(CultureInfo.InvariantCulture)),
                };
                headers.Add(new(name, value));
                return;
            default:
                headers.Add(new("X-Api-Key", $"dev-{role}-key"));
                return;
        }
    }

    private string RandomValue(FuzzParameter parameter) =>
        parameter.Schema["type"]?.GetValue<string>() == "integer" ? values.Integer(parameter.Name).ToString(CultureInfo.InvariantCulture) : values.Text(parameter.Name, parameter.Schema["format"]?.GetValue<string>());

    private string Query(FuzzOperation operation, string mutation)
    {
        var pairs = new List<string>();
        var parameters = operation.Parameters.Where(p => p.In == "query").ToList();
        foreach (var parameter in parameters.Where(_ => values.Chance(0.4)))
        {
            var text = parameter.Schema["type"]?.GetValue<string>() == "boolean" ? (values.Chance(0.5) ? "true" : "false") : RandomValue(parameter);
            pairs.Add(parameter.Name + "=" + Uri.EscapeDataString(text));
        }

        if (mutation.StartsWith("query:", StringComparison.Ordinal))
        {
            var target = parameters.Count > 0 ? values.Pick(parameters) : new FuzzParameter("pageSize", "query", new JsonObject { ["type"] = "integer" });
            pairs.RemoveAll(p => p.StartsWith(target.Name + "=", StringComparison.Ordinal));
            pairs.Add(MutateQuery(target, mutation[6..]));
            pairs = [.. pairs.OrderBy(_ => values.Random.Next())];
        }

        return pairs.Count == 0 ? "" : "?" + string.Join('&', pairs);
    }

    private string MutateQuery(FuzzParameter parameter, string mutation)
    {
        var name = parameter.Name;
        var valid = Uri.EscapeDataString(RandomValue(parameter));
        var value = mutation switch
        {
            "nul" => values.Pick([valid + "%00", "%00", "a%00b", "%00" + valid]),
            "bad-percent" => values.Pick(BadPercent) + (values.Chance(0.5) ? valid : ""),
            "number-edge" => values.Pick(["99999999999999999999", "2147483648", "-1", "0", "-2147483648", "1.5", "1e3", "0x10", "%205", "%EF%BC%95", "NaN", "-0"]),
            "huge-page-size" => values.Pick(["2147483647", "100000", "501", "500", "-2147483648"]),
            "bad-guid" => values.Pick(["not-a-guid", "00000000-0000-0000-0000-000000000000", "%7B" + Guid.NewGuid() + "%7D", Guid.NewGuid() + "%00", Guid.NewGuid().ToString("N"), "", "(" + Guid.NewGuid() + ")"]),
            "bad-date" => values.Pick(["2026-13-45", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "10000-01-01", "2026-11-20T10:00:00%2B14:00", "-1", "today", "2026-11-20T25:00:00Z", "1e10", "2026-11-20T10:00:00-23:59", "0000-00-00"]),
            "bad-cursor" => BadCursor(),
            "long-value" => new string('v', values.Pick([2_000, 10_000, 60_000])),
            "repeated" => valid + "&" + name + "=" + Uri.EscapeDataString(RandomValue(parameter)),
            "unknown-param" => valid + "&" + values.Pick(["fuzz=1", "%00=%00", "=x", "&&", "a[b]=c", "page=1", "PAGESIZE=0", "%ED%A0%80=1"]),
            "bad-bool" => values.Pick(["maybe", "1", "yes", "TRUE", "", "null"]),
            "lone-surrogate" => values.Pick(["%ED%A0%80", "%ED%BF%BF", "\\ud800", "x%ED%B0%80y"]),
            _ => valid,
        };
        return name + "=" + value;
    }

    private string BadCursor()
    {
        if (data.Cursors.Count > 0 && values.Chance(0.6))
        {
            var cursor = values.Pick(data.Cursors);
            var at = values.Random.Next(cursor.Length);
            return Uri.EscapeDataString(values.Random.Next(4) switch
            {
                0 => cursor[..at],
                1 => cursor[..at] + (cursor[at] == 'A' ? 'B' : 'A') + cursor[(at + 1)..],
                2 => cursor + "==",
                _ => cursor + cursor,
            });
        }

        var garbage = new byte[values.Random.Next(1, 64)];
        values.Random.NextBytes(garbage);
        return values.Pick([Uri.EscapeDataString(Convert.ToBase64String(garbage)), "....", "%00", "-_-_", new string('A', 4_000), "null", "eyJ9"]);
    }

    private void MutateHeader(List<KeyValuePair<string, string>> headers, string mutation)
    {
        var (name, value) = mutation switch
        {
            "if-match" => ("If-Match", values.Pick(["*", "\"garbage\"", "W/\"1\"", "\"\"", "\"", "1", "\"999999999999999999999\"", "\"-1\"", "\"1\", \"2\"", "\"" + new string('9', 8_000) + "\"", "\u00e9", "*, \"1\"", ",,,"])),
            "accept" => ("Accept", values.Pick(["text/csv", "application/xml", "*/*", "garbage", "application/problem+json", "text/html;q=0.1, application/json;q=0", "image/svg+xml"])),
            _ => ("Idempotency-Key", values.Pick(["", " ", new string('i', 10_000), "\u00e9t\u00e9", "a,b", Guid.NewGuid().ToString()])),
        };
        headers.RemoveAll(h => h.Key == name);
        headers.Add(new(name, value));
    }

    /// <summary>An import file (CSV or JSON lines) with one mutation.</summary>
    private (byte[]? Body, string? ContentType) File(FuzzOperation operation, string mutation)
    {
        var contentType = values.Pick(operation.ContentTypes);
        var jsonLines = contentType.Contains("json", StringComparison.Ordinal);
        var rows = Enumerable.Range(0, values.Random.Next(1, 4)).Select(_ => (Id: "fz-" + values.Random.Next(1_000_000), Score: values.Random.Next(0, 11).ToString(CultureInfo.InvariantCulture), Comment: values.Text("comment"))).ToList();
        string Row(string id, string score, string comment) => jsonLines
            ? $"{{\"externalId\":\"{id}\",\"score\":{score},\"comment\":\"{comment}\",\"customerExternalId\":\"fz-c\"}}"
            : $"{id},{score},\"{comment.Replace("\"", "\"\"", StringComparison.Ordinal)}\",fz-c";
        string Text(IEnumerable<string> lines) => (jsonLines ? "" : "externalId,score,comment,customerExternalId\n") + string.Join('\n', lines) + "\n";
        byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
        var valid = Text(rows.Select(r => Row(r.Id, r.Score, r.Comment)));

        return mutation switch
        {
            "empty-body" => ([], contentType),
            "no-body" => (null, null),
            "wrong-content-type" => (Utf8(valid), values.Pick(["application/json", "text/plain", "@@@", "multipart/form-data", "text/csv; charset=utf-16", "application/octet-stream"])),
            "lone-surrogate" => (Utf8(Text([Row("fz-s", "3", jsonLines ? "\\udfff\\ud800" : "x"), jsonLines ? "{\"comment\":\"\\ud800\",\"score\":1}" : "fz-t,2,x,\\ud800"])).Concat(new byte[] { 0xED, 0xA0, 0x80, (byte)'\n' }).ToArray(), contentType),
            "control-chars" => (Utf8(Text([Row("fz-n\\u0000", "3", "a\u0001b"), "\0\0\0"])), contentType),
            "invalid-utf8" => ([.. Utf8(Text([])), 0xC3, 0x28, 0xFF, (byte)',', 0xC0, 0xAF, (byte)'\n'], contentType),
            "long-line" => (Utf8(Text([Row("fz-l", "3", new string('x', 200_000))])), contentType),
            "garbage" => (Enumerable.Range(0, 2_000).Select(_ => (byte)values.Random.Next(256)).ToArray(), contentType),
            "unbalanced-quotes" => (Utf8(Text(["\"fz-q,3,\"never closed", "{\"externalId\":", "\"\"\"", ",,,,,,,,,,,,,,,,,,,"])), contentType),
            "huge-number" => (Utf8(Text([Row("fz-h", values.Pick(["1e400", "99999999999999999999", "-1", "1.5", "NaN"]), "x")])), contentType),
            "json-lines-tricks" => (Utf8(string.Join('\n', ["{\"score\":9,\"SCORE\":0,\"externalId\":\"fz-d\",\"comment\":\"x\"}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "null", "{\"score\":{\"a\":1}}", "{\"externalId\":\"fz-e\",\"externalId\":\"fz-f\",\"score\":1}"])), contentType),
            _ => (Utf8(valid), contentType),
        };
    }
}
