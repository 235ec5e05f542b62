using ClosedLoop.Cases.Contracts;
using ClosedLoop.Workflows.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace ClosedLoop.Cases.Features.Workflows;

/// <summary>
/// The case events that start and resume loops: an opened case starts the loop its routing decision chose; its
/// acknowledgement, resolution, closing and reopening resume the <see cref="WaitForCaseEventHandler"/> bookmarks
/// waiting for them. (customerReplied comes from the Communication module's survey answers.)
/// </summary>
internal static class CaseLoopTriggers
{
    public static IServiceCollection AddCaseLoopTriggers(this IServiceCollection services) => services
        .AddWorkflowStartOn<CaseOpenedIntegrationEvent>(Start)
        .AddWorkflowResumeOn<CaseAcknowledgedIntegrationEvent>(e => [Stimulus(e.CaseId, "acknowledged")])
        .AddWorkflowResumeOn<CaseResolvedIntegrationEvent>(e => [Stimulus(e.CaseId, "resolved")])
        .AddWorkflowResumeOn<CaseClosedIntegrationEvent>(e => [Stimulus(e.CaseId, "closed")])
        .AddWorkflowResumeOn<CaseReopenedIntegrationEvent>(e => [Stimulus(e.CaseId, "reopened")]);

    public static WorkflowStartRequest? Start(CaseOpenedIntegrationEvent e) => e.Loop is null ? null : new WorkflowStartRequest(e.Loop, e.CaseId);

    public static WorkflowStimulus Stimulus(Guid caseId, string caseEvent) =>
        new(WaitForCaseEventHandler.BookmarkKind, WaitForCaseEventHandler.KeyOf(caseId, caseEvent));
}
