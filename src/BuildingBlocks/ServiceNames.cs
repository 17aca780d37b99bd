namespace Shop.BuildingBlocks;

/// <summary>
/// One name per service, used for everything Shop names after a service: its RabbitMQ queue (and <c>_error</c> queue), its
/// PostgreSQL schema, its inbox keys, its telemetry service name, its name in <c>./shop</c> (start, kill, logs) and in
/// the docs. The project folders keep the names the customer gave them (README, "Names").
/// </summary>
public static class ServiceNames
{
    public const string Gateway = "gateway";
    public const string Cart = "cart";
    public const string Orders = "orders";
    public const string Payments = "payments";
    public const string Inventory = "inventory";
    public const string Notifications = "notifications";
}
