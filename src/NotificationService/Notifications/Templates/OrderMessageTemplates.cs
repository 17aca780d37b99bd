using System.Globalization;
using System.Net;
using System.Text;

namespace Shop.NotificationService.Notifications.Templates;

/// <summary>A notice rendered for every channel: email subject with plain-text and HTML bodies, and a short SMS text.</summary>
public sealed record OrderMessage(string Subject, string Text, string Html, string Sms);

/// <summary>
/// The customer-facing wording of each order notice: order number, status, reason, lines and totals, in plain text and
/// HTML. Every value that comes from the order is HTML-encoded (a customer name is user input).
/// </summary>
public static class OrderMessageTemplates
{
    public static OrderMessage Render(OrderNotice notice)
    {
        var (subject, intro, sms) = Wording(notice);
        return new OrderMessage(subject, Text(notice, intro), Html(notice, subject, intro), sms);
    }

    static (string Subject, string Intro, string Sms) Wording(OrderNotice notice)
    {
        var number = notice.OrderNumber;
        var total = Money(notice.Order.Total, notice.Order.Currency);
        return notice.Kind switch
        {
            "OrderConfirmed" => ($"Order {number} confirmed",
                "Thank you! Your order is confirmed and will be on its way soon.",
                $"Shop: your order {number} is confirmed. Total {total}."),
            "OrderFailed" => ($"Order {number} could not be completed",
                "We are sorry: your order could not be completed. You have not been charged for it; any payment taken is refunded.",
                $"Shop: your order {number} could not be completed ({ReasonText(notice.Reason)}). You have not been charged."),
            "OrderCancelled" => ($"Order {number} cancelled",
                "Your order was cancelled. You have not been charged for it; any payment taken is refunded.",
                $"Shop: your order {number} was cancelled."),
            "OrderShipped" => ($"Order {number} shipped",
                notice.Detail is { Length: > 0 } tracking
                    ? $"Your order is on its way. Tracking reference: {tracking}."
                    : "Your order is on its way.",
                $"Shop: your order {number} has shipped."),
            "OrderRefunded" => ($"Refund for order {number}",
                $"We have refunded {Money(notice.RefundedAmount ?? 0, notice.Order.Currency)} for your order. It can take a few days to show on your statement.",
                $"Shop: we refunded {Money(notice.RefundedAmount ?? 0, notice.Order.Currency)} for order {number}."),
            _ => throw new ArgumentOutOfRangeException(nameof(notice), notice.Kind, "No template for this kind of notice"),
        };
    }

    /// <summary>Failure reasons are codes (OrderSaga's FailureReasons); customers read a sentence.</summary>
    public static string ReasonText(string? reason) => reason switch
    {
        null or "" => "no reason given",
        "OutOfStock" => "some items are out of stock",
        "PaymentDeclined" => "the payment was declined",
        "PaymentTimeout" => "the payment was not confirmed in time",
        "StockCommitFailed" => "the items could not be set aside for shipping",
        _ => reason,
    };

    static string Text(OrderNotice notice, string intro)
    {
        var order = notice.Order;
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Hello {order.CustomerName},")
            .AppendLine()
            .AppendLine(intro)
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Order number: {notice.OrderNumber}")
            .AppendLine(CultureInfo.InvariantCulture, $"Status:       {notice.Status}");
        if (Reason(notice) is { } reason)
            text.AppendLine(CultureInfo.InvariantCulture, $"Reason:       {reason}");
        if (notice.RefundedAmount is { } refunded)
            text.AppendLine(CultureInfo.InvariantCulture, $"Refunded:     {Money(refunded, order.Currency)}");
        text.AppendLine();
        foreach (var line in order.Lines)
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  {line.Quantity} x {line.Name} ({line.Sku}) @ {Amount(line.UnitPrice)} = {Money(line.UnitPrice * line.Quantity, order.Currency)}");
        return text
            .AppendLine(CultureInfo.InvariantCulture, $"  Total: {Money(order.Total, order.Currency)}")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Order reference: {notice.OrderId}")
            .AppendLine("Shop")
            .ToString();
    }

    static string Html(OrderNotice notice, string subject, string intro)
    {
        var order = notice.Order;
        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").Append(E(subject)).Append("</title></head>")
            .Append("<body style=\"font-family:Arial,Helvetica,sans-serif;color:#222\">")
            .Append("<p>Hello ").Append(E(order.CustomerName)).Append(",</p>")
            .Append("<p>").Append(E(intro)).Append("</p>")
            .Append("<table style=\"border-collapse:collapse\">")
            .Append(Row("Order number", notice.OrderNumber))
            .Append(Row("Status", notice.Status));
        if (Reason(notice) is { } reason)
            html.Append(Row("Reason", reason));
        if (notice.RefundedAmount is { } refunded)
            html.Append(Row("Refunded", Money(refunded, order.Currency)));
        html.Append("</table>")
            .Append("<table style=\"border-collapse:collapse;margin-top:1em\">")
            .Append("<thead><tr><th align=\"left\">Item</th><th align=\"left\">SKU</th><th align=\"right\">Qty</th>")
            .Append("<th align=\"right\">Unit price</th><th align=\"right\">Line total</th></tr></thead><tbody>");
        foreach (var line in order.Lines)
            html.Append("<tr><td>").Append(E(line.Name)).Append("</td><td>").Append(E(line.Sku))
                .Append("</td><td align=\"right\">").Append(line.Quantity.ToString(CultureInfo.InvariantCulture))
                .Append("</td><td align=\"right\">").Append(Amount(line.UnitPrice))
                .Append("</td><td align=\"right\">").Append(E(Money(line.UnitPrice * line.Quantity, order.Currency))).Append("</td></tr>");
        return html.Append("</tbody><tfoot><tr><td colspan=\"4\" align=\"right\"><strong>Total</strong></td><td align=\"right\"><strong>")
            .Append(E(Money(order.Total, order.Currency))).Append("</strong></td></tr></tfoot></table>")
            .Append("<p style=\"color:#777;font-size:small\">Order reference: ").Append(notice.OrderId).Append("</p>")
            .Append("</body></html>")
            .ToString();
    }

    static string? Reason(OrderNotice notice)
    {
        if (string.IsNullOrWhiteSpace(notice.Reason))
            return null;
        var text = ReasonText(notice.Reason);
        return string.IsNullOrWhiteSpace(notice.Detail) || notice.Detail == notice.Reason ? text : $"{text} ({notice.Detail})";
    }

    static string Row(string label, string value) =>
        $"<tr><td style=\"padding-right:1em\"><strong>{E(label)}</strong></td><td>{E(value)}</td></tr>";

    static string E(string value) => WebUtility.HtmlEncode(value);

    static string Amount(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    static string Money(decimal value, string currency) => $"{Amount(value)} {currency}";
}
