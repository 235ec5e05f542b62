namespace ClosedLoop.Cases.Domain.Sla;

/// <summary>Reads wall-clock times of one zone as real (UTC) instants and back.</summary>
internal sealed class ZoneClock(TimeZoneInfo zone)
{
    public DateOnly LocalDate(DateTime utc) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(utc, zone));

    /// <summary>
    /// The first instant at which the wall clock shows <paramref name="local"/> or later: a time skipped by
    /// spring-forward becomes the instant the clocks jump, a time repeated by fall-back its first occurrence.
    /// Defined this way the mapping never goes backwards, so local intervals that do not overlap never
    /// overlap in real time either, and a day's last interval meets the next day's first.
    /// </summary>
    public DateTime ToUtc(DateTime local)
    {
        if (!zone.IsInvalidTime(local))
        {
            var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
            var utc = DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
            // The local-time queries misread transitions that change a zone's base offset (Samoa skipped
            // 2011-12-30, yet 09:00 that day passes as valid); the UTC side reads the transitions directly.
            if (utc + zone.GetUtcOffset(utc) == local)
            {
                return utc;
            }
        }

        return InstantClocksJumpedOver(local);
    }

    /// <summary>
    /// TimeZoneInfo can tell that a time was skipped but not when the skip happened; the instant lies between the
    /// local time read with the offset after the gap and with the offset before it, so a binary search over
    /// that window (an hour, at most a day when a zone skipped a whole date) finds it to the tick.
    /// </summary>
    private DateTime InstantClocksJumpedOver(DateTime local)
    {
        var offsetBefore = zone.GetUtcOffset(ShiftWithinRange(local, days: -2));
        var offsetAfter = zone.GetUtcOffset(ShiftWithinRange(local, days: 2));
        long low = (local - offsetAfter).Ticks;
        long high = (local - offsetBefore).Ticks;
        if (low >= high || ShowsAtLeast(low, local) || !ShowsAtLeast(high, local))
        {
            // Two transitions within two days; no zone has had one. Shift forward by the gap instead.
            return DateTime.SpecifyKind(local - offsetBefore, DateTimeKind.Utc);
        }

        while (high - low > 1)
        {
            var middle = low + ((high - low) / 2);
            if (ShowsAtLeast(middle, local))
            {
                high = middle;
            }
            else
            {
                low = middle;
            }
        }

        return new DateTime(high, DateTimeKind.Utc);
    }

    private bool ShowsAtLeast(long utcTicks, DateTime local)
    {
        var utc = new DateTime(utcTicks, DateTimeKind.Utc);
        return utc + zone.GetUtcOffset(utc) >= local;
    }

    private static DateTime ShiftWithinRange(DateTime local, int days) =>
        new(Math.Clamp(local.Ticks + TimeSpan.FromDays(days).Ticks, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Unspecified);
}
