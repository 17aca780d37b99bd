using MimeKit;

namespace Shop.BuildingBlocks.Email;

/// <summary>
/// With no SMTP server configured, email is written as .eml files (readable by any mail client) into a pickup
/// directory: one file per email, written atomically, so a repeated attempt replaces rather than adds.
/// </summary>
public static class EmailPickup
{
    public static async Task WriteAsync(MimeMessage message, string directory, string name, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name + ".eml");
        var temporary = path + ".tmp";
        await message.WriteToAsync(temporary, cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }
}
