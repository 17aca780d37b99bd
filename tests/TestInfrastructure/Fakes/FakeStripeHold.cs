namespace Shop.Testing.Fakes;

/// <summary>
/// Holds the answer to one request after it ran, so a test can crash the caller while the charge exists at "Stripe" but
/// the caller never heard of it.
/// </summary>
public sealed class FakeStripeHold(string method, string pathPrefix)
{
    readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Matches(string requestMethod, string path) =>
        requestMethod == method && path.StartsWith(pathPrefix, StringComparison.Ordinal) && !_reached.Task.IsCompleted;

    /// <summary>Completes once a matching request has run and its answer is being held.</summary>
    public Task Reached => _reached.Task;

    public void Release() => _released.TrySetResult();

    internal Task Hold()
    {
        _reached.TrySetResult();
        return _released.Task;
    }
}
