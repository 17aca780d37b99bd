using System.Security.Cryptography;
using System.Text;

namespace Shop.Messaging;

/// <summary>
/// Ids derived from a name (RFC 4122 version 5 layout over SHA-1): the same name always gives the same id, so the same
/// logical message produced twice carries the same message id and receivers' inboxes recognise the copy.
/// </summary>
public static class NameBasedId
{
    public static Guid For(string name)
    {
        var bytes = SHA1.HashData(Encoding.UTF8.GetBytes(name)).AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
