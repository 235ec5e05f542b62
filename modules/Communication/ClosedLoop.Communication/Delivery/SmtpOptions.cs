using MailKit.Security;

namespace ClosedLoop.Communication.Delivery;

/// <summary>
/// The SMTP relay, top-level section <c>Smtp</c> (not under <c>Communication</c>): the AppHost hands the API
/// <c>Smtp__Host</c>, <c>Smtp__Port</c> and <c>Smtp__UseTls</c> for its MailDev resource, and other deployments set the
/// same variables. Without a <see cref="Host"/>, email messages wait as pending (webhooks still go) until one is set.
/// </summary>
internal sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string? Host { get; set; }

    /// <summary>25 by default; MailDev listens on 1025, submission is 587, implicit TLS 465.</summary>
    public int Port { get; set; } = 25;

    /// <summary>
    /// <c>None</c>, <c>StartTls</c> (required), <c>SslOnConnect</c> or <c>Auto</c> (STARTTLS when offered, implicit TLS
    /// on 465). <c>false</c> and <c>true</c> are read as <c>None</c> and <c>StartTls</c>, as the AppHost writes them.
    /// </summary>
    public string UseTls { get; set; } = "Auto";

    public string? UserName { get; set; }

    public string? Password { get; set; }

    public string FromAddress { get; set; } = "closedloop@localhost";

    public string? FromName { get; set; } = "ClosedLoop";

    /// <summary>The right-hand side of a generated <c>Message-ID</c>; default: the domain of <see cref="FromAddress"/>.</summary>
    public string? MessageIdDomain { get; set; }

    /// <summary>How long one SMTP command may take before the attempt counts as failed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);

    public string IdDomain => !string.IsNullOrWhiteSpace(MessageIdDomain)
        ? MessageIdDomain.Trim()
        : FromAddress[(FromAddress.LastIndexOf('@') + 1)..] is { Length: > 0 } domain ? domain : "closedloop.local";

    public SecureSocketOptions Security => TryParseSecurity(UseTls, out var security)
        ? security
        : throw new InvalidOperationException($"Smtp:UseTls '{UseTls}' is not None, StartTls, SslOnConnect or Auto.");

    public string? Problem() => this switch
    {
        { Port: < 1 or > 65535 } => "Smtp:Port must be between 1 and 65535.",
        _ when !TryParseSecurity(UseTls, out _) => "Smtp:UseTls must be None, StartTls, SslOnConnect or Auto (or false/true).",
        _ when !MimeKit.MailboxAddress.TryParse(FromAddress, out _) => "Smtp:FromAddress must be an email address.",
        _ when Timeout <= TimeSpan.Zero => "Smtp:Timeout must be positive.",
        _ when string.IsNullOrWhiteSpace(UserName) != string.IsNullOrEmpty(Password) => "Smtp:UserName and Smtp:Password go together.",
        _ => null,
    };

    private static bool TryParseSecurity(string? value, out SecureSocketOptions security)
    {
        security = (value ?? "").Trim().ToUpperInvariant() switch
        {
            "NONE" or "FALSE" => SecureSocketOptions.None,
            "STARTTLS" or "TRUE" => SecureSocketOptions.StartTls,
            "SSLONCONNECT" => SecureSocketOptions.SslOnConnect,
            "AUTO" or "" => SecureSocketOptions.Auto,
            _ => (SecureSocketOptions)(-1),
        };
        return Enum.IsDefined(security);
    }
}
