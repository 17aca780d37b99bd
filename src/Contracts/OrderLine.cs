namespace Shop.Contracts;

/// <summary>One line of an order as it was priced at checkout.</summary>
public record OrderLine(Guid ProductId, string Sku, string Name, decimal UnitPrice, int Quantity);

public record ShippingAddress(string Name, string Line1, string? Line2, string City, string PostalCode, string Country);
