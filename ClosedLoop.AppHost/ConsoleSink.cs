namespace ClosedLoop.AppHost;

/// <summary>
/// One place writes to the console so lines of concurrent resources never interleave mid-line,
/// each prefixed with the resource it came from, the way Aspire's dashboard labels console logs.
/// </summary>
internal sealed class ConsoleSink
{
    public const string Self = "apphost";

    // Bright colours that read on dark and light terminals; red is left for errors.
    private static readonly string[] Palette = ["\e[36m", "\e[35m", "\e[34m", "\e[32m", "\e[33m", "\e[96m", "\e[95m", "\e[94m"];
    private const string Reset = "\e[0m";
    private const string Red = "\e[31m";

    private readonly Lock _gate = new();
    private readonly bool _colourOut = UseColour(Console.IsOutputRedirected);
    private readonly bool _colourError = UseColour(Console.IsErrorRedirected);
    private readonly Dictionary<string, string> _colours = [];

    public void Info(string message) => Line(Self, message);

    public void Error(string message) => Line(Self, message, error: true);

    public void Line(string source, string text, bool error = false)
    {
        var colour = error ? _colourError : _colourOut;
        lock (_gate)
        {
            var prefix = colour ? $"{ColourOf(source)}[{source}]{Reset} " : $"[{source}] ";
            var body = colour && error && source == Self ? $"{Red}{text}{Reset}" : text;
            (error ? Console.Error : Console.Out).WriteLine(prefix + body);
        }
    }

    private static bool UseColour(bool redirected) =>
        !redirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;

    // Colours go to names in order of appearance (under _gate), so the first few resources never share one.
    private string ColourOf(string source)
    {
        if (!_colours.TryGetValue(source, out var colour))
        {
            colour = Palette[_colours.Count % Palette.Length];
            _colours.Add(source, colour);
        }
        return colour;
    }
}
