using Shop.Testing;

namespace Shop.NotificationService.Tests.Support;

/// <summary>Polling waits that tolerate a loaded machine: generous deadlines, and a message that says what never happened.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static async Task<T> Get<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null, Func<string>? diagnostics = null)
    {
        T value = default!;
        if (await Poll.Until(async () => done(value = await probe()), timeout ?? DefaultTimeout, TimeSpan.FromMilliseconds(250)))
            return value;
        throw new TimeoutException($"Timed out waiting for {what}.{(diagnostics is null ? "" : "\n" + diagnostics())}");
    }
}
