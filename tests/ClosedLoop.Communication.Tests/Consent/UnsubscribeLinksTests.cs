using System.Security.Cryptography;
using ClosedLoop.Communication.Features.Consent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Communication.Tests.Consent;

/// <summary>Unsubscribe links: compact and URL-safe, good until they expire, and worthless once changed or signed with another key.</summary>
public sealed class UnsubscribeLinksTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid Customer = Guid.Parse("0192f0c4-5a7b-7c3d-8e9f-0a1b2c3d4e5f");

    private readonly UnsubscribeLinks _links = Links(NewKey());

    [Fact]
    public void A_link_reads_back_as_its_customer_until_it_expires()
    {
        var url = _links.CreateUrl(Customer, Now);

        Assert.StartsWith("https://feedback.example.com/u/", url, StringComparison.Ordinal);
        var token = url[(url.LastIndexOf('/') + 1)..];
        Assert.Matches("^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$", token);
        Assert.True(token.Length <= 60, $"{token} is {token.Length} characters");
        Assert.True(_links.TryRead(token, Now.AddDays(89), out var customer, out var failure));
        Assert.Equal((Customer, null), (customer, failure));
    }

    [Fact]
    public void An_expired_link_says_expired()
    {
        var token = TokenOf(_links.CreateUrl(Customer, Now));

        Assert.False(_links.TryRead(token, Now.AddDays(90), out var customer, out var failure));
        Assert.Equal((Guid.Empty, UnsubscribeLinks.Expired), (customer, failure));
    }

    [Fact]
    public void A_changed_character_anywhere_makes_the_link_invalid()
    {
        var token = TokenOf(_links.CreateUrl(Customer, Now));

        for (var i = 0; i < token.Length; i++)
        {
            if (token[i] == '.')
            {
                continue;
            }

            var tampered = token[..i] + (token[i] == 'A' ? 'B' : 'A') + token[(i + 1)..];
            Assert.False(_links.TryRead(tampered, Now, out _, out var failure), $"position {i}: {tampered}");
            Assert.Equal(UnsubscribeLinks.Invalid, failure);
        }
    }

    [Fact]
    public void A_payload_for_another_customer_or_a_later_expiry_does_not_take_the_original_signature()
    {
        var token = TokenOf(_links.CreateUrl(Customer, Now));
        var other = TokenOf(_links.CreateUrl(Guid.CreateVersion7(), Now));
        var later = _links.CreateToken(Customer, Now.AddYears(5));

        var spliced = new[] { other.Split('.')[0] + "." + token.Split('.')[1], later.Split('.')[0] + "." + token.Split('.')[1] };

        foreach (var forged in spliced)
        {
            Assert.False(_links.TryRead(forged, Now, out _, out var failure));
            Assert.Equal(UnsubscribeLinks.Invalid, failure);
        }
    }

    [Fact]
    public void A_link_signed_with_another_key_is_invalid_even_when_expired()
    {
        var foreign = Links(NewKey());

        Assert.False(_links.TryRead(foreign.CreateToken(Customer, Now.AddDays(1)), Now, out _, out var failure));
        Assert.Equal(UnsubscribeLinks.Invalid, failure);
        Assert.False(_links.TryRead(foreign.CreateToken(Customer, Now.AddDays(-1)), Now, out _, out var expiredForeign));
        Assert.Equal(UnsubscribeLinks.Invalid, expiredForeign);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("not-a-token")]
    [InlineData("AQGS8MRae3w9jp8KGyw9Tl8AAAAAaeV1AA.AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("AQGS8MRae3w9jp8KGyw9Tl8AAAAAaeV1AA.AAAAAAAAAAAAAAAAAAAAAA.AAAA")]
    [InlineData("AQGS8MRae3w9jp8KGyw9Tl8AAAAAaeV1AA==.AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("AQGS8MRae3w9jp8KGyw9Tl8AAAAAaeV1AA+AAAAAAAAAAAAAAAAAAAAAA")]
    public void Anything_that_is_not_a_token_is_invalid(string? token)
    {
        Assert.False(_links.TryRead(token, Now, out var customer, out var failure));
        Assert.Equal((Guid.Empty, UnsubscribeLinks.Invalid), (customer, failure));
    }

    [Fact]
    public void The_same_key_in_another_process_reads_the_link()
    {
        var key = NewKey();

        var token = Links(key).CreateToken(Customer, Now.AddDays(1));

        Assert.True(Links(key).TryRead(token, Now, out var customer, out _));
        Assert.Equal(Customer, customer);
    }

    [Fact]
    public void A_key_shorter_than_32_bytes_or_not_base64_is_refused_at_start()
    {
        var options = new ConsentOptions { SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)) };
        Assert.Contains(options.Problems(), p => p.Contains("SigningKey", StringComparison.Ordinal));
        options.SigningKey = "not base64!";
        Assert.Contains(options.Problems(), p => p.Contains("SigningKey", StringComparison.Ordinal));
        options.SigningKey = NewKey();
        Assert.Empty(options.Problems());
    }

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static string TokenOf(string url) => url[(url.LastIndexOf('/') + 1)..];

    /// <summary>Links signed with a configured key; the database is never consulted then, so no provider is needed.</summary>
    private static UnsubscribeLinks Links(string key)
    {
        var options = Options.Create(new ConsentOptions { SigningKey = key, PublicBaseUrl = "https://feedback.example.com/" });
        var scopes = new ServiceCollection().BuildServiceProvider().GetRequiredService<IServiceScopeFactory>();
        return new UnsubscribeLinks(options, new LinkSigningKey(options, scopes));
    }
}
