namespace Shop.BuildingBlocks.Messaging;

/// <summary>Queue names of the services: commands are sent to the owning service's queue.</summary>
public static class ServiceQueues
{
    public const string Cart = "cart";
    public const string Orders = "order-saga";
    public const string Payments = "payment";
    public const string Inventory = "inventory";
    public const string Notifications = "notification";

    public static Uri Address(string queue) => new($"queue:{queue}");
}
