namespace Shop.Contracts.Carts;

/// <summary>A customer checked out a cart; the order saga starts from this. OrderId is the correlation id.</summary>
public record CheckoutRequested(
    Guid OrderId,
    Guid CartId,
    Guid CustomerId,
    string CustomerEmail,
    string CustomerName,
    IReadOnlyList<OrderLine> Lines,
    decimal Total,
    string Currency,
    string PaymentMethod,
    ShippingAddress? ShippingAddress,
    DateTimeOffset RequestedAt);
