using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using ClosedLoop.Web;
using Microsoft.AspNetCore.RateLimiting;

namespace ClosedLoop.Api.Hosting;

/// <summary>Section <c>RateLimiting</c>: permits per second with a burst, per caller (API key or token subject, else client address).</summary>
internal sealed class RateLimitingOptions
{
    public const string Section = "RateLimiting";

    public bool Enabled { get; set; } = true;

    /// <summary>Every authenticated API call.</summary>
    public BucketOptions PerCaller { get; set; } = new() { PermitsPerSecond = 200, Burst = 400 };

    /// <summary>Feedback ingest routes.</summary>
    public BucketOptions Ingest { get; set; } = new() { PermitsPerSecond = 500, Burst = 1000 };

    /// <summary>Public, unauthenticated links, per client address.</summary>
    public BucketOptions Public { get; set; } = new() { PermitsPerSecond = 2, Burst = 20 };
}

internal sealed class BucketOptions
{
    public int PermitsPerSecond { get; set; }

    public int Burst { get; set; }
}

internal static class RateLimiting
{
    public static IServiceCollection AddClosedLoopRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(RateLimitingOptions.Section).Get<RateLimitingOptions>() ?? new RateLimitingOptions();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                var problems = context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.TryWriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = $"Rate limit reached; retry after {retryAfter} second(s).",
                    },
                });
            };

            if (!options.Enabled)
            {
                // The named policies must still exist: routes refer to them, and a missing policy is a 500.
                o.AddPolicy(RateLimitPolicies.Ingest, _ => RateLimitPartition.GetNoLimiter("ingest"));
                o.AddPolicy(RateLimitPolicies.Public, _ => RateLimitPartition.GetNoLimiter("public"));
                return;
            }

            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.Request.Path.StartsWithSegments("/api")
                    ? Bucket("caller:" + CallerOf(context), options.PerCaller)
                    : RateLimitPartition.GetNoLimiter("unlimited"));
            o.AddPolicy(RateLimitPolicies.Ingest, context => Bucket("ingest:" + CallerOf(context), options.Ingest));
            o.AddPolicy(RateLimitPolicies.Public, context => Bucket("public:" + AddressOf(context), options.Public));
        });
        return services;
    }

    private static RateLimitPartition<string> Bucket(string key, BucketOptions bucket) =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, bucket.Burst),
            TokensPerPeriod = Math.Max(1, bucket.PermitsPerSecond),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    private static string CallerOf(HttpContext context) =>
        context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? context.User.FindFirstValue("sub") ?? AddressOf(context);

    private static string AddressOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
