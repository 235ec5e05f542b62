using ClosedLoop.Communication.Delivery;
using MailKit.Security;

namespace ClosedLoop.Communication.Tests.Delivery;

/// <summary>Signing, backoff, Message-IDs and the SMTP settings, without I/O.</summary>
public sealed class DeliveryUnitTests
{
    [Fact]
    public void The_signature_matches_the_standard_webhooks_test_vector()
    {
        // From the Standard Webhooks reference libraries' tests.
        const string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        var signature = WebhookSignature.Sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, """{"test": 2432232314}""");

        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    [Fact]
    public void Generated_secrets_are_whsec_with_32_random_bytes()
    {
        var a = WebhookSignature.NewSecret();
        var b = WebhookSignature.NewSecret();

        Assert.StartsWith("whsec_", a, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(a["whsec_".Length..]).Length);
        Assert.NotEqual(a, b);
        Assert.True(WebhookSignature.IsValidSecret(a));
        Assert.False(WebhookSignature.IsValidSecret("whsec_c2hvcnQ="));
        Assert.False(WebhookSignature.IsValidSecret("secret"));
    }

    [Fact]
    public void Backoff_grows_exponentially_within_its_cap_and_a_round_ends_at_max_attempts()
    {
        var options = new DeliveryOptions { BaseDelay = TimeSpan.FromSeconds(30), MaxDelay = TimeSpan.FromHours(1), MaxAttempts = 8 };
        var random = new Random(7);
        for (var attempt = 1; attempt <= 20; attempt++)
        {
            var ceiling = Math.Min(3600, 30 * Math.Pow(2, ((attempt - 1) % 8)));
            for (var i = 0; i < 50; i++)
            {
                var delay = Backoff.Delay(attempt, options, random);
                Assert.InRange(delay.TotalSeconds, 0, ceiling);
            }
        }

        Assert.Equal([8, 16], Enumerable.Range(1, 20).Where(n => Backoff.GivesUp(n, 8)));
    }

    [Theory]
    [InlineData("0193a0c2b1e47c8a", "0193a0c2b1e47c8a@mail.example")]
    [InlineData("case-1.resolution@closedloop.example", "case-1.resolution@closedloop.example")]
    [InlineData("<abc@host.example>", "abc@host.example")]
    public void A_message_id_comes_from_the_external_id_alone(string externalId, string expected) =>
        Assert.Equal(expected, MessageIds.For(externalId, "mail.example"));

    [Theory]
    [InlineData("false", SecureSocketOptions.None)]
    [InlineData("None", SecureSocketOptions.None)]
    [InlineData("true", SecureSocketOptions.StartTls)]
    [InlineData("StartTls", SecureSocketOptions.StartTls)]
    [InlineData("SslOnConnect", SecureSocketOptions.SslOnConnect)]
    [InlineData("auto", SecureSocketOptions.Auto)]
    public void Smtp_use_tls_reads_the_apphost_booleans_and_the_names(string value, SecureSocketOptions expected)
    {
        var options = new SmtpOptions { Host = "127.0.0.1", UseTls = value };

        Assert.Null(options.Problem());
        Assert.Equal(expected, options.Security);
    }

    [Fact]
    public void Invalid_settings_are_named()
    {
        Assert.NotNull(new SmtpOptions { UseTls = "maybe" }.Problem());
        Assert.NotNull(new SmtpOptions { Port = 0 }.Problem());
        Assert.NotNull(new DeliveryOptions { Concurrency = 0 }.Problem());
        Assert.NotNull(new DeliveryOptions { BaseDelay = TimeSpan.FromHours(2) }.Problem());
        Assert.Null(new DeliveryOptions().Problem());
        Assert.Equal("example.test", new SmtpOptions { FromAddress = "noreply@example.test" }.IdDomain);
    }
}
