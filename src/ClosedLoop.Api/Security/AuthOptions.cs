namespace ClosedLoop.Api.Security;

/// <summary>Section <c>Auth</c>.</summary>
internal sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>
    /// Keys that exist only in the Development environment (appsettings.Development.json). The host
    /// refuses to start in any other environment while this list has entries.
    /// </summary>
    public List<DevelopmentKey> DevelopmentKeys { get; set; } = [];

    /// <summary>How long a verified key is trusted before it is looked up again (revocation on other replicas takes this long).</summary>
    public TimeSpan KeyCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    public JwtOptions Jwt { get; set; } = new();
}

internal sealed class DevelopmentKey
{
    public string Key { get; set; } = "";

    public string Role { get; set; } = "";

    public string Name { get; set; } = "";
}

/// <summary>Optional JWT bearer: enabled when an authority or a signing key is configured.</summary>
internal sealed class JwtOptions
{
    /// <summary>OpenID Connect authority whose metadata supplies the signing keys.</summary>
    public string? Authority { get; set; }

    public string? Audience { get; set; }

    /// <summary>Expected issuer when tokens are signed with <see cref="SigningKey"/> (no authority).</summary>
    public string? Issuer { get; set; }

    /// <summary>Base64 shared secret for HS256 tokens, for identity providers without OIDC metadata.</summary>
    public string? SigningKey { get; set; }

    /// <summary>The claim that carries roles (admin, agent, analyst, ingest).</summary>
    public string RoleClaim { get; set; } = "roles";

    public bool RequireHttpsMetadata { get; set; } = true;

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority) || !string.IsNullOrWhiteSpace(SigningKey);
}
