using System.Net;
using ClosedLoop.Communication.Delivery;
using Microsoft.Extensions.Options;

namespace ClosedLoop.Communication.Tests.Delivery;

/// <summary>The SSRF guard's address ranges and URL rules.</summary>
public sealed class WebhookTargetGuardTests
{
    private static readonly WebhookTargetGuard Strict = new(Options.Create(new WebhookOptions()));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.0.9")]
    [InlineData("10.0.0.1")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.254")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.251")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::ffff:10.1.2.3")]
    [InlineData("64:ff9b::a00:1")]
    public void Internal_addresses_are_forbidden(string address) => Assert.True(WebhookTargetGuard.IsForbidden(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    public void Public_addresses_are_allowed(string address) => Assert.False(WebhookTargetGuard.IsForbidden(IPAddress.Parse(address)));

    [Theory]
    [InlineData("http://127.0.0.1/")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://10.0.0.1/")]
    [InlineData("http://[::1]/")]
    [InlineData("http://[::ffff:127.0.0.1]/")]
    [InlineData("http://localhost:8080/hook")]
    [InlineData("http://2130706433/")]
    [InlineData("ftp://example.com/")]
    [InlineData("https://user:secret@example.com/")]
    [InlineData("/relative")]
    [InlineData("")]
    public async Task Urls_that_reach_inside_or_are_not_http_are_refused(string url) => Assert.NotNull(await Strict.CheckAsync(url, CancellationToken.None));

    [Theory]
    [InlineData("https://93.184.216.34/hooks")]
    [InlineData("http://[2606:4700:4700::1111]:8443/hooks")]
    public async Task Public_address_literals_are_accepted_without_dns(string url) => Assert.Null(await Strict.CheckAsync(url, CancellationToken.None));

    [Fact]
    public async Task Private_targets_are_allowed_only_when_configured()
    {
        var relaxed = new WebhookTargetGuard(Options.Create(new WebhookOptions { AllowPrivateTargets = true }));

        Assert.Null(await relaxed.CheckAsync("http://127.0.0.1:5000/hook", CancellationToken.None));
        Assert.NotNull(await relaxed.CheckAsync("https://user:pw@127.0.0.1/", CancellationToken.None));
    }
}
