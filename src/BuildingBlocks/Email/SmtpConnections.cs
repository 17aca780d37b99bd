using System.Collections.Concurrent;
using MailKit;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Shop.BuildingBlocks.Email;

/// <summary>
/// Sends email over SMTP with MailKit, TLS and credentials from <see cref="SmtpOptions"/>. Connections are kept open
/// between messages (at most one per parallel send): connecting, the greeting, EHLO, TLS and login cost both sides far
/// more than the message itself. A kept connection is checked with NOOP before it carries another message (the server may
/// have closed it meanwhile: better to find out before a message depends on it); one that has carried
/// <see cref="MessagesPerConnection"/> messages is closed (servers limit that too). Failures are MailKit's exceptions,
/// as thrown: what they mean for a delivery is the caller's to say.
/// </summary>
public sealed class SmtpConnections(IOptions<SmtpOptions> smtp, ILogger<SmtpConnections> logger) : IAsyncDisposable
{
    const int MessagesPerConnection = 100;

    readonly ConcurrentBag<Connection> _idle = [];

    sealed class Connection(SmtpClient client)
    {
        public SmtpClient Client { get; } = client;
        public int Sent { get; set; }
    }

    /// <summary>A refusal of one message (5xx for its recipient or content): the connection stays usable, the message never will be.</summary>
    public static bool IsRefusal(SmtpCommandException exception) =>
        (int)exception.StatusCode >= 500 && exception.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted;

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var connection = await RentAsync(cancellationToken);
        try
        {
            await connection.Client.SendAsync(message, cancellationToken);
        }
        catch (SmtpCommandException exception) when (IsRefusal(exception))
        {
            Return(connection);
            throw;
        }
        catch
        {
            await CloseAsync(connection);
            throw;
        }
        connection.Sent++;
        // Accepted: whatever happens to the connection now must not turn the delivery into a failure.
        if (connection.Sent >= MessagesPerConnection)
            await CloseAsync(connection);
        else
            Return(connection);
    }

    async Task<Connection> RentAsync(CancellationToken cancellationToken)
    {
        while (_idle.TryTake(out var connection))
        {
            try
            {
                if (connection.Client.IsConnected)
                {
                    await connection.Client.NoOpAsync(cancellationToken);
                    return connection;
                }
            }
            catch (Exception exception) when (exception is IOException or ServiceNotConnectedException or ProtocolException or SmtpCommandException)
            {
                logger.LogDebug(exception, "An idle SMTP connection was gone; opening another");
            }
            await CloseAsync(connection);
        }
        return new Connection(await ConnectAsync(cancellationToken));
    }

    async Task<SmtpClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var options = smtp.Value;
        var client = new SmtpClient { Timeout = (int)options.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(options.Host!, options.Port, options.Security, cancellationToken);
            if (!string.IsNullOrEmpty(options.Username))
                await client.AuthenticateAsync(options.Username, options.Password ?? "", cancellationToken);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    void Return(Connection connection) => _idle.Add(connection);

    async Task CloseAsync(Connection connection)
    {
        try
        {
            if (connection.Client.IsConnected)
                await connection.Client.DisconnectAsync(true, CancellationToken.None);
        }
        catch (Exception exception) when (exception is IOException or ServiceNotConnectedException or ProtocolException or OperationCanceledException
                                              or SmtpCommandException)
        {
            logger.LogDebug(exception, "Closing an SMTP connection failed");
        }
        connection.Client.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryTake(out var connection))
            await CloseAsync(connection);
    }
}
