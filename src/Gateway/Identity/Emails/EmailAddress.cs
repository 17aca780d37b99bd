using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Shop.Gateway.Identity.Emails;

/// <summary>
/// An account's email address, checked and normalised once, so that two spellings of one mailbox are one account and a
/// look-alike of an address is not a second one:
/// <list type="bullet">
/// <item>The local part is an RFC 5321 dot-atom of ASCII characters (no quoted strings, spaces or comments): a non-ASCII
/// letter there is refused, so "admın" (dotless ı) cannot pose as "admin".</item>
/// <item>The domain is a host name of at least two labels with an alphabetic top-level domain of two letters or more (no
/// "x@y", no IP literals). Internationalised domains are accepted and compared in their ASCII (punycode) form; a label
/// that mixes Latin with Cyrillic or Greek letters (a homograph such as "shоp" with a Cyrillic о) is refused.</item>
/// <item>One trailing dot of the domain (the DNS root) is dropped, and case does not matter: "Admin@Shop.Local." is
/// "admin@shop.local".</item>
/// </list>
/// </summary>
public sealed partial record EmailAddress(string Display, string Normalized)
{
    public const int MaxLength = 254;
    public const int MaxLocalPartLength = 64;

    [GeneratedRegex(@"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex DotAtom();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex AsciiLabel();

    [GeneratedRegex("^([a-z]{2,63}|xn--[a-z0-9-]{1,59})$", RegexOptions.CultureInvariant)]
    private static partial Regex TopLevelDomain();

    static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true, AllowUnassigned = false };

    public static bool TryParse(string? input, [NotNullWhen(true)] out EmailAddress? address, [NotNullWhen(false)] out string? problem)
    {
        address = null;
        problem = Check(input?.Trim(), out var local, out var unicodeDomain, out var asciiDomain);
        if (problem is not null)
            return false;
        address = new EmailAddress($"{local}@{unicodeDomain}", $"{local!.ToLowerInvariant()}@{asciiDomain}");
        return true;
    }

    /// <summary>The sign-in key of an address as typed: its normalised form, or (for an address that no longer passes the
    /// rules, as accounts from before them may have) the old rule, trimmed and lower-cased.</summary>
    public static string NormalizeForLookup(string input) =>
        TryParse(input, out var address, out _) ? address.Normalized : input.Trim().ToLowerInvariant();

    static string? Check(string? email, out string? local, out string? unicodeDomain, out string? asciiDomain)
    {
        local = unicodeDomain = asciiDomain = null;
        if (string.IsNullOrEmpty(email))
            return "Enter an email address.";
        if (email.Length > MaxLength)
            return $"An email address has at most {MaxLength} characters.";
        var at = email.LastIndexOf('@');
        if (at <= 0 || at == email.Length - 1)
            return "An email address looks like name@example.com.";
        local = email[..at];
        var domain = email[(at + 1)..];
        if (local.Length > MaxLocalPartLength)
            return $"The part before the @ has at most {MaxLocalPartLength} characters.";
        if (!DotAtom().IsMatch(local))
            return "The part before the @ may hold only letters a-z, digits, dots (not two in a row, not first or last) and !#$%&'*+/=?^_`{|}~-.";
        if (domain.EndsWith('.'))
            domain = domain[..^1];
        if (domain.Length == 0 || domain.StartsWith('[') || domain.Contains(".."))
            return "The part after the @ must be a domain name such as example.com.";

        string ascii;
        try
        {
            ascii = Idn.GetAscii(domain).ToLowerInvariant();
            unicodeDomain = Idn.GetUnicode(ascii);
        }
        catch (ArgumentException)
        {
            return "The part after the @ must be a domain name such as example.com.";
        }
        var labels = ascii.Split('.');
        if (labels.Length < 2 || !labels.All(l => AsciiLabel().IsMatch(l)) || !TopLevelDomain().IsMatch(labels[^1]))
            return "The part after the @ must be a domain name with a top-level domain, such as example.com.";
        if (unicodeDomain.Split('.').Any(MixesScripts))
            return "The domain mixes Latin letters with Cyrillic or Greek look-alikes.";
        asciiDomain = ascii;
        return null;
    }

    /// <summary>Latin together with Cyrillic or Greek letters in one label: the classic homograph (раypal, shоp).</summary>
    static bool MixesScripts(string label)
    {
        bool latin = false, cyrillic = false, greek = false;
        foreach (var c in label)
        {
            if (c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '\u00C0' and <= '\u024F' or >= '\u1E00' and <= '\u1EFF')
                latin = true;
            else if (c is >= '\u0400' and <= '\u052F')
                cyrillic = true;
            else if (c is >= '\u0370' and <= '\u03FF' or >= '\u1F00' and <= '\u1FFF')
                greek = true;
        }
        return latin && (cyrillic || greek);
    }
}
