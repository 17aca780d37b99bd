using System.Net;
using Shop.Testing;

namespace Shop.NotificationService.Tests.Support;

public static class Queues
{
    public const string Notifications = "notifications";
    public const string NotificationErrors = "notifications_error";

    /// <summary>Messages waiting or unacknowledged in a queue; a queue that was never declared holds none.</summary>
    public static async Task<int> MessagesOrNone(this TestVirtualHost virtualHost, string queue)
    {
        try
        {
            return await virtualHost.MessagesInQueueAsync(queue);
        }
        catch (HttpRequestException exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            return 0;
        }
    }

    public static string ReadLog(this ServiceProcess service)
    {
        using var stream = new FileStream(service.LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
