using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;

namespace ClosedLoop.Communication.Delivery;

/// <summary>Turns what a send threw into the one line an admin reads in <c>LastError</c>.</summary>
internal static class DeliveryErrors
{
    private const int MaxLength = 500;

    public static string Describe(Exception error)
    {
        var text = error switch
        {
            DeliveryFailedException failed => failed.Message,
            SmtpCommandException smtp => $"SMTP {(int)smtp.StatusCode} on {smtp.ErrorCode}: {smtp.Message}",
            SmtpProtocolException protocol => $"SMTP protocol error: {protocol.Message}",
            ServiceNotConnectedException => "SMTP connection lost",
            SocketException socket => $"Cannot connect: {socket.SocketErrorCode} ({socket.Message})",
            HttpRequestException { InnerException: WebhookTargetRefusedException refused } => refused.Message,
            HttpRequestException http when http.InnerException is SocketException socket => $"Cannot connect: {socket.SocketErrorCode} ({socket.Message})",
            HttpRequestException http => $"HTTP request failed: {http.Message}",
            IOException { InnerException: SocketException socket } => $"Connection failed: {socket.SocketErrorCode} ({socket.Message})",
            _ => $"{error.GetType().Name}: {error.Message}",
        };
        text = text.ReplaceLineEndings(" ").Trim();
        return text.Length <= MaxLength ? text : text[..MaxLength];
    }
}
