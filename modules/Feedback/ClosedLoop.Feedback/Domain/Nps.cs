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
}
