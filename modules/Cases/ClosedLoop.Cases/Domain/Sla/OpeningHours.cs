namespace ClosedLoop.Cases.Domain.Sla;

/// <summary>
/// One opening interval on a weekday, in local time of the calendar's zone. <see cref="Close"/> is after
/// <see cref="Open"/> and may be 24:00 (end of day); a day may have several intervals that do not overlap.
/// </summary>
internal sealed record OpeningHours(DayOfWeek Day, TimeSpan Open, TimeSpan Close);
