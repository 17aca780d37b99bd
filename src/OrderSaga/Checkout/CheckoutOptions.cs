namespace Shop.OrderSaga.Checkout;

public sealed class CheckoutOptions
{
    public const string Section = "Checkout";

    /// <summary>How long the saga waits for the payment's answer before it releases the stock and fails the order.</summary>
    public TimeSpan PaymentTimeout { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>The saga's own reminder that the payment has not answered; scheduled through the durable scheduler.</summary>
public record PaymentTimedOut(Guid OrderId);
