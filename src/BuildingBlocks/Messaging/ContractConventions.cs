using System.Linq.Expressions;
using System.Reflection;
using MassTransit;
using Shop.Contracts;

namespace Shop.BuildingBlocks.Messaging;

/// <summary>Every contract that carries an OrderId uses it as the MassTransit correlation id.</summary>
public static class ContractConventions
{
    static int _applied;

    public static void UseOrderIdAsCorrelationId()
    {
        if (Interlocked.Exchange(ref _applied, 1) == 1)
            return;

        var method = typeof(ContractConventions).GetMethod(nameof(Register), BindingFlags.NonPublic | BindingFlags.Static)!;
        foreach (var type in typeof(OrderLine).Assembly.GetExportedTypes())
        {
            if (type.GetProperty("OrderId") is { PropertyType: var propertyType } && propertyType == typeof(Guid))
                method.MakeGenericMethod(type).Invoke(null, null);
        }
    }

    static void Register<T>() where T : class
    {
        var parameter = Expression.Parameter(typeof(T), "message");
        var selector = Expression.Lambda<Func<T, Guid>>(Expression.Property(parameter, "OrderId"), parameter);
        MessageCorrelation.UseCorrelationId(selector.Compile());
    }
}
