using System.Globalization;
using System.Text;

namespace InceptionDsl.Emit;

/// <summary>
/// The one way text from a spec reaches generated C#. A spec is data: every string literal,
/// <c>//</c> comment and XML doc comment that an emitter writes from spec text goes through here,
/// so no spec text can end a comment, close a literal or start a directive.
/// </summary>
/// <remarks>
/// One escape rule serves all three places: a backslash is doubled, and every character that could
/// end a line or hide from a reader (C0/C1 controls, the C# line terminators U+0085, U+2028 and U+2029,
/// format characters such as bidirectional overrides and zero-width joiners, lone surrogates,
/// non-characters) is written as <c>\uXXXX</c>. In a string literal the quote is escaped too, so the
/// literal's value equals the text; in a comment the escaped form is what a reader sees, and
/// <see cref="Unescape"/> turns it back into the text.
/// </remarks>
public static class CSharpText
{
    /// <summary>A C# regular string literal, quotes included, whose value is <paramref name="text"/>.</summary>
    public static string Literal(string text) => "\"" + Escape(text, escapeQuote: true) + "\"";

    /// <summary>A string literal, or <c>null</c> for null.</summary>
    public static string LiteralOrNull(string? text) => text is null ? "null" : Literal(text);

    /// <summary>Text for one <c>//</c> comment line: it cannot end the line or contain a directive's line start.</summary>
    public static string Comment(string text) => Escape(text, escapeQuote: false);

    /// <summary>Text for one <c>///</c> XML doc comment line: <see cref="Comment"/> plus XML escaping.</summary>
    public static string XmlDoc(string text) => Xml(Comment(text));

    /// <summary>Inverts <see cref="Comment"/> (and the escaping inside <see cref="Literal"/>'s quotes).</summary>
    public static string Unescape(string escaped)
    {
        var builder = new StringBuilder(escaped.Length);
        for (int i = 0; i < escaped.Length; i++)
        {
            var c = escaped[i];
            if (c != '\\' || i + 1 >= escaped.Length)
            {
                builder.Append(c);
                continue;
            }

            var next = escaped[i + 1];
            if (next == 'u' && i + 5 < escaped.Length
                && int.TryParse(escaped.Substring(i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
            {
                builder.Append((char)code);
                i += 5;
            }
            else
            {
                builder.Append(next);
                i++;
            }
        }

        return builder.ToString();
    }

    private static string Escape(string text, bool escapeQuote)
    {
        StringBuilder? builder = null;
        for (int i = 0; i < text.Length; i++)
        {
            var c = text[i];
            string? replacement = null;
            if (c == '\\')
                replacement = "\\\\";
            else if (c == '"' && escapeQuote)
                replacement = "\\\"";
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                // A well-formed pair is an ordinary character outside the BMP.
                builder?.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }
            else if (MustEscape(c))
                replacement = "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);

            if (replacement is null)
            {
                builder?.Append(c);
                continue;
            }

            builder ??= new StringBuilder(text.Length + 16).Append(text, 0, i);
            builder.Append(replacement);
        }

        return builder?.ToString() ?? text;
    }

    /// <summary>Characters that could end a line, hide from a reader or are not text.</summary>
    private static bool MustEscape(char c)
    {
        switch (CharUnicodeInfo.GetUnicodeCategory(c))
        {
            case UnicodeCategory.Control:
            case UnicodeCategory.Format:
            case UnicodeCategory.LineSeparator:
            case UnicodeCategory.ParagraphSeparator:
            case UnicodeCategory.Surrogate:
            case UnicodeCategory.PrivateUse:
            case UnicodeCategory.OtherNotAssigned:
                return true;
            default:
                return false;
        }
    }

    private static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
