namespace ClosedLoop.AppHost;

/// <summary>
/// Something the AppHost runs, in the shape Aspire gives its resources: PostgreSQL, each API replica,
/// and later MailDev for <c>--smtp</c> are one each. Disposing stops it.
/// </summary>
internal interface IResource : IAsyncDisposable
{
    /// <summary>Prefix of its log lines, e.g. <c>api-0</c>.</summary>
    string Name { get; }

    /// <summary>Completes when it stops running for any reason, with a short description of how.</summary>
    Task<string> Stopped { get; }

    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Completes once it serves requests; throws <see cref="TimeoutException"/> saying why not.</summary>
    Task WaitReadyAsync(CancellationToken cancellationToken);
}
