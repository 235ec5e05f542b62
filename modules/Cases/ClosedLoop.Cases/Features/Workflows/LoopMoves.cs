using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Domain;
using ClosedLoop.Cases.Features.Cases;
using ClosedLoop.SharedKernel;

namespace ClosedLoop.Cases.Features.Workflows;

/// <summary>
/// How a loop moves a case forward: along the lifecycle's working path New → Acknowledged → In progress →
/// (Waiting on customer ⇄ In progress) → Resolved → Closed, one allowed move at a time, each on the timeline as the
/// loop's. A loop that sets a new case to waiting-on-customer has responded to the customer (its message is the first
/// response), so the case is acknowledged and started on the way. Nothing moves a case backwards: a resolved or closed
/// case goes no further than closed, and only an agent reopens it.
/// </summary>
internal static class LoopMoves
{
    /// <summary>
    /// Moves <paramref name="c"/>'s case to <paramref name="target"/>, or, for <see cref="CaseStatus.Resolved"/>, to a
    /// status it can be resolved from and then through <paramref name="resolve"/>. The note goes with the last move.
    /// Returns why not when the lifecycle cannot get there; the moves made before a refusal stand only if the caller saves.
    /// </summary>
    public static Error? To(CaseContext c, CaseStatus target, string? note, CaseActor by, Func<Error?>? resolve = null)
    {
        var @case = c.Case;
        for (var moves = 0; @case.Status != target; moves++)
        {
            if (moves > 4)
            {
                throw new InvalidOperationException($"The case did not reach {target} in five moves.");
            }

            var refused = (@case.Status, target) switch
            {
                (CaseStatus.New, not CaseStatus.Closed) => @case.Acknowledge(NoteIf(CaseStatus.Acknowledged), by, c.Now, c.Calendar),
                (CaseStatus.Acknowledged, not CaseStatus.Closed) => @case.Move(CaseAction.Start, NoteIf(CaseStatus.InProgress), by, c.Now, c.Calendar),
                (CaseStatus.InProgress, CaseStatus.WaitingOnCustomer) => @case.Move(CaseAction.WaitOnCustomer, note, by, c.Now, c.Calendar),
                (CaseStatus.WaitingOnCustomer, CaseStatus.InProgress) => @case.Move(CaseAction.Resume, note, by, c.Now, c.Calendar),
                (CaseStatus.InProgress or CaseStatus.WaitingOnCustomer, CaseStatus.Resolved) when resolve is not null => resolve(),
                (CaseStatus.Resolved, CaseStatus.Closed) => @case.Close(note, by, c.Now, c.Calendar),
                _ => @case.Refuse(ActionTo(target)) ?? Error.Conflict("case-status", $"A {Names.Of(@case.Status)} case cannot be moved to {Names.Of(target)}."),
            };
            if (refused is not null)
            {
                return refused;
            }
        }

        return null;

        string? NoteIf(CaseStatus reached) => reached == target ? note : null;
    }

    private static CaseAction ActionTo(CaseStatus target) => target switch
    {
        CaseStatus.Acknowledged => CaseAction.Acknowledge,
        CaseStatus.InProgress => CaseAction.Start,
        CaseStatus.WaitingOnCustomer => CaseAction.WaitOnCustomer,
        CaseStatus.Resolved => CaseAction.Resolve,
        _ => CaseAction.Close,
    };
}
