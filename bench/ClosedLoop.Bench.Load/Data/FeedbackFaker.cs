namespace ClosedLoop.Bench.Load.Data;

/// <summary>
/// Realistic, reproducible feedback: an NPS-shaped score distribution, comment-only and score-only
/// items, comments from a few words to a paragraph (emoji, other scripts, quotes, commas, line breaks),
/// customers drawn from a pool so most of them answer more than once with the same attributes.
/// Not thread-safe: one per worker.
/// </summary>
internal sealed class FeedbackFaker(int seed, int customerPool, DateTimeOffset now, int firstCustomer = 0)
{
    private static readonly int[] ScoreWeights = [3, 2, 2, 3, 3, 5, 7, 10, 15, 20, 30];
    private static readonly string[] ChannelsByWeight =
        ["email", "email", "email", "email", "email", "email", "web", "web", "web", "web", "web", "in-app", "in-app", "in-app",
         "survey", "survey", "sms", "chat", "support", "social", "phone", "review", "kiosk", "other"];

    private static readonly string[] FirstNames = ["Ada", "Grace", "Linus", "Margaret", "Alan", "Barbara", "Dennis", "Frances", "Ken", "Radia", "José", "Zoë", "Søren", "Chiara", "Yuki", "Amara", "Nikolai", "Priya"];
    private static readonly string[] LastNames = ["Lovelace", "Hopper", "Torvalds", "Hamilton", "Turing", "Liskov", "Ritchie", "Allen", "Thompson", "Perlman", "García", "O'Brien", "Kierkegaard", "Rossi", "Tanaka", "Okafor", "Ivanov", "Sharma", "Müller"];
    private static readonly string[] Regions = ["EMEA", "AMER", "APAC", "LATAM"];
    private static readonly string[] Segments = ["smb", "smb", "midmarket", "enterprise"];
    private static readonly string[] Languages = ["en", "en", "en", "de", "fr", "es", "pt-BR", "ja"];
    private static readonly string[] Products = ["shop", "app", "delivery", "billing", "support-portal"];

    private readonly Random _random = new(seed);
    private readonly DateTimeOffset _now = new(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    public FeedbackRecord Next(string source, string externalId)
    {
        var shape = _random.NextDouble();
        int? score = shape < 0.12 ? null : Weighted(ScoreWeights);
        var comment = shape is >= 0.12 and < 0.37 ? null : Comments.Pick(_random, score);
        return new FeedbackRecord(
            source,
            externalId,
            ChannelsByWeight[_random.Next(ChannelsByWeight.Length)],
            _now.AddSeconds(-_random.Next(1, 90 * 24 * 3600)),
            score,
            comment,
            Customer(firstCustomer + _random.Next(customerPool)),
            Products[_random.Next(Products.Length)],
            $"A-{_random.Next(100_000, 1_000_000)}");
    }

    public static CustomerRecord Customer(int number)
    {
        var first = FirstNames[number % FirstNames.Length];
        var last = LastNames[number / FirstNames.Length % LastNames.Length];
        return new CustomerRecord(
            $"c-{number}",
            $"customer{number}@example.com",
            $"{first} {last}",
            Regions[number * 7 % Regions.Length],
            Segments[number * 13 % Segments.Length],
            Languages[number * 5 % Languages.Length],
            (number * 7919L % 500_000) + 1_000 + (number % 100 / 100m));
    }

    private int Weighted(int[] weights)
    {
        var roll = _random.Next(weights.Sum());
        for (var i = 0; i < weights.Length; i++)
        {
            roll -= weights[i];
            if (roll < 0)
            {
                return i;
            }
        }

        return weights.Length - 1;
    }
}
