namespace Shop.OrderSaga.Checkout;

public sealed class CheckoutOptions
{
    public const string Section = "Checkout";

    /// <summary>How long the saga waits for the payment's answer before it releases the stock and fails the order.</summary>
    public TimeSpan PaymentTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long after shipping a customer may ask for a return (docs/ORDERS.md). Must stay shorter than
    /// Messaging:FinishedSagaRetention, which removes a shipped order's saga that long after its last change.
    /// </summary>
    public TimeSpan ReturnWindow { get; set; } = TimeSpan.FromDays(14);
}

/// <summary>The saga's own reminder that the payment has not answered; scheduled through the durable scheduler.</summary>
public record PaymentTimedOut(Guid OrderId);
