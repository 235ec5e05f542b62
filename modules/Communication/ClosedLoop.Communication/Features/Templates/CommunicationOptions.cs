namespace ClosedLoop.Communication.Features.Templates;

/// <summary>The module's settings, section <c>Communication</c>.</summary>
internal sealed class CommunicationOptions
{
    public const string Section = "Communication";

    /// <summary>Where the seed templates and the sample model are read from; default <c>templates/</c> next to the host's binaries.</summary>
    public string? TemplateDirectory { get; set; }

    /// <summary>Import the seed templates at start-up (new ones, and changed files whose template no admin has edited).</summary>
    public bool SeedOnStartup { get; set; } = true;

    public string ResolveTemplateDirectory() =>
        string.IsNullOrWhiteSpace(TemplateDirectory)
            ? Path.Combine(AppContext.BaseDirectory, "templates")
            : Path.GetFullPath(TemplateDirectory, AppContext.BaseDirectory);
}
