namespace ClosedLoop.AppHost.Tests;

public sealed class AppHostOptionsTests
{
    [Fact]
    public void No_arguments_mean_one_api_on_sqlite_at_port_5080()
    {
        Assert.True(AppHostOptions.TryParse([], out var options, out var error), error);
        Assert.Equal(new AppHostOptions { Port = 5080, Replicas = 1 }, options);
    }

    [Theory]
    [InlineData(new[] { "--port", "6000", "--postgres", "--replicas", "3" }, 6000, 3)]
    [InlineData(new[] { "--port=6001", "--replicas=2", "--postgres" }, 6001, 2)]
    public void Values_are_read_in_both_spellings(string[] args, int port, int replicas)
    {
        Assert.True(AppHostOptions.TryParse(args, out var options, out var error), error);
        Assert.Equal(new AppHostOptions { Port = port, Replicas = replicas, Postgres = true }, options);
    }

    [Theory]
    [InlineData(new[] { "--port" }, "--port needs a whole number, got 'nothing'")]
    [InlineData(new[] { "--port", "abc" }, "--port needs a whole number, got 'abc'")]
    [InlineData(new[] { "--port", "-5" }, "--port needs a whole number")]
    [InlineData(new[] { "--port", "0" }, "--port must be between 1 and 65535")]
    [InlineData(new[] { "--port", "70000" }, "--port must be between 1 and 65535")]
    [InlineData(new[] { "--port", "65535", "--postgres", "--replicas", "2" }, "runs past port 65535")]
    [InlineData(new[] { "--replicas", "0" }, "--replicas must be at least 1")]
    [InlineData(new[] { "--replicas", "2" }, "--replicas greater than 1 needs --postgres")]
    [InlineData(new[] { "--postgress" }, "Unknown option '--postgress'")]
    [InlineData(new[] { "--postgres=yes" }, "Unknown option '--postgres=yes'")]
    [InlineData(new[] { "5080" }, "Unknown option '5080'")]
    public void Bad_arguments_are_rejected_with_a_reason(string[] args, string expected)
    {
        Assert.False(AppHostOptions.TryParse(args, out var options, out var error));
        Assert.Null(options);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_data_folder_and_aspire_settings_are_read()
    {
        Assert.True(AppHostOptions.TryParse(["--data", "/tmp/x", "--ASPNETCORE_URLS=http://localhost:16000", "--Dashboard:Frontend:AuthMode=Unsecured"], out var options, out var error), error);
        Assert.Equal("/tmp/x", options.DataDirectory);
        Assert.Equal(["--ASPNETCORE_URLS=http://localhost:16000", "--Dashboard:Frontend:AuthMode=Unsecured"], options.AspireArguments);
        Assert.False(AppHostOptions.TryParse(["--data"], out _, out error));
        Assert.Contains("--data needs a folder", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Flags_are_recognised()
    {
        Assert.True(AppHostOptions.TryParse(["--smtp", "--help"], out var options, out _));
        Assert.True(options.Smtp);
        Assert.True(options.Help);
        Assert.False(options.Postgres);
    }
}
