using Shop.PaymentService.Providers.Stripe;
using Xunit;

namespace Shop.PaymentService.Tests.Providers;

public sealed class MinorUnitsTests
{
    [Theory]
    [InlineData("EUR", 12.34, 1234)]
    [InlineData("usd", 0.5, 50)]
    [InlineData("JPY", 1500, 1500)]
    [InlineData("KRW", 9900, 9900)]
    [InlineData("KWD", 1.234, 1234)]
    public void Amounts_become_the_currencys_smallest_unit_and_back(string currency, double amount, long minor)
    {
        Assert.True(MinorUnits.TryToMinor((decimal)amount, currency, out var converted));
        Assert.Equal(minor, converted);
        Assert.Equal((decimal)amount, MinorUnits.FromMinor(minor, currency));
    }

    [Theory]
    [InlineData("JPY", 12.5)]
    [InlineData("EUR", 1.005)]
    [InlineData("EUR", -1)]
    public void Amounts_the_currency_cannot_express_are_refused(string currency, double amount) =>
        Assert.False(MinorUnits.TryToMinor((decimal)amount, currency, out _));
}
