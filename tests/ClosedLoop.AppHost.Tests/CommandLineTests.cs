namespace ClosedLoop.AppHost.Tests;

/// <summary>The AppHost as a user meets it: exit codes and messages, before any resource starts.</summary>
public sealed class CommandLineTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(new[] { "--bogus" }, "Unknown option '--bogus'")]
    [InlineData(new[] { "--port", "abc" }, "--port needs a whole number")]
    [InlineData(new[] { "--replicas", "2" }, "needs --postgres")]
    public async Task Bad_arguments_exit_with_2_and_print_the_usage(string[] arguments, string reason)
    {
        await using var host = AppHostProcess.Start(output, arguments);

        Assert.Equal(2, await host.WaitForExitAsync(Quick));
        Assert.Contains(reason, host.Output, StringComparison.Ordinal);
        Assert.Contains("Usage: dotnet run --project ClosedLoop.AppHost", host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_prints_the_usage_and_exits_with_0()
    {
        await using var host = AppHostProcess.Start(output, "--help");

        Assert.Equal(0, await host.WaitForExitAsync(Quick));
        Assert.Contains("--replicas <N>", host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Smtp_says_it_is_not_available_yet_and_exits_with_2()
    {
        await using var host = AppHostProcess.Start(output, "--smtp");

        Assert.Equal(2, await host.WaitForExitAsync(Quick));
        Assert.Contains("[apphost] --smtp (MailDev) is not available yet", host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_api_build_is_reported_and_exits_with_1()
    {
        var missing = Path.Combine(Path.GetTempPath(), "closedloop-no-such-dir", "ClosedLoop.Api.dll");
        await using var host = AppHostProcess.Start(output, new Dictionary<string, string> { [ApiProject.OverrideVariable] = missing }, "--port", "1");

        Assert.Equal(1, await host.WaitForExitAsync(Quick));
        Assert.Contains($"ClosedLoop.Api was not found at {missing}", host.Output, StringComparison.Ordinal);
    }
}
