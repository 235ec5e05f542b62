using System.Text.Json;
using ClosedLoop.Communication.Rendering;
using ClosedLoop.Communication.Templates;
using Microsoft.Extensions.Options;
using Scriban.Runtime;

namespace ClosedLoop.Communication.Features.Templates;

/// <summary>
/// The sample model every template must render against (<c>templates/sample-model.json</c>), read once. Each
/// render gets its own copy, so nothing a render does is seen by the next.
/// </summary>
internal sealed class SampleModel
{
    private readonly Lazy<JsonElement> json;

    public SampleModel(IOptions<CommunicationOptions> options)
    {
        var directory = options.Value.ResolveTemplateDirectory();
        json = new Lazy<JsonElement>(() =>
        {
            var path = Path.Combine(directory, TemplateSeeds.SampleModelFile);
            using var document = JsonDocument.Parse(File.Exists(path) ? File.ReadAllText(path) : "{}");
            return document.RootElement.Clone();
        });
    }

    public JsonElement Json => json.Value;

    public ScriptObject Create() => TemplateModel.FromJson(json.Value);
}
