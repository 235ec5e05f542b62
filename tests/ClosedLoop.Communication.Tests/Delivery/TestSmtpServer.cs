using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MimeKit;

namespace ClosedLoop.Communication.Tests.Delivery;

/// <summary>How the test SMTP server answers a MAIL command.</summary>
public enum SmtpMode
{
    Accept,
    RejectPermanently,
    RejectTemporarily,
}

/// <summary>
/// Just enough SMTP for MailKit (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT, with PIPELINING), on 127.0.0.1: keeps
/// every accepted message's raw text, can refuse with 550 or 451, and can be down (not listening) and come back up on
/// the same port.
/// </summary>
public sealed class TestSmtpServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedMail> _received = new();
    private readonly ConcurrentDictionary<TcpClient, byte> _connections = new();
    private TcpListener? _listener;
    private CancellationTokenSource _stop = new();
    private Task _accepting = Task.CompletedTask;

    private TestSmtpServer(int port) => Port = port;

    public int Port { get; }

    public SmtpMode Mode { get; set; } = SmtpMode.Accept;

    public IReadOnlyCollection<ReceivedMail> Received => _received.ToArray();

    private int _sessions;

    /// <summary>SMTP sessions opened so far (pooling keeps this far below the number of messages).</summary>
    public int Sessions => Volatile.Read(ref _sessions);

    /// <summary>A server on a free port, listening.</summary>
    public static TestSmtpServer Start()
    {
        var server = new TestSmtpServer(FreePort());
        server.Up();
        return server;
    }

    /// <summary>A server that owns a free port but does not listen yet (<see cref="Up"/> starts it).</summary>
    public static TestSmtpServer Down() => new(FreePort());

    public void Up()
    {
        _stop = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Start();
        _accepting = AcceptAsync(_listener, _stop.Token);
    }

    public async Task DownAsync()
    {
        await _stop.CancelAsync();
        _listener?.Stop();
        foreach (var connection in _connections.Keys)
        {
            connection.Dispose();
        }

        await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    public ValueTask DisposeAsync() => new(DownAsync());

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            // Replies are small writes answered by the client's next command: without this, Nagle and delayed ACKs
            // hold each one back ~40 ms and the server, not the dispatcher, sets the pace.
            client.NoDelay = true;
            _connections[client] = 0;
            _ = Task.Run(() => ServeAsync(client, cancellationToken), CancellationToken.None);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _sessions);
        try
        {
            await using var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.UTF8);
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = false };
            await Reply(writer, "220 test.local ESMTP ready");
            while (!cancellationToken.IsCancellationRequested && await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                var verb = (line.Length >= 4 ? line[..4] : line).ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await Reply(writer, "250-test.local\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 52428800");
                        break;
                    case "HELO":
                        await Reply(writer, "250 test.local");
                        break;
                    case "MAIL":
                        await Reply(writer, Mode switch
                        {
                            SmtpMode.RejectPermanently => "550 5.7.1 Rejected by test server",
                            SmtpMode.RejectTemporarily => "451 4.3.0 Try again later",
                            _ => "250 2.1.0 OK",
                        });
                        break;
                    case "RCPT":
                        await Reply(writer, "250 2.1.5 OK");
                        break;
                    case "DATA":
                        await Reply(writer, "354 End data with <CR><LF>.<CR><LF>");
                        var raw = await ReadDataAsync(reader, cancellationToken);
                        _received.Enqueue(ReceivedMail.Parse(raw));
                        await Reply(writer, "250 2.0.0 Queued");
                        break;
                    case "RSET":
                    case "NOOP":
                        await Reply(writer, "250 2.0.0 OK");
                        break;
                    case "QUIT":
                        await Reply(writer, "221 2.0.0 Bye");
                        return;
                    default:
                        await Reply(writer, "502 5.5.2 Command not recognized");
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
            // The client or the test closed the connection.
        }
        finally
        {
            _connections.TryRemove(client, out _);
            client.Dispose();
        }
    }

    private static async Task<string> ReadDataAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line && line != ".")
        {
            data.Append(line.StartsWith('.') ? line[1..] : line).Append("\r\n");
        }

        return data.ToString();
    }

    private static async Task Reply(StreamWriter writer, string text)
    {
        await writer.WriteLineAsync(text);
        await writer.FlushAsync();
    }
}

/// <summary>One message the test server accepted: its raw text and the headers the tests look at.</summary>
public sealed record ReceivedMail(string Raw, MimeMessage Message)
{
    public string? MessageId => Message.MessageId;

    public static ReceivedMail Parse(string raw)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(raw));
        return new ReceivedMail(raw, MimeMessage.Load(stream));
    }
}
