namespace Shop.BuildingBlocks.Messaging;

/// <summary>Queue names of the services (their <see cref="ServiceNames"/>): commands are sent to the owning service's queue.</summary>
public static class ServiceQueues
{
    public const string Cart = ServiceNames.Cart;
    public const string Orders = ServiceNames.Orders;
    public const string Payments = ServiceNames.Payments;
    public const string Inventory = ServiceNames.Inventory;
    public const string Notifications = ServiceNames.Notifications;

    public static Uri Address(string queue) => new($"queue:{queue}");
}
