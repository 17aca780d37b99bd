namespace Shop.Messaging.Intake;

/// <summary>
/// Lets the work a process has started finish before it starts more. The service's main endpoint reports every message
/// it starts and finishes (<see cref="Started"/>, <see cref="Finished"/>); its intake endpoint asks <see cref="WhenOpen"/> before each new
/// piece of work. The gate closes when the main endpoint runs at its concurrency limit — its queue has a backlog — and
/// opens again only once it has drained to half of it: closing and opening at the same mark would let new work slip in
/// between one message's end and the next message's start, which under a backlog happens every few milliseconds.
/// </summary>
public sealed class NewWorkGate
{
    readonly object _lock = new();
    readonly int _closeAt;
    readonly int _openAt;
    int _inProgress;
    TaskCompletionSource? _closed;

    /// <param name="capacity">The main endpoint's concurrency limit: how many of its messages run at once.</param>
    public NewWorkGate(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _closeAt = capacity;
        _openAt = capacity / 2;
    }

    /// <summary>Messages of the main endpoint taken and not yet finished.</summary>
    public int InProgress
    {
        get { lock (_lock) return _inProgress; }
    }

    public bool IsOpen
    {
        get { lock (_lock) return _closed is null; }
    }

    /// <summary>Completes at once while the gate is open, else when it opens.</summary>
    public Task WhenOpen(CancellationToken cancellationToken)
    {
        lock (_lock)
            return _closed is null ? Task.CompletedTask : _closed.Task.WaitAsync(cancellationToken);
    }

    public void Started()
    {
        lock (_lock)
        {
            _inProgress++;
            if (_inProgress >= _closeAt)
                _closed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Finished()
    {
        TaskCompletionSource? opened = null;
        lock (_lock)
        {
            _inProgress--;
            if (_inProgress <= _openAt && _closed is not null)
                (opened, _closed) = (_closed, null);
        }
        opened?.TrySetResult();
    }
}
