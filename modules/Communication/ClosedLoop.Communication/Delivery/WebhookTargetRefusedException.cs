namespace ClosedLoop.Communication.Delivery;

/// <summary>A webhook target that resolves only to addresses the product must not reach (see <see cref="WebhookTargetGuard"/>).</summary>
internal sealed class WebhookTargetRefusedException : Exception
{
    public WebhookTargetRefusedException()
    {
    }

    public WebhookTargetRefusedException(string message)
        : base(message)
    {
    }

    public WebhookTargetRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
