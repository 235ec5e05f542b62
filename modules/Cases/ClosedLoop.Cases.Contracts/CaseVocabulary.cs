namespace ClosedLoop.Cases.Contracts;

/// <summary>Where a case is in its lifecycle.</summary>
public enum CaseStatus
{
    New,
    Acknowledged,
    InProgress,
    WaitingOnCustomer,
    Resolved,
    Closed,
}

/// <summary>How urgently a case must be handled; orders lists and picks SLA defaults.</summary>
public enum CasePriority
{
    Low,
    Normal,
    High,
    Urgent,
}

/// <summary>Who works a case: frontline fixes the customer's problem, management what keeps causing it, executives what needs structural change.</summary>
public enum EscalationLevel
{
    Frontline,
    Management,
    Executive,
}

/// <summary>Which SLA target was missed.</summary>
public enum SlaTarget
{
    FirstResponse,
    Resolution,
}
