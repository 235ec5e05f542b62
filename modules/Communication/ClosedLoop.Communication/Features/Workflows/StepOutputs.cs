using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClosedLoop.Workflows.Runtime;

namespace ClosedLoop.Communication.Features.Workflows;

/// <summary>What the module's loop steps share: their outputs as JSON, and deduplication keys that fit their column.</summary>
internal static class StepOutputs
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static JsonElement Of(object value) => JsonSerializer.SerializeToElement(value, Json);

    public static ActivityResult Complete(string port, object output) => ActivityResult.Complete(port, Of(output));

    /// <summary>A step's key for one of its side effects; a long step key is hashed so the result stays well within a message's key column.</summary>
    public static string Key(string stepKey, string part) => $"step:{Compact(stepKey)}:{part}";

    /// <summary>The step key itself, or its SHA-256 (hex) when it is longer than 100 characters.</summary>
    public static string Compact(string stepKey) =>
        stepKey.Length <= 100 ? stepKey : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(stepKey)));
}
