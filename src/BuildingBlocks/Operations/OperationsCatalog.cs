using Shop.BuildingBlocks.Operations.Sagas;
using Shop.BuildingBlocks.Operations.Streams;

namespace Shop.BuildingBlocks.Operations;

/// <summary>
/// What a service offers to operators: its kinds of streams (event streams or document histories), its sagas.
/// Projections and subscriptions need no registration: they are read from the service's Marten configuration.
/// </summary>
public sealed class OperationsCatalog
{
    readonly List<StreamSourceRegistration> _streams = [];
    readonly List<SagaKind> _sagas = [];

    public IReadOnlyList<StreamSourceRegistration> Streams => _streams;
    public IReadOnlyList<SagaKind> Sagas => _sagas;

    /// <summary>
    /// The service's event streams whose state is the aggregate <typeparamref name="TState"/> (time travel folds the
    /// stream into it). Filters read the named fields of its stored document (the inline/async snapshot).
    /// </summary>
    public OperationsCatalog EventStreams<TState>(string kind, string? customerField = "CustomerId", string? statusField = "Status")
        where TState : class
    {
        _streams.Add(new StreamSourceRegistration(kind, typeof(MartenStreamSource<TState>),
            new EventStreamKind(kind, typeof(TState), customerField, statusField)));
        return this;
    }

    /// <summary>A history that is not an event stream (e.g. document change logs), served by the service's own source.</summary>
    public OperationsCatalog StreamSource<TSource>(string kind) where TSource : class, IStreamSource
    {
        _streams.Add(new StreamSourceRegistration(kind, typeof(TSource), null));
        return this;
    }

    /// <summary>Saga documents of <typeparamref name="TSaga"/>: state in <paramref name="stateField"/>, finished in any terminal state.</summary>
    public OperationsCatalog Saga<TSaga>(string name, IReadOnlyCollection<string> terminalStates, string stateField = "CurrentState")
        where TSaga : class
    {
        _sagas.Add(new SagaKind(name, typeof(TSaga), stateField, terminalStates));
        return this;
    }
}

public sealed record StreamSourceRegistration(string Kind, Type SourceType, EventStreamKind? EventStream);

public sealed record EventStreamKind(string Kind, Type StateType, string? CustomerField, string? StatusField);

public sealed record SagaKind(string Name, Type SagaType, string StateField, IReadOnlyCollection<string> TerminalStates);
