using Marten;
using Microsoft.Extensions.Options;
using MimeKit;
using Shop.BuildingBlocks.Email;
using Shop.BuildingBlocks.Hosting;

namespace Shop.Gateway.Identity.Mail;

/// <summary>
/// An email the gateway owes someone (verify your address; you already have an account), stored in the same transaction
/// as the change that caused it and sent by <see cref="IdentityMailer"/>, so a registration never waits for SMTP and an
/// SMTP outage loses nothing. Deleted once sent: it may carry a verification link.
/// </summary>
public class OutgoingEmail
{
    public Guid Id { get; set; }
    public string To { get; set; } = "";
    public string ToName { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Subject { get; set; } = "";
    public string Text { get; set; } = "";
    public string Html { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public DateTimeOffset? ClaimedUntil { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
}

/// <summary>Configuration section Identity:Email.</summary>
public sealed class IdentityMailOptions
{
    public const string Section = "Identity:Email";

    public string From { get; set; } = "Shop <no-reply@shop.local>";

    /// <summary>Where email goes as .eml files when no SMTP host is configured (default: sent-mail/ under the content root).</summary>
    public string? PickupDirectory { get; set; }

    public int MaxAttempts { get; set; } = 10;
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
}

public sealed class IdentityMailSignal : WakeUpSignal;

/// <summary>
/// Sends the gateway's outgoing email: over the shared SMTP connections when Smtp:Host is set (then there are some),
/// otherwise as .eml files in the pickup directory.
/// </summary>
public sealed class IdentityMailSender(IOptions<IdentityMailOptions> mail, IHostEnvironment environment, SmtpConnections? smtp = null)
{
    public async Task SendAsync(OutgoingEmail email, CancellationToken cancellationToken)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(mail.Value.From));
        message.To.Add(new MailboxAddress(email.ToName, email.To));
        message.Subject = email.Subject;
        message.MessageId = $"{email.Id:N}@{((MailboxAddress)message.From[0]).Domain}";
        message.Headers.Add("X-Shop-Email", email.Kind);
        message.Body = new BodyBuilder { TextBody = email.Text, HtmlBody = email.Html }.ToMessageBody();

        if (smtp is not null)
            await smtp.SendAsync(message, cancellationToken);
        else
        {
            var directory = mail.Value.PickupDirectory ?? Path.Combine(environment.ContentRootPath, "sent-mail");
            await EmailPickup.WriteAsync(message, directory, email.Id.ToString("N"), cancellationToken);
        }
    }
}

/// <summary>
/// Sends due <see cref="OutgoingEmail"/>s on every gateway instance: claims a few with an optimistic-concurrency update
/// (instances never send the same one at once), sends with no transaction open, deletes what was sent and backs off
/// (doubling, up to an hour) on failure, giving up after MaxAttempts with an error in the log.
/// </summary>
public sealed class IdentityMailer(IDocumentStore store, IdentityMailSender sender, IdentityMailSignal signal, IOptions<IdentityMailOptions> options,
    TimeProvider clock, ILogger<IdentityMailer> logger) : BackgroundService
{
    static readonly TimeSpan ClaimTimeout = TimeSpan.FromMinutes(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await SendDueAsync(stoppingToken) > 0)
                {
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                logger.LogWarning(exception, "Sending the gateway's email failed; trying again shortly");
            }
            try
            {
                await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Sends one batch of due email; returns how many it claimed.</summary>
    async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        List<OutgoingEmail> claimed;
        await using (var session = store.LightweightSession())
        {
            claimed = (await session.Query<OutgoingEmail>()
                    .Where(e => e.DueAt <= now && (e.ClaimedUntil == null || e.ClaimedUntil < now))
                    .OrderBy(e => e.DueAt).Take(10).ToListAsync(cancellationToken))
                .ToList();
            if (claimed.Count == 0)
                return 0;
            foreach (var email in claimed)
            {
                email.ClaimedUntil = now + ClaimTimeout;
                email.Attempts++;
                session.Update(email);
            }
            try
            {
                await session.SaveChangesAsync(cancellationToken);
            }
            catch (JasperFx.ConcurrencyException)
            {
                return 1; // another instance claimed some of them: look again
            }
        }

        foreach (var email in claimed)
        {
            await using var session = store.LightweightSession();
            try
            {
                await sender.SendAsync(email, cancellationToken);
                session.Delete(email);
                logger.LogInformation("Sent the {Kind} email {Id}", email.Kind, email.Id);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                if (email.Attempts >= options.Value.MaxAttempts)
                {
                    session.Delete(email);
                    logger.LogError(exception, "Gave up sending the {Kind} email {Id} after {Attempts} attempts", email.Kind, email.Id, email.Attempts);
                }
                else
                {
                    var delay = TimeSpan.FromSeconds(Math.Min(3600, 5 * Math.Pow(2, email.Attempts - 1)));
                    email.ClaimedUntil = null;
                    email.DueAt = clock.GetUtcNow() + delay;
                    email.LastError = exception.Message;
                    session.Update(email);
                    logger.LogWarning("Sending the {Kind} email {Id} failed ({Error}); next attempt in {Delay}", email.Kind, email.Id, exception.Message, delay);
                }
            }
            await session.SaveChangesAsync(CancellationToken.None);
        }
        return claimed.Count;
    }
}
