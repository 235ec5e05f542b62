using System.Text.Json;
using ClosedLoop.Cases.Contracts;
using ClosedLoop.Cases.Features.Workflows;
using ClosedLoop.Workflows.Runtime;

namespace ClosedLoop.Cases.Tests.Workflows;

/// <summary>
/// What starts and resumes loops (the mapping the runtime's start/resume handlers apply), and how a finished loop's
/// outputs give the customer's score after it.
/// </summary>
public sealed class CaseLoopTriggerTests
{
    private static readonly Guid CaseId = Guid.Parse("0193a5b0-0000-7000-8000-000000000001");

    [Fact]
    public void An_opened_case_starts_the_loop_its_decision_chose_and_none_without_one()
    {
        var opened = new CaseOpenedIntegrationEvent(CaseId, Guid.NewGuid(), Guid.NewGuid(), "cx-emea", CasePriority.High, EscalationLevel.Frontline, "detractor-recovery", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

        Assert.Equal(new WorkflowStartRequest("detractor-recovery", CaseId), CaseLoopTriggers.Start(opened));
        Assert.Null(CaseLoopTriggers.Start(opened with { Loop = null }));
    }

    [Fact]
    public void A_case_event_resumes_the_waits_keyed_by_case_and_event()
    {
        Assert.Equal(new WorkflowStimulus("case-event", "0193a5b0000070008000000000000001:acknowledged"), CaseLoopTriggers.Stimulus(CaseId, "acknowledged"));
        Assert.Equal(WaitForCaseEventHandler.KeyOf(CaseId, "reopened"), CaseLoopTriggers.Stimulus(CaseId, "reopened").Key);
    }

    [Fact]
    public void The_score_after_a_loop_is_the_newest_numeric_score_among_its_outputs()
    {
        static JsonElement J(object o) => JsonSerializer.SerializeToElement(o);

        Assert.Null(RecordLoopFinished.ScoreAfter(new Dictionary<string, JsonElement>()));
        Assert.Null(RecordLoopFinished.ScoreAfter(new Dictionary<string, JsonElement> { ["a"] = J(new { score = "9" }), ["b"] = J(3) }));
        Assert.Equal(8, RecordLoopFinished.ScoreAfter(new Dictionary<string, JsonElement>
        {
            ["early"] = J(new { score = 4, answeredAt = "2026-12-01T10:00:00Z" }),
            ["late"] = J(new { answer = new { score = 8, answeredAt = "2026-12-09T10:00:00Z" } }),
            ["untimed"] = J(new { score = 2 }),
        }));
        Assert.Equal(6, RecordLoopFinished.ScoreAfter(new Dictionary<string, JsonElement> { ["a"] = J(new { score = 3 }), ["b"] = J(new { score = 6 }) }));
        Assert.Equal(10, RecordLoopFinished.ScoreAfter(new Dictionary<string, JsonElement> { ["a"] = J(new { score = 9.5 }) }));
    }
}
