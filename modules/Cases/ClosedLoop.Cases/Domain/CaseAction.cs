using ClosedLoop.Cases.Contracts;

namespace ClosedLoop.Cases.Domain;

/// <summary>What an agent can do to a case; each is allowed in some statuses only.</summary>
internal enum CaseAction
{
    Assign,
    Acknowledge,
    Start,
    WaitOnCustomer,
    Resume,
    Note,
    Escalate,
    Resolve,
    Close,
    Reopen,
}

/// <summary>
/// The lifecycle: new → acknowledged → in progress ↔ waiting on customer → resolved → closed; reopen from
/// resolved or closed. Notes are allowed in every status; assignment and escalation while the case is open.
/// </summary>
internal static class CaseLifecycle
{
    /// <summary>The statuses in which a case is still being worked (its clocks can still be missed).</summary>
    public static IReadOnlyList<CaseStatus> OpenStatuses { get; } = [CaseStatus.New, CaseStatus.Acknowledged, CaseStatus.InProgress, CaseStatus.WaitingOnCustomer];

    private static readonly CaseStatus[] Open = [.. OpenStatuses];

    private static readonly Dictionary<CaseAction, (CaseStatus[] From, CaseStatus? To)> Table = new()
    {
        [CaseAction.Assign] = (Open, null),
        [CaseAction.Acknowledge] = ([CaseStatus.New], CaseStatus.Acknowledged),
        [CaseAction.Start] = ([CaseStatus.Acknowledged], CaseStatus.InProgress),
        [CaseAction.WaitOnCustomer] = ([CaseStatus.InProgress], CaseStatus.WaitingOnCustomer),
        [CaseAction.Resume] = ([CaseStatus.WaitingOnCustomer], CaseStatus.InProgress),
        [CaseAction.Note] = (Enum.GetValues<CaseStatus>(), null),
        [CaseAction.Escalate] = (Open, null),
        [CaseAction.Resolve] = ([CaseStatus.InProgress, CaseStatus.WaitingOnCustomer], CaseStatus.Resolved),
        [CaseAction.Close] = ([CaseStatus.Resolved], CaseStatus.Closed),
        [CaseAction.Reopen] = ([CaseStatus.Resolved, CaseStatus.Closed], CaseStatus.InProgress),
    };

    public static bool IsOpen(CaseStatus status) => Open.Contains(status);

    public static bool Allows(CaseStatus status, CaseAction action) => Table[action].From.Contains(status);

    public static CaseStatus? Target(CaseAction action) => Table[action].To;

    /// <summary>The actions allowed in <paramref name="status"/>, as the API names them.</summary>
    public static IReadOnlyList<string> Allowed(CaseStatus status) =>
        [.. Table.Where(t => t.Value.From.Contains(status)).Select(t => Name(t.Key))];

    public static string Name(CaseAction action) => action switch
    {
        CaseAction.WaitOnCustomer => "wait-on-customer",
        _ => action.ToString().ToLowerInvariant(),
    };
}
