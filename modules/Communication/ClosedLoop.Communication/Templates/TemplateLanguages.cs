namespace ClosedLoop.Communication.Templates;

/// <summary>Picks the language a customer reads a template in: theirs, else its primary subtag, else English.</summary>
internal static class TemplateLanguages
{
    public const string Fallback = "en";

    public static string Choose(IReadOnlyCollection<string> available, string? preferred)
    {
        ArgumentNullException.ThrowIfNull(available);
        if (!string.IsNullOrWhiteSpace(preferred))
        {
            var wanted = preferred.Trim().Replace('_', '-');
            var exact = available.FirstOrDefault(l => string.Equals(l, wanted, StringComparison.OrdinalIgnoreCase));
            if (exact is not null)
            {
                return exact;
            }

            var primary = wanted.Split('-')[0];
            var family = available.FirstOrDefault(l => string.Equals(l, primary, StringComparison.OrdinalIgnoreCase));
            if (family is not null)
            {
                return family;
            }
        }

        return available.FirstOrDefault(l => string.Equals(l, Fallback, StringComparison.OrdinalIgnoreCase))
            ?? available.OrderBy(l => l, StringComparer.Ordinal).First();
    }
}
