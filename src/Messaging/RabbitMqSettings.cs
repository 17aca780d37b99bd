using Microsoft.Extensions.Configuration;
using RabbitMQ.Client;

namespace Shop.Messaging;

public sealed record RabbitMqSettings(string Host, ushort Port, string VirtualHost, string Username, string Password)
{
    /// <summary>Reads ConnectionStrings:RabbitMq, an amqp:// URI with credentials and virtual host.</summary>
    public static RabbitMqSettings From(IConfiguration configuration)
    {
        var value = configuration.GetConnectionString("RabbitMq")
            ?? throw new InvalidOperationException("ConnectionStrings:RabbitMq is not configured (env ConnectionStrings__RabbitMq).");
        var uri = new Uri(value);
        var credentials = uri.UserInfo.Split(':', 2);
        var virtualHost = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        return new RabbitMqSettings(
            uri.Host,
            (ushort)(uri.IsDefaultPort || uri.Port <= 0 ? 5672 : uri.Port),
            string.IsNullOrEmpty(virtualHost) ? "/" : virtualHost,
            credentials.Length > 0 && credentials[0] != "" ? Uri.UnescapeDataString(credentials[0]) : "guest",
            credentials.Length > 1 ? Uri.UnescapeDataString(credentials[1]) : "guest");
    }

    /// <summary>A plain AMQP connection for what MassTransit does not do (dead letters, topology mends), named for the broker's list.</summary>
    public Task<IConnection> Connect(string clientName, CancellationToken cancellationToken) =>
        new ConnectionFactory
        {
            HostName = Host,
            Port = Port,
            VirtualHost = VirtualHost,
            UserName = Username,
            Password = Password,
            ClientProvidedName = clientName,
        }.CreateConnectionAsync(cancellationToken);
}
