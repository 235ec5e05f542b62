using System.Globalization;
using System.Reflection;

namespace ClosedLoop.Rules.Sentiment;

/// <summary>Word → valence (−4 … 4), loaded once from the embedded VADER lexicon and our feedback supplement.</summary>
internal static class Lexicon
{
    public static IReadOnlyDictionary<string, double> Load(bool withSupplement)
    {
        var words = new Dictionary<string, double>(StringComparer.Ordinal);
        Read("vader_lexicon.txt", words);
        if (withSupplement)
        {
            Read("feedback_lexicon.txt", words);
        }

        return words;
    }

    private static void Read(string file, Dictionary<string, double> words)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"ClosedLoop.Rules.Sentiment.{file}")
            ?? throw new InvalidOperationException($"The embedded lexicon {file} is missing.");
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var fields = line.Split('\t');
            if (fields.Length >= 2 && double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var valence))
            {
                words[fields[0]] = valence;
            }
        }
    }
}
