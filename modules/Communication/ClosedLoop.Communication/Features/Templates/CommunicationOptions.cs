namespace ClosedLoop.Communication.Features.Templates;

/// <summary>The module's settings, section <c>Communication</c>.</summary>
internal sealed class CommunicationOptions
{
    public const string Section = "Communication";

    /// <summary>Where the seed templates and the sample model are read from; default <c>templates/</c> next to the host's binaries.</summary>
    public string? TemplateDirectory { get; set; }

    /// <summary>Import the seed templates at start-up (new ones, and changed files whose template no admin has edited).</summary>
    public bool SeedOnStartup { get; set; } = true;

    /// <summary>Who the messages come from, as templates show it (<c>company.name</c>, <c>company.supportEmail</c>, <c>company.website</c>).</summary>
    public CompanyOptions Company { get; set; } = new();

    /// <summary>
    /// Links templates show (<c>links.*</c>), each a URL that may hold <c>{caseId}</c>, <c>{customerId}</c>,
    /// <c>{customerExternalId}</c> or <c>{team}</c>. An unset link is null in the model (templates test it).
    /// </summary>
    public LinkOptions Links { get; set; } = new();

    public string ResolveTemplateDirectory() =>
        string.IsNullOrWhiteSpace(TemplateDirectory)
            ? Path.Combine(AppContext.BaseDirectory, "templates")
            : Path.GetFullPath(TemplateDirectory, AppContext.BaseDirectory);
}

/// <summary>The company as messages name it (section <c>Communication:Company</c>).</summary>
internal sealed class CompanyOptions
{
    public string Name { get; set; } = "ClosedLoop";

    public string? SupportEmail { get; set; }

    public string? Website { get; set; }
}

/// <summary>URL patterns of the links templates show (section <c>Communication:Links</c>).</summary>
internal sealed class LinkOptions
{
    /// <summary>Where staff open a case in the company's own UI, e.g. <c>https://crm.example/cases/{caseId}</c>.</summary>
    public string? Case { get; set; }

    /// <summary>The follow-up survey a customer is invited to, e.g. <c>https://survey.example/nps?c={customerExternalId}</c>.</summary>
    public string? Survey { get; set; }

    /// <summary>The referral page a promoter is asked to share, e.g. <c>https://shop.example/refer?c={customerExternalId}</c>.</summary>
    public string? Referral { get; set; }

    /// <summary>A team's dashboard, e.g. <c>https://bi.example/teams/{team}</c>.</summary>
    public string? Dashboard { get; set; }
}
