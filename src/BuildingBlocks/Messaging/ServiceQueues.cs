namespace Shop.BuildingBlocks.Messaging;

/// <summary>Queue names of the services (their <see cref="ServiceNames"/>): commands are sent to the owning service's queue.</summary>
public static class ServiceQueues
{
    public const string Cart = ServiceNames.Cart;
    public const string Orders = ServiceNames.Orders;
    /// <summary>New orders' checkouts, waiting while the orders in flight keep the orders service busy (NewWorkIntake).</summary>
    public const string OrderCheckouts = ServiceNames.Orders + "-checkouts";
    public const string Payments = ServiceNames.Payments;
    public const string Inventory = ServiceNames.Inventory;
    public const string Notifications = ServiceNames.Notifications;

    public static Uri Address(string queue) => new($"queue:{queue}");
}
