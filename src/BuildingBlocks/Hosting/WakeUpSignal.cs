namespace Shop.BuildingBlocks.Hosting;

/// <summary>
/// Lets a polling background worker react at once: whoever creates work calls <see cref="Notify"/>, the worker waits with
/// its poll interval as the timeout. One pending wake-up is enough, since the worker drains everything that is due.
/// Subclass it per worker so each gets its own singleton.
/// </summary>
public abstract class WakeUpSignal
{
    readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try { _signal.Release(); }
            catch (SemaphoreFullException) { }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
