using System.Data.Common;
using ClosedLoop.Communication.Data;
using ClosedLoop.Communication.Delivery;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ClosedLoop.Communication.Tests.Delivery;

/// <summary>
/// The dispatcher against a real database, a real SMTP conversation and a real HTTP receiver: what is written goes
/// out, failures retry and dead-letter, a crash resends under the same id, replicas never double a send.
/// Each provider runs the same tests through a derived class.
/// </summary>
public abstract class DeliveryTests : IAsyncLifetime
{
    private readonly DeliveryDatabase _database;
    private readonly ITestOutputHelper _output;
    private readonly List<IAsyncDisposable> _cleanup = [];

    private protected DeliveryTests(DeliveryDatabase database, ITestOutputHelper output)
    {
        _database = database;
        _output = output;
    }

    public Task InitializeAsync() => _database.CreateAsync();

    public async Task DisposeAsync()
    {
        for (var i = _cleanup.Count - 1; i >= 0; i--)
        {
            await _cleanup[i].DisposeAsync();
        }

        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Messages_wait_while_the_smtp_server_is_down_and_all_go_out_once_it_is_up()
    {
        var smtp = Track(TestSmtpServer.Down());
        var host = await StartAsync(smtp.Port);
        var messages = Enumerable.Range(0, 20).Select(_ => TestMessages.Email()).ToArray();
        await host.AddAsync(messages);

        await Eventually.HoldsAsync(
            async () => (await host.MessagesAsync()).All(m => m.Status == MessageStatus.Retrying && m.Attempts >= 2),
            "every message has failed twice against the closed port");
        Assert.All(await host.MessagesAsync(), m => Assert.Contains("Cannot connect", m.LastError, StringComparison.Ordinal));

        smtp.Up();
        await Eventually.HoldsAsync(async () => (await host.MessagesAsync()).All(m => m.Status == MessageStatus.Sent), "every message is sent");

        var ids = smtp.Received.Select(r => r.MessageId).ToList();
        Assert.Equal(messages.Length, ids.Count);
        Assert.Equal(messages.Select(m => $"{m.ExternalId}@mail.example.test").Order(), ids.Order());
        Assert.Equal(messages.Length, await host.OutboxCountAsync(_database, "MessageDelivered"));
    }

    [Fact]
    public async Task A_rejecting_server_dead_letters_the_message_and_an_admin_retry_delivers_it()
    {
        var smtp = Track(TestSmtpServer.Start());
        smtp.Mode = SmtpMode.RejectPermanently;
        var host = await StartAsync(smtp.Port, new() { ["Communication:Delivery:MaxAttempts"] = "3" });
        var message = TestMessages.Email();
        await host.AddAsync(message);

        await Eventually.HoldsAsync(async () => (await host.MessageAsync(message.Id)).Status == MessageStatus.DeadLettered, "the message is dead-lettered");
        var dead = await host.MessageAsync(message.Id);
        Assert.Equal(3, dead.Attempts);
        Assert.StartsWith("SMTP 550", dead.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", dead.LastError, StringComparison.Ordinal);
        var attempts = await host.AttemptsAsync(message.Id);
        Assert.Equal([1, 2, 3], attempts.Select(a => a.Number));
        Assert.All(attempts, a => Assert.False(a.Succeeded));
        Assert.Equal(1, await host.OutboxCountAsync(_database, "MessageDeadLettered"));
        Assert.Empty(smtp.Received);

        smtp.Mode = SmtpMode.Accept;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var retried = await RetryMessageEndpoint.Retry(
                message.Id, scope.ServiceProvider.GetRequiredService<CommunicationDbContext>(), host.Get<DeliverySignal>(), TimeProvider.System, CancellationToken.None);
            Assert.IsType<Microsoft.AspNetCore.Http.HttpResults.Ok<MessageRetried>>(retried.Result);
        }

        await Eventually.HoldsAsync(async () => (await host.MessageAsync(message.Id)).Status == MessageStatus.Sent, "the retried message is sent");
        var sent = await host.MessageAsync(message.Id);
        Assert.Equal(4, sent.Attempts);
        Assert.Null(sent.LastError);
        Assert.Equal([false, false, false, true], (await host.AttemptsAsync(message.Id)).Select(a => a.Succeeded));
        var mail = Assert.Single(smtp.Received);
        Assert.Equal($"{message.ExternalId}@mail.example.test", mail.MessageId);
        Assert.Equal(1, await host.OutboxCountAsync(_database, "MessageDelivered"));
    }

    [Fact]
    public async Task A_crash_between_the_send_and_its_record_resends_once_under_the_same_message_id()
    {
        var smtp = Track(TestSmtpServer.Start());
        var crash = new FailFirstMarkSent();
        var host = await StartAsync(smtp.Port, new() { ["Communication:Delivery:Lease"] = "00:00:02" }, crash);
        var message = TestMessages.Email(externalId: "case-42.resolution@closedloop.example", unsubscribeUrl: "https://closedloop.example/u/abc");
        await host.AddAsync(message);

        await Eventually.HoldsAsync(async () => (await host.MessageAsync(message.Id)).Status == MessageStatus.Sent, "the message is sent after the lease lapsed");

        Assert.True(crash.Failed, "the first record of the send failed");
        var copies = smtp.Received.ToList();
        Assert.Equal(2, copies.Count);
        Assert.All(copies, c => Assert.Equal("case-42.resolution@closedloop.example", c.MessageId));
        Assert.Equal(copies[0].Message.Date, copies[1].Message.Date);
        var mail = copies[0].Message;
        Assert.Equal("<https://closedloop.example/u/abc>", mail.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", mail.Headers["List-Unsubscribe-Post"]);
        Assert.Equal("multipart/alternative", mail.Body!.ContentType.MimeType);
        Assert.Equal("Hello Ada", mail.TextBody!.Trim());
        Assert.Contains("<b>Ada</b>", mail.HtmlBody, StringComparison.Ordinal);
        Assert.Equal(message.RecipientAddress, mail.To.Mailboxes.Single().Address);
        Assert.Equal(1, (await host.MessageAsync(message.Id)).Attempts);
        Assert.Equal(1, await host.OutboxCountAsync(_database, "MessageDelivered"));
    }

    [Fact]
    public async Task A_webhook_answered_500_is_retried_and_every_attempt_carries_a_valid_signature()
    {
        var receiver = Track(await WebhookReceiver.StartAsync());
        receiver.StatusFor = n => n == 1 ? 500 : 200;
        var host = await StartAsync(smtpPort: null);
        var endpoint = TestMessages.Endpoint(receiver.Url);
        const string payload = """{"type":"case.escalated","data":{"caseId":"c-1","note":"Zoë – ünïcode"}}""";
        var message = TestMessages.Webhook(endpoint, payload);
        await host.AddAsync(endpoint, message);

        await Eventually.HoldsAsync(async () => (await host.MessageAsync(message.Id)).Status == MessageStatus.Sent, "the webhook is delivered");

        var requests = receiver.Received.ToList();
        Assert.Equal(2, requests.Count);
        foreach (var request in requests)
        {
            Assert.Equal(payload, request.Body);
            Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
            Assert.Equal(message.ExternalId, request.Header("webhook-id"));
            Assert.True(StandardWebhooksVerifier.Verify(
                endpoint.Secret, request.Header("webhook-id"), request.Header("webhook-timestamp"), request.Header("webhook-signature"), request.Body, DateTimeOffset.UtcNow));
            Assert.False(StandardWebhooksVerifier.Verify(
                endpoint.Secret, request.Header("webhook-id"), request.Header("webhook-timestamp"), request.Header("webhook-signature"), request.Body.Replace("c-1", "c-2", StringComparison.Ordinal), DateTimeOffset.UtcNow));
        }

        var attempts = await host.AttemptsAsync(message.Id);
        Assert.Equal([false, true], attempts.Select(a => a.Succeeded));
        Assert.Equal("HTTP 500 Internal Server Error", attempts[0].Error);
    }

    [Fact]
    public async Task A_webhook_endpoint_on_loopback_is_refused_at_send_unless_private_targets_are_allowed()
    {
        var receiver = Track(await WebhookReceiver.StartAsync());
        var host = await StartAsync(smtpPort: null, new() { ["Communication:Webhooks:AllowPrivateTargets"] = "false" });
        var endpoint = TestMessages.Endpoint(receiver.Url);
        var message = TestMessages.Webhook(endpoint, "{}");

        // A name that resolves to loopback is caught where the connection is made, whatever it resolved to at save.
        var byName = TestMessages.Endpoint(receiver.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal));
        var viaName = TestMessages.Webhook(byName, "{}");
        await host.AddAsync(endpoint, message, byName, viaName);

        await Eventually.HoldsAsync(
            async () => (await host.MessageAsync(message.Id)).Attempts >= 2 && (await host.MessageAsync(viaName.Id)).Attempts >= 2,
            "two attempts of each were refused");

        var refused = await host.MessageAsync(message.Id);
        Assert.Equal(MessageStatus.Retrying, refused.Status);
        Assert.StartsWith("Refused: webhook target '127.0.0.1'", refused.LastError, StringComparison.Ordinal);
        Assert.StartsWith("Refused: webhook target 'localhost'", (await host.MessageAsync(viaName.Id)).LastError, StringComparison.Ordinal);
        Assert.Empty(receiver.Received);
    }

    [Fact]
    public async Task A_message_written_through_the_module_context_wakes_the_dispatcher_without_waiting_for_a_poll()
    {
        var smtp = Track(TestSmtpServer.Start());
        var host = await StartAsync(smtp.Port, new() { ["Communication:Delivery:PollInterval"] = "01:00:00" });
        var first = TestMessages.Email();
        await host.AddAsync(first);
        await Eventually.HoldsAsync(async () => (await host.MessageAsync(first.Id)).Status == MessageStatus.Sent, "the first message is sent");

        // The worker now waits for a signal or an hour: only the commit's signal can send this one in time.
        var second = TestMessages.Email();
        await host.AddAsync(second);

        await Eventually.HoldsAsync(async () => (await host.MessageAsync(second.Id)).Status == MessageStatus.Sent, "the second message is sent at once");
    }

    [Fact]
    public async Task Messages_to_a_disabled_or_deleted_endpoint_are_suppressed_not_sent()
    {
        var receiver = Track(await WebhookReceiver.StartAsync());
        var host = await StartAsync(smtpPort: null);
        var disabled = TestMessages.Endpoint(receiver.Url);
        disabled.Enabled = false;
        var toDisabled = TestMessages.Webhook(disabled, "{}");
        var toDeleted = TestMessages.Webhook(TestMessages.Endpoint(receiver.Url), "{}");
        await host.AddAsync(disabled, toDisabled, toDeleted);

        await Eventually.HoldsAsync(
            async () => (await host.MessagesAsync()).All(m => m.Status == MessageStatus.Suppressed),
            "both messages are suppressed");

        Assert.Equal("webhook-endpoint-disabled", (await host.MessageAsync(toDisabled.Id)).SuppressionReason);
        Assert.Equal("webhook-endpoint-deleted", (await host.MessageAsync(toDeleted.Id)).SuppressionReason);
        Assert.Empty(receiver.Received);
    }

    [Fact]
    public async Task Without_an_smtp_host_emails_stay_pending_while_webhooks_go()
    {
        var receiver = Track(await WebhookReceiver.StartAsync());
        var host = await StartAsync(smtpPort: null);
        var email = TestMessages.Email();
        var endpoint = TestMessages.Endpoint(receiver.Url);
        var webhook = TestMessages.Webhook(endpoint, "{}");
        await host.AddAsync(email, endpoint, webhook);

        await Eventually.HoldsAsync(async () => (await host.MessageAsync(webhook.Id)).Status == MessageStatus.Sent, "the webhook is delivered");
        await host.Get<MessageDispatcher>().DeliverDueAsync();

        var waiting = await host.MessageAsync(email.Id);
        Assert.Equal(MessageStatus.Pending, waiting.Status);
        Assert.Equal(0, waiting.Attempts);
        Assert.Null(waiting.LockToken);
    }

    [Fact]
    public async Task Two_dispatchers_on_one_database_send_every_message_exactly_once()
    {
        const int count = 300;
        var smtp = Track(TestSmtpServer.Start());
        var settings = new Dictionary<string, string?> { ["Communication:Delivery:BatchSize"] = "20", ["Communication:Delivery:Concurrency"] = "4" };
        var first = await StartAsync(smtp.Port, settings, run: false);
        var second = await StartAsync(smtp.Port, settings, run: false);
        var messages = Enumerable.Range(0, count).Select(_ => TestMessages.Email()).ToArray();
        await first.AddAsync(messages);

        // Both loop as fast as they can, claiming concurrently.
        async Task<int> DrainAsync(DeliveryHost host)
        {
            var claimed = 0;
            var dispatcher = host.Get<MessageDispatcher>();
            while (await dispatcher.DeliverDueAsync() is var n and > 0)
            {
                claimed += n;
            }

            return claimed;
        }

        var claims = await Task.WhenAll(Task.Run(() => DrainAsync(first)), Task.Run(() => DrainAsync(second)));
        await Eventually.HoldsAsync(async () => (await first.MessagesAsync()).All(m => m.Status == MessageStatus.Sent), "every message is sent");

        _output.WriteLine($"claimed: {claims[0]} + {claims[1]}");
        Assert.Equal(count, claims.Sum());
        var received = smtp.Received.Select(r => r.MessageId).ToList();
        Assert.Equal(count, received.Count);
        Assert.Equal(count, received.Distinct().Count());
        Assert.All(await first.MessagesAsync(), m => Assert.Equal(1, m.Attempts));
    }

    private async Task<DeliveryHost> StartAsync(int? smtpPort, Dictionary<string, string?>? settings = null, IInterceptor? interceptor = null, bool run = true)
    {
        var host = await DeliveryHost.StartAsync(_database, _output, smtpPort, settings, interceptor, run);
        _cleanup.Add(host);
        return host;
    }

    private T Track<T>(T resource)
        where T : IAsyncDisposable
    {
        _cleanup.Add(resource);
        return resource;
    }

    /// <summary>The process "crashes" once after the server accepted a message: the statement that marks it sent fails.</summary>
    private sealed class FailFirstMarkSent : DbCommandInterceptor
    {
        private int _failed;

        public bool Failed => Volatile.Read(ref _failed) == 1;

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("\"SentAt\" =", StringComparison.Ordinal) && Interlocked.CompareExchange(ref _failed, 1, 0) == 0)
            {
                throw new InvalidOperationException("Simulated crash after the SMTP server accepted the message.");
            }

            return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}

public sealed class SqliteDeliveryTests(ITestOutputHelper output) : DeliveryTests(new SqliteDeliveryDatabase(), output);

public sealed class PostgresDeliveryTests(ITestOutputHelper output) : DeliveryTests(new PostgresDeliveryDatabase(), output);
