namespace Shop.Messaging.Sagas;

/// <summary>
/// A saga whose transitions also produce domain events (the order stream). The state machine only records them here;
/// the Marten saga repository appends them to the stream named by the correlation id in the same transaction that
/// saves the saga state. With the in-memory repository of the test harness they simply accumulate.
/// </summary>
public interface IEventSourcedSaga
{
    Guid CorrelationId { get; }

    /// <summary>Events recorded since the saga was loaded. Not persisted with the saga document.</summary>
    List<object> PendingEvents { get; }
}
