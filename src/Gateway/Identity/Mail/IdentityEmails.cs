using System.Net;

namespace Shop.Gateway.Identity.Mail;

/// <summary>The texts of the gateway's email. Links point at the web app (Http:PublicUrl); the token travels in the fragment,
/// which browsers never send to a server or put in a Referer.</summary>
public static class IdentityEmails
{
    public const string VerifyKind = "verify-email";
    public const string AlreadyRegisteredKind = "already-registered";
    public const string VerifyPath = "/verify-email";

    /// <summary>The link to verify <paramref name="email"/>, greeting the name of the registration that asked for it.</summary>
    public static OutgoingEmail Verify(string email, string name, string token, string? publicUrl, TimeSpan validFor, DateTimeOffset now)
    {
        var link = $"{publicUrl}{VerifyPath}#token={token}";
        var hours = (int)Math.Round(validFor.TotalHours);
        var text =
            $"""
             Hello {name},

             please confirm that {email} is your email address by opening this link within {hours} hours:

             {link}

             {(publicUrl is null ? $"(Open the shop's {VerifyPath} page and enter this code: {token})\n\n" : "")}You can sign in and check out once the address is confirmed, with the password chosen in the registration that sent this email.
             If you did not register at Shop, ignore this email: nothing happens without the link.
             """;
        var html =
            $"""
             <p>Hello {Encode(name)},</p>
             <p>please confirm that <strong>{Encode(email)}</strong> is your email address by opening this link within {hours} hours:</p>
             <p><a href="{Encode(link)}">Confirm my email address</a></p>
             {(publicUrl is null ? $"<p>Or open the shop's {VerifyPath} page and enter this code: <code>{token}</code></p>" : "")}
             <p>You can sign in and check out once the address is confirmed.</p>
             <p>If you did not register at Shop, ignore this email: nothing happens without the link.</p>
             """;
        return New(email, name, VerifyKind, "Confirm your email address for Shop", text, html, now);
    }

    public static OutgoingEmail AlreadyRegistered(User user, string? publicUrl, DateTimeOffset now)
    {
        var signIn = $"{publicUrl}/login";
        var text =
            $"""
             Hello {user.Name},

             someone (perhaps you) just tried to create a Shop account with {user.Email}. This address already has an account,
             so nothing was created or changed. Sign in here: {signIn}

             If it was not you, you need not do anything.
             """;
        var html =
            $"""
             <p>Hello {Encode(user.Name)},</p>
             <p>someone (perhaps you) just tried to create a Shop account with <strong>{Encode(user.Email)}</strong>. This address already
             has an account, so nothing was created or changed. <a href="{Encode(signIn)}">Sign in</a></p>
             <p>If it was not you, you need not do anything.</p>
             """;
        return New(user.Email, user.Name, AlreadyRegisteredKind, "You already have a Shop account", text, html, now);
    }

    static OutgoingEmail New(string to, string toName, string kind, string subject, string text, string html, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(), To = to, ToName = toName, Kind = kind, Subject = subject, Text = text, Html = html,
        CreatedAt = now, DueAt = now,
    };

    static string Encode(string value) => WebUtility.HtmlEncode(value);
}
