using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ClosedLoop.AppHost.Tests;

/// <summary>
/// Just enough of the PostgreSQL wire protocol to prove a server lets <c>postgres</c> in without a
/// password, so these tests need no database driver.
/// </summary>
internal static class PostgresWire
{
    private const int ProtocolVersion3 = 196608;

    /// <summary>Logs in and returns once the server says ReadyForQuery; throws with the server's error otherwise.</summary>
    public static async Task LogInAsync(int port, string user, string database)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        await using var stream = client.GetStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));

        var parameters = Encoding.UTF8.GetBytes($"user\0{user}\0database\0{database}\0\0");
        var startup = new byte[8 + parameters.Length];
        BinaryPrimitives.WriteInt32BigEndian(startup, startup.Length);
        BinaryPrimitives.WriteInt32BigEndian(startup.AsSpan(4), ProtocolVersion3);
        parameters.CopyTo(startup, 8);
        await stream.WriteAsync(startup, timeout.Token);

        var header = new byte[5];
        while (true)
        {
            await stream.ReadExactlyAsync(header, timeout.Token);
            var body = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1)) - 4];
            await stream.ReadExactlyAsync(body, timeout.Token);
            switch ((char)header[0])
            {
                case 'R' when BinaryPrimitives.ReadInt32BigEndian(body) != 0:
                    throw new InvalidOperationException($"The server asked for authentication method {BinaryPrimitives.ReadInt32BigEndian(body)} instead of trusting {user}.");
                case 'E':
                    throw new InvalidOperationException($"The server refused: {Encoding.UTF8.GetString(body).Replace('\0', ' ')}");
                case 'Z':
                    await stream.WriteAsync(new byte[] { (byte)'X', 0, 0, 0, 4 }, timeout.Token);
                    return;
            }
        }
    }
}
