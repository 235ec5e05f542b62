using ClosedLoop.Feedback.Contracts;

namespace ClosedLoop.Feedback.Domain;

internal static class Nps
{
    public static NpsCategory Classify(int? score) => score switch
    {
        null => NpsCategory.None,
        >= 9 => NpsCategory.Promoter,
        >= 7 => NpsCategory.Passive,
        _ => NpsCategory.Detractor,
    };

    /// <summary>The category as rules and the API name it: <c>promoter</c>, <c>passive</c>, <c>detractor</c>, <c>none</c>.</summary>
    public static string CategoryName(int? score) => Name(Classify(score));

    public static string Name(NpsCategory category) => category switch
    {
        NpsCategory.Promoter => "promoter",
        NpsCategory.Passive => "passive",
        NpsCategory.Detractor => "detractor",
        _ => "none",
    };
}
