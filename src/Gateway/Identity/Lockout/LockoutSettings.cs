namespace Shop.Gateway.Identity.Lockout;

/// <summary>
/// The persisted sign-in lockout (configuration section "Lockout"). Failed logins count against the account and against
/// the client address; reaching the maximum locks that key for <see cref="LockoutDuration"/>.
/// </summary>
public sealed class LockoutSettings
{
    /// <summary>Failed logins of one account (known or not) before it is locked.</summary>
    public int AccountMaxFailures { get; set; } = 5;

    /// <summary>Failed logins from one client address, over all accounts, before the address is locked out of login.</summary>
    public int AddressMaxFailures { get; set; } = 50;

    /// <summary>Registration attempts for one email address.</summary>
    public int RegistrationsPerEmail { get; set; } = 5;

    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(15);
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    public AttemptKey Account(string normalizedEmail) =>
        new($"login:account:{normalizedEmail}", new AttemptPolicy(AccountMaxFailures, FailureWindow, LockoutDuration));

    public AttemptKey Address(string clientAddress) =>
        new($"login:address:{clientAddress}", new AttemptPolicy(AddressMaxFailures, FailureWindow, LockoutDuration));

    public AttemptKey Registration(string normalizedEmail) =>
        new($"register:email:{normalizedEmail}", new AttemptPolicy(RegistrationsPerEmail, FailureWindow, LockoutDuration));
}
