namespace ClosedLoop.Rules.Sentiment;

/// <summary>VADER's word lists: negations, boosters and dampeners, and idioms with their own valence.</summary>
internal static class VaderWords
{
    public static readonly char[] Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".ToCharArray();

    private static readonly HashSet<string> Negations = new(StringComparer.Ordinal)
    {
        "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt", "ain't", "aren't", "can't",
        "couldn't", "daren't", "didn't", "doesn't", "dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt",
        "neither", "don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't", "neednt", "needn't",
        "never", "none", "nope", "nor", "not", "nothing", "nowhere", "oughtnt", "shant", "shouldnt", "uhuh",
        "wasnt", "werent", "oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't", "without", "wont",
        "wouldnt", "won't", "wouldn't", "rarely", "seldom", "despite",
    };

    /// <summary>+1 boosts the next word's intensity, −1 dampens it (the size is VADER's ±0.293).</summary>
    public static readonly IReadOnlyDictionary<string, double> Boosters = Build(
        ["absolutely", "amazingly", "awfully", "completely", "considerable", "considerably", "decidedly", "deeply",
         "effing", "enormous", "enormously", "entirely", "especially", "exceptional", "exceptionally", "extreme",
         "extremely", "fabulously", "flipping", "flippin", "frackin", "fracking", "fricking", "frickin", "frigging",
         "friggin", "fully", "fuckin", "fucking", "fuggin", "fugging", "greatly", "hella", "highly", "hugely",
         "incredible", "incredibly", "intensely", "major", "majorly", "more", "most", "particularly", "purely",
         "quite", "really", "remarkably", "so", "substantially", "thoroughly", "total", "totally", "tremendous",
         "tremendously", "uber", "unbelievably", "unusually", "utter", "utterly", "very"],
        ["almost", "barely", "hardly", "just enough", "kind of", "kinda", "kindof", "kind-of", "less", "little",
         "marginal", "marginally", "occasional", "occasionally", "partly", "scarce", "scarcely", "slight", "slightly",
         "somewhat", "sort of", "sorta", "sortof", "sort-of"]);

    public static readonly IReadOnlyDictionary<string, double> Idioms = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["the shit"] = 3, ["the bomb"] = 3, ["bad ass"] = 1.5, ["badass"] = 1.5, ["bus stop"] = 0,
        ["yeah right"] = -2, ["kiss of death"] = -1.5, ["to die for"] = 3, ["beating heart"] = 3.1, ["broken heart"] = -2.9,
    };

    /// <summary>A negation word, or any contraction with n't.</summary>
    public static bool IsNegation(string lower) => Negations.Contains(lower) || lower.Contains("n't", StringComparison.Ordinal);

    private static Dictionary<string, double> Build(string[] up, string[] down)
    {
        var words = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var word in up)
        {
            words[word] = 0.293;
        }

        foreach (var word in down)
        {
            words[word] = -0.293;
        }

        return words;
    }
}
