using System.Globalization;
using System.Text;

namespace InceptionDsl.Text;

/// <summary>
/// The one sanitizer for untrusted text shown to a person (spec text, checkpoint keys, reference-file text, file
/// names): every character a terminal would act on or hide is shown as a visible escape instead. C0 controls (ESC,
/// BEL, NUL, line terminators), DEL, C1 controls (U+0080-U+009F: a terminal reads U+009B as CSI), format characters
/// (bidirectional overrides and isolates, zero-width characters), U+2028/U+2029 and lone surrogates become
/// <c>\n</c>, <c>\r</c>, <c>\t</c> or <c>\uXXXX</c>, so an OSC 52 clipboard write, a title change, a screen clear or a
/// forged <c>PASS</c> line reach the terminal as text. Spectre's <c>Markup.Escape</c> does not do this: it escapes
/// brackets only.
/// </summary>
public static class ShownText
{
    /// <summary>The text on one line with every hidden character escaped (see the class summary).</summary>
    public static string Of(string? text) => Escape(text ?? "", keepNewLines: false);

    /// <summary>As <see cref="Of"/> but keeping <c>\n</c> (and tab): for multi-line text the program itself composed.</summary>
    public static string Lines(string? text) => Escape(text ?? "", keepNewLines: true);

    /// <summary>Whether <paramref name="c"/> at <paramref name="index"/> of <paramref name="text"/> is shown escaped.</summary>
    public static bool IsHidden(string text, int index)
    {
        char c = text[index];
        if (c < ' ' || c == 0x7F)
            return true;
        if (c < 0x7F)
            return false;
        if (char.IsHighSurrogate(c))
            return index + 1 >= text.Length || !char.IsLowSurrogate(text[index + 1]);
        if (char.IsLowSurrogate(c))
            return index == 0 || !char.IsHighSurrogate(text[index - 1]);
        return char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
    }

    private static string Escape(string text, bool keepNewLines)
    {
        int i = 0;
        while (i < text.Length && !Hides(text, i, keepNewLines))
            i++;
        if (i == text.Length)
            return text;
        var result = new StringBuilder(text.Length + 16).Append(text.Substring(0, i));
        for (; i < text.Length; i++)
        {
            char c = text[i];
            if (!Hides(text, i, keepNewLines))
                result.Append(c);
            else
                result.Append(c switch
                {
                    '\n' => "\\n",
                    '\r' => "\\r",
                    '\t' => "\\t",
                    _ => "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture),
                });
        }

        return result.ToString();
    }

    private static bool Hides(string text, int index, bool keepNewLines) =>
        (!keepNewLines || text[index] is not ('\n' or '\t')) && IsHidden(text, index);
}
