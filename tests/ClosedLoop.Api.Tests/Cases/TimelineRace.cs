using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ClosedLoop.Api.Tests.Cases;

/// <summary>
/// Forces one interleaving of a case read with a change to the case: the first read of the case's timeline after
/// <see cref="Arm"/> waits until a change that adds a timeline entry of the given kind to the case has committed.
/// Whatever the read took before its timeline (the case row) is then older than the timeline. Inert until armed;
/// holds one read per arming. Registered as an interceptor of every module context of the Cases test hosts.
/// </summary>
public sealed class TimelineRace : DbCommandInterceptor, IDbTransactionInterceptor
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private volatile Race? _race;

    /// <summary>Holds the next timeline read of <paramref name="caseId"/> until an entry of <paramref name="kind"/> commits.</summary>
    public Race Arm(Guid caseId, string kind) => _race = new Race(caseId, kind);

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await SeeAsync(command);
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await SeeAsync(command);
        return result;
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (_race is { } race && race.Writes(transaction))
        {
            race.Committed.TrySetResult();
        }

        return Task.CompletedTask;
    }

    private async Task SeeAsync(DbCommand command)
    {
        if (_race is not { } race || !command.CommandText.Contains("case_entries", StringComparison.Ordinal) || !Names(command, race.CaseId))
        {
            return;
        }

        if (command.CommandText.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase))
        {
            if (Interlocked.Exchange(ref race.Held, 1) == 0)
            {
                race.Reached.TrySetResult();
                try
                {
                    await race.Committed.Task.WaitAsync(Deadline);
                    race.Forced = true;
                }
                catch (TimeoutException)
                {
                    // The read goes on unforced; the test asserts Forced and says so.
                }
            }
        }
        else if (command.Transaction is { } transaction && command.Parameters.Cast<DbParameter>().Any(p => p.Value is string s && s == race.Kind))
        {
            race.Write(transaction);
        }
    }

    private static bool Names(DbCommand command, Guid caseId) => command.Parameters.Cast<DbParameter>().Any(p => p.Value switch
    {
        Guid g => g == caseId,
        string s => Guid.TryParse(s, out var g) && g == caseId,
        _ => false,
    });

    public sealed class Race(Guid caseId, string kind)
    {
        internal int Held;
        private readonly List<DbTransaction> _writes = [];

        public Guid CaseId { get; } = caseId;

        public string Kind { get; } = kind;

        /// <summary>The held read has taken what it reads before the timeline and waits.</summary>
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        internal TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The held read went on only after the change committed (not after the deadline).</summary>
        public bool Forced { get; internal set; }

        internal void Write(DbTransaction transaction)
        {
            lock (_writes)
            {
                _writes.Add(transaction);
            }
        }

        internal bool Writes(DbTransaction transaction)
        {
            lock (_writes)
            {
                return _writes.Contains(transaction);
            }
        }
    }
}
