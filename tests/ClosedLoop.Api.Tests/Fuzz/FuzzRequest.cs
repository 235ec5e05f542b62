using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Net.Http.Headers;

namespace ClosedLoop.Api.Tests.Fuzz;

/// <summary>One generated request, kept as sent so a failure can be reported as a reproduction.</summary>
internal sealed record FuzzRequest(
    FuzzOperation Operation,
    string Role,
    string Mutation,
    string Target,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    byte[]? Body,
    string? ContentType,
    string? OtherMethod = null)
{
    /// <summary>The operation's method, or another one sent to its path to see how the host refuses it.</summary>
    public string Method => OtherMethod ?? Operation.Method;

    /// <summary>
    /// Sends it straight into the test server with the path and query exactly as generated (an HttpClient would
    /// canonicalize invalid escapes away): the path decoded as the server decodes it, the query raw.
    /// </summary>
    public async Task<(int Status, string? MediaType, string Body)> SendAsync(TestServer server, CancellationToken cancellationToken)
    {
        var query = Target.IndexOf('?', StringComparison.Ordinal);
        var context = await server.SendAsync(
            c =>
            {
                var request = c.Request;
                request.Method = Method;
                request.Scheme = "http";
                request.Host = new HostString("localhost");
                request.Path = PathString.FromUriComponent(query < 0 ? Target : Target[..query]);
                request.QueryString = query < 0 ? QueryString.Empty : new QueryString(Target[query..]);
                foreach (var (name, value) in Headers)
                {
                    request.Headers.Append(name, value);
                }

                if (Body is not null)
                {
                    request.Body = new MemoryStream(Body);
                    request.ContentLength = Body.Length;
                    request.ContentType = ContentType;
                    c.Features.Set<IHttpRequestBodyDetectionFeature>(new BodyDetection(Body.Length > 0));
                }
            },
            cancellationToken);
        using var reader = new StreamReader(context.Response.Body);
        return (context.Response.StatusCode, MediaTypeHeaderValue.TryParse(context.Response.ContentType, out var type) ? type.MediaType.Value : null, await reader.ReadToEndAsync(cancellationToken));
    }

    /// <summary>As Kestrel says it: a body unless Content-Length is 0 (the test server says none unless told).</summary>
    private sealed record BodyDetection(bool CanHaveBody) : IHttpRequestBodyDetectionFeature;

    /// <summary>The request line, the headers that matter and the body, shortened: enough to replay it with curl.</summary>
    public string Reproduction(int bodyLimit = 300)
    {
        var text = new StringBuilder();
        text.Append(Method).Append(' ').Append(Shorten(Target, 300));
        foreach (var (name, value) in Headers)
        {
            text.Append(" | ").Append(name).Append(": ").Append(Shorten(value, 80));
        }

        if (Body is not null)
        {
            text.Append(" | Content-Type: ").Append(ContentType ?? "(none)");
            text.Append(" | body (").Append(Body.Length).Append(" bytes): ").Append(Shorten(Printable(Body), bodyLimit));
        }

        return text.ToString();
    }

    private static string Printable(byte[] body)
    {
        var text = new UTF8Encoding(false, false).GetString(body);
        var result = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            result.Append(c is < ' ' or '\u007f' or '\ufffd' ? $"<{(int)c:x2}>" : c.ToString());
        }

        return result.ToString();
    }

    public static string Shorten(string text, int limit) =>
        text.Length <= limit ? text : string.Concat(text.AsSpan(0, limit), $"…(+{text.Length - limit})");
}
