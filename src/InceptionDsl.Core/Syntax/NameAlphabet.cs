using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace InceptionDsl.Syntax;

/// <summary>
/// The characters a name of a spec may use (docs/security.md, "Names"). Names become C# identifiers,
/// string literals and state_dict keys, so they are plain ASCII: a name can neither carry code nor
/// hide a character from a reader (bidirectional controls, zero-width characters, look-alikes).
/// </summary>
public static class NameAlphabet
{
    /// <summary>The longest name: keeps generated identifiers and hint (file) names short.</summary>
    public const int MaxLength = 128;

    /// <summary>
    /// Why <paramref name="name"/> is not a state_dict segment (<c>[A-Za-z0-9_][A-Za-z0-9_-]*</c>: a '-' after the first
    /// character, as torchvision's RegNet names its blocks <c>block1-0</c>; plus repeat templates
    /// <c>{expression}</c> where <paramref name="allowTemplate"/>: printable ASCII inside the braces,
    /// no quotes or backslashes, replaced by the expression's integer value), or null when it is.
    /// </summary>
    public static string? SegmentProblem(string name, bool allowTemplate)
    {
        if (name.Length == 0)
            return "a name cannot be empty";
        if (name.Length > MaxLength)
            return $"it has {name.Length} characters, more than the {MaxLength} a name may have";
        var rule = "state_dict names use A-Z, a-z, 0-9, '_' and (after the first character) '-'" + (allowTemplate ? " (and {expression} templates in a repeated node)" : "");
        bool inTemplate = false;
        for (int i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (allowTemplate && c == '{' && !inTemplate)
                inTemplate = true;
            else if (allowTemplate && c == '}' && inTemplate)
                inTemplate = false;
            else if (inTemplate ? !IsTemplateCharacter(c) : !(IsSegmentCharacter(c) || (c == '-' && i > 0)))
                return $"character {Describe(name, i)} at position {i + 1} is not allowed; {rule}";
        }

        return inTemplate ? "a '{' template is not closed with '}'; " + rule : null;
    }

    /// <summary>Inside a template's braces: printable ASCII but braces, quotes and backslashes.</summary>
    private static bool IsTemplateCharacter(char c) => c is >= ' ' and <= '~' and not ('{' or '}' or '"' or '\'' or '\\' or '`');

    /// <summary>Why <paramref name="name"/> is not an ASCII C# identifier (<c>[A-Za-z_][A-Za-z0-9_]*</c>), or null when it is.</summary>
    public static string? IdentifierProblem(string name)
    {
        if (name.Length == 0)
            return "a name cannot be empty";
        if (name.Length > MaxLength)
            return $"it has {name.Length} characters, more than the {MaxLength} a name may have";
        return FirstOutside(name, allowDigitFirst: false, "use A-Z, a-z, 0-9 and '_', not starting with a digit");
    }

    public static bool IsSegmentCharacter(char c) => c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '_';

    private static string? FirstOutside(string name, bool allowDigitFirst, string rule)
    {
        if (!allowDigitFirst && name[0] is >= '0' and <= '9')
            return "it starts with a digit; " + rule;
        for (int i = 0; i < name.Length; i++)
        {
            if (!IsSegmentCharacter(name[i]))
                return $"character {Describe(name, i)} at position {i + 1} is not allowed; {rule}";
        }

        return null;
    }

    /// <summary>
    /// A name as a diagnostic shows it: on one line, every character that is not plain printable ASCII
    /// written as <c>\uXXXX</c>, cut to 60 characters.
    /// </summary>
    public static string Display(string name)
    {
        const int Shown = 60;
        var builder = new StringBuilder();
        foreach (var c in name.Length > Shown ? name.Substring(0, Shown) : name)
        {
            if (c is >= ' ' and <= '~')
                builder.Append(c);
            else
                builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
        }

        if (name.Length > Shown)
            builder.Append("... (").Append(name.Length.ToString(CultureInfo.InvariantCulture)).Append(" characters)");
        return builder.ToString();
    }

    /// <summary>The character at <paramref name="index"/> as <c>U+202E RIGHT-TO-LEFT OVERRIDE</c> or <c>'"' (U+0022)</c>.</summary>
    public static string Describe(string text, int index)
    {
        var c = text[index];
        int code = c;
        if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
            code = char.ConvertToUtf32(c, text[index + 1]);
        var hex = "U+" + code.ToString(code > 0xFFFF ? "X5" : "X4", CultureInfo.InvariantCulture);
        if (KnownNames.TryGetValue(code, out var known))
            return hex + " " + known;
        if (char.IsSurrogate(c) && code == c)
            return hex + " (a lone surrogate)";
        if (code is > 0x20 and < 0x7F)
            return $"'{c}' ({hex})";
        return hex + " (" + CharUnicodeInfo.GetUnicodeCategory(text, index) + ")";
    }

    /// <summary>Names of the characters that most often hide in a name or end a line.</summary>
    private static readonly Dictionary<int, string> KnownNames = new()
    {
        [0x00] = "NULL",
        [0x09] = "CHARACTER TABULATION",
        [0x0A] = "LINE FEED",
        [0x0B] = "LINE TABULATION",
        [0x0C] = "FORM FEED",
        [0x0D] = "CARRIAGE RETURN",
        [0x1B] = "ESCAPE",
        [0x20] = "SPACE",
        [0x7F] = "DELETE",
        [0x85] = "NEXT LINE",
        [0xA0] = "NO-BREAK SPACE",
        [0xAD] = "SOFT HYPHEN",
        [0x200B] = "ZERO WIDTH SPACE",
        [0x200C] = "ZERO WIDTH NON-JOINER",
        [0x200D] = "ZERO WIDTH JOINER",
        [0x200E] = "LEFT-TO-RIGHT MARK",
        [0x200F] = "RIGHT-TO-LEFT MARK",
        [0x2028] = "LINE SEPARATOR",
        [0x2029] = "PARAGRAPH SEPARATOR",
        [0x202A] = "LEFT-TO-RIGHT EMBEDDING",
        [0x202B] = "RIGHT-TO-LEFT EMBEDDING",
        [0x202C] = "POP DIRECTIONAL FORMATTING",
        [0x202D] = "LEFT-TO-RIGHT OVERRIDE",
        [0x202E] = "RIGHT-TO-LEFT OVERRIDE",
        [0x2060] = "WORD JOINER",
        [0x2066] = "LEFT-TO-RIGHT ISOLATE",
        [0x2067] = "RIGHT-TO-LEFT ISOLATE",
        [0x2068] = "FIRST STRONG ISOLATE",
        [0x2069] = "POP DIRECTIONAL ISOLATE",
        [0xFEFF] = "ZERO WIDTH NO-BREAK SPACE",
    };
}
