namespace ClosedLoop.Communication.Delivery;

/// <summary>
/// An attempt that did not get the message accepted, with a message short enough for <c>LastError</c> and the
/// attempt history (no stack trace: those go to the log).
/// </summary>
internal sealed class DeliveryFailedException : Exception
{
    public DeliveryFailedException()
    {
    }

    public DeliveryFailedException(string message)
        : base(message)
    {
    }

    public DeliveryFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
