using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using MimeKit;
using Shop.Gateway.Identity.Mail;
using Xunit;

namespace Shop.Gateway.Tests.Identity;

/// <summary>
/// Without an SMTP server (no Smtp:Host) the gateway has no SMTP connections registered and writes its email as .eml
/// files into the pickup directory; the SMTP path is the account tests' (through MailDev).
/// </summary>
public sealed class IdentityMailSenderTests : IDisposable
{
    readonly string _directory = Path.Combine(Path.GetTempPath(), $"shop-gateway-mail-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Without_an_smtp_server_the_email_is_an_eml_file_named_after_it()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IHostEnvironment>(new Environment(_directory));
        services.Configure<IdentityMailOptions>(o => o.PickupDirectory = Path.Combine(_directory, "pickup"));
        services.AddSingleton<IdentityMailSender>();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        var email = new OutgoingEmail
        {
            Id = Guid.NewGuid(), To = "ada@example.com", ToName = "Ada", Kind = "verify-email", Subject = "Verify your address",
            Text = "Your code", Html = "<p>Your code</p>",
        };

        await provider.GetRequiredService<IdentityMailSender>().SendAsync(email, CancellationToken.None);

        var file = Path.Combine(_directory, "pickup", $"{email.Id:N}.eml");
        Assert.Equal([file], Directory.GetFiles(Path.Combine(_directory, "pickup")));
        var message = await MimeMessage.LoadAsync(file);
        Assert.Equal("ada@example.com", message.To.Mailboxes.Single().Address);
        Assert.Equal("Verify your address", message.Subject);
        Assert.Equal("verify-email", message.Headers["X-Shop-Email"]);
    }

    sealed class Environment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Production;
        public string ApplicationName { get; set; } = "Gateway";
        public string ContentRootPath { get; set; } = root;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
