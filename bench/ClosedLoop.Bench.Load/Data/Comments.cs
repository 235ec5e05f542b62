namespace ClosedLoop.Bench.Load.Data;

/// <summary>What customers write: short and long, happy and angry, in several scripts, with the characters that break naive CSV.</summary>
internal static class Comments
{
    private static readonly string[] Detractor =
    [
        "Delivery was two weeks late.",
        "The app crashes every time I open the billing page. Please fix this, it's been a month!",
        "Support never called back. I opened three tickets (#4411, #4420, #4502) and nobody answered.",
        "Lieferung kam beschädigt an, und der Kundenservice war nicht erreichbar.",
        "Le produit est arrivé en retard et incomplet. Très déçu.",
        "配送が遅すぎます。二週間も待ちました。",
        "Charged twice for the same order 😡 refund still pending",
        "The new pricing is confusing: \"Pro\" costs more than \"Business\", and the invoice says \"Enterprise\"?",
        "Too slow, too expensive, and the export to CSV drops rows with commas, quotes or line breaks.",
        "Cancelled my subscription.\nReason: nobody fixed the sync bug I reported in March.\nGoodbye.",
    ];

    private static readonly string[] Passive =
    [
        "It's fine. Does what it says.",
        "Good product, but the onboarding took longer than expected.",
        "Decent, although search could be faster & the filters reset when I go back.",
        "Bom produto, mas o suporte demora para responder.",
        "Works well on desktop; the mobile app needs some love 📱",
        "Price is OK for what you get. Would like a yearly plan.",
        "Mostly happy. The <b>dashboard</b> is nice but exports are slow.",
    ];

    private static readonly string[] Promoter =
    [
        "Great service!",
        "Love it 😍 fast delivery and friendly people.",
        "Best tool we've used for this, the team adopted it in a week.",
        "Excelente atención, resolvieron mi problema en minutos.",
        "Super Produkt, schnelle Lieferung, gerne wieder!",
        "Support was amazing — Priya walked me through the whole migration, step by step, and followed up the next day to check everything still worked. That's rare these days.",
        "とても使いやすいです。ありがとうございます！",
        "10/10 would recommend to colleagues, friends, and my mother-in-law.",
    ];

    public static string Pick(Random random, int? score)
    {
        var pool = score switch
        {
            null => random.Next(3) switch { 0 => Detractor, 1 => Passive, _ => Promoter },
            <= 6 => Detractor,
            <= 8 => Passive,
            _ => Promoter,
        };
        var text = pool[random.Next(pool.Length)];
        // One in five writes more: a second sentence from the same mood makes lengths vary.
        return random.Next(5) == 0 ? $"{text} {pool[random.Next(pool.Length)]}" : text;
    }
}
