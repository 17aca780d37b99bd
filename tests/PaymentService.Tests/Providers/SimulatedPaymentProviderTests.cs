using Shop.PaymentService.Payments.Charging;
using Shop.PaymentService.Providers;
using Xunit;

namespace Shop.PaymentService.Tests.Providers;

public sealed class SimulatedPaymentProviderTests
{
    readonly SimulatedPaymentProvider _provider = new();

    static ChargeRequest Charge(string method, Guid? orderId = null)
    {
        var id = orderId ?? Guid.NewGuid();
        return new ChargeRequest(id, 25m, "EUR", method, IdempotencyKeys.Charge(id));
    }

    [Fact]
    public async Task Visa_is_captured_and_the_same_key_gives_the_same_payment()
    {
        var orderId = Guid.NewGuid();
        var first = Assert.IsType<ChargeResult.Captured>(await _provider.ChargeAsync(Charge("pm_card_visa", orderId), CancellationToken.None));
        var second = Assert.IsType<ChargeResult.Captured>(await _provider.ChargeAsync(Charge("pm_card_visa", orderId), CancellationToken.None));
        var other = Assert.IsType<ChargeResult.Captured>(await _provider.ChargeAsync(Charge("pm_card_visa"), CancellationToken.None));

        Assert.StartsWith("pi_sim_", first.PaymentId);
        Assert.Equal(first.PaymentId, second.PaymentId);
        Assert.NotEqual(first.PaymentId, other.PaymentId);
    }

    [Theory]
    [InlineData("pm_card_chargeDeclined", "generic_decline")]
    [InlineData("pm_card_insufficientFunds", "insufficient_funds")]
    [InlineData("4242424242424242", "invalid_payment_method")]
    public async Task Declining_tokens_and_non_tokens_are_declined(string method, string code)
    {
        var declined = Assert.IsType<ChargeResult.Declined>(await _provider.ChargeAsync(Charge(method), CancellationToken.None));
        Assert.Equal(code, declined.DeclineCode);
    }

    [Fact]
    public async Task No_answer_stays_pending_however_often_it_is_checked()
    {
        var pending = Assert.IsType<ChargeResult.Pending>(await _provider.ChargeAsync(Charge(SimulatedPaymentProvider.NoAnswer), CancellationToken.None));
        for (var check = 0; check < 3; check++)
            Assert.IsType<ChargeResult.Pending>(await _provider.CheckChargeAsync(pending.PaymentId, CancellationToken.None));
    }

    [Fact]
    public async Task Late_answer_is_pending_at_first_and_captured_when_checked_back()
    {
        var pending = Assert.IsType<ChargeResult.Pending>(await _provider.ChargeAsync(Charge(SimulatedPaymentProvider.LateAnswer), CancellationToken.None));
        var captured = Assert.IsType<ChargeResult.Captured>(await _provider.CheckChargeAsync(pending.PaymentId, CancellationToken.None));
        Assert.Equal(pending.PaymentId, captured.PaymentId);
    }

    [Fact]
    public async Task Refunds_succeed_with_an_id_stable_per_key()
    {
        var request = new RefundRequest(Guid.NewGuid(), "pi_sim_x", 25m, "EUR", "order-x-refund-1");
        var first = Assert.IsType<RefundResult.Refunded>(await _provider.RefundAsync(request, CancellationToken.None));
        var again = Assert.IsType<RefundResult.Refunded>(await _provider.RefundAsync(request, CancellationToken.None));
        Assert.Equal(first.RefundId, again.RefundId);
    }
}
