using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ClosedLoop.Api.Tests.Fuzz;

internal sealed record FuzzParameter(string Name, string In, JsonObject Schema);

/// <summary>One path + method of the OpenAPI document, with what the fuzzer needs to call it.</summary>
internal sealed record FuzzOperation(
    string Method,
    string Path,
    IReadOnlyList<FuzzParameter> Parameters,
    IReadOnlyList<string> ContentTypes,
    JsonObject? BodySchema,
    JsonNode? BodyExample,
    IReadOnlyList<string> Roles)
{
    public string Name => $"{Method} {Path}";

    public bool HasBody => ContentTypes.Count > 0;

    public bool IsJson => ContentTypes.Any(c => c.EndsWith("json", StringComparison.Ordinal));
}

/// <summary>Reads the operations, their parameters, body schemas, examples and roles out of the OpenAPI document.</summary>
internal sealed partial class FuzzOperations(JsonObject document)
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    /// <summary>Routes the host maps outside the document (health probes); they are fuzzed too.</summary>
    private static readonly (string Method, string Path)[] Undocumented = [("GET", "/health"), ("GET", "/alive")];

    public IReadOnlyList<FuzzOperation> All()
    {
        var operations = new List<FuzzOperation>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, node) in item!.AsObject().Where(p => Methods.Contains(p.Key)))
            {
                operations.Add(Read(method.ToUpperInvariant(), path, node!.AsObject()));
            }
        }

        foreach (var (method, path) in Undocumented.Where(u => !operations.Any(o => o.Method == u.Method && o.Path == u.Path)))
        {
            operations.Add(new FuzzOperation(method, path, [], [], null, null, []));
        }

        return operations;
    }

    /// <summary>Follows <c>$ref</c> (and a lone <c>allOf</c>) to the schema itself.</summary>
    public JsonObject Resolve(JsonNode? schema)
    {
        for (var hops = 0; hops < 16 && schema is JsonObject o; hops++)
        {
            if (o["$ref"]?.GetValue<string>() is { } reference)
            {
                schema = document["components"]!["schemas"]![reference.Split('/')[^1]];
            }
            else if (o["allOf"] is JsonArray { Count: 1 } all)
            {
                schema = all[0];
            }
            else
            {
                return o;
            }
        }

        return schema as JsonObject ?? [];
    }

    private FuzzOperation Read(string method, string path, JsonObject operation)
    {
        var parameters = (operation["parameters"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select(p => new FuzzParameter(p["name"]!.GetValue<string>(), p["in"]!.GetValue<string>(), Resolve(p["schema"])))
            .ToList();
        var content = operation["requestBody"]?["content"] as JsonObject;
        var contentTypes = content?.Select(c => c.Key).ToList() ?? [];
        var first = content?.FirstOrDefault().Value;
        var roles = operation["security"] is JsonArray { Count: > 0 }
            ? RolesLine().Match(operation["description"]?.GetValue<string>() ?? "") is { Success: true } m
                ? m.Groups["roles"].Value.Split([',', ';'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct().ToList()
                : ["admin"]
            : [];
        return new FuzzOperation(method, path, parameters, contentTypes, first?["schema"] is { } s ? Resolve(s) : null, first?["example"]?.DeepClone(), roles);
    }

    [GeneratedRegex(@"\*\*Roles:\*\* (?<roles>[^.\n]+)")]
    private static partial Regex RolesLine();
}
