using System.Text;
using InceptionDsl.Text;

namespace InceptionDsl.LanguageServer.Features;

/// <summary>
/// Spec text (a block's <c>doc</c>, names, written expressions, values) placed into hover markdown, which editors
/// render: it must reach the reader as the text it is, never as live markdown. An image (<c>![](http://...)</c>, which
/// an editor fetches), a <c>command:</c> link, raw HTML, a heading or a list started by a line break, emphasis or a
/// code fence all stay plain characters. Hidden characters are shown as <see cref="ShownText"/> escapes first (a line
/// break in a doc becomes <c>\n</c>, so no new block can start).
/// </summary>
public static class MarkdownText
{
    // The characters that start markdown syntax: emphasis, code, links and images, HTML and entities, headings, lists,
    // tables, strikethrough, setext underlines. Commas, full stops and colons stay as they are, for readable source.
    private const string Syntax = "\\`*_{}[]()!#|~+-=";

    /// <summary>Text for running markdown: markdown's syntax characters backslash-escaped (CommonMark allows it for any punctuation), HTML's as entities.</summary>
    public static string Text(string? text)
    {
        var shown = ShownText.Of(text);
        var result = new StringBuilder(shown.Length + 8);
        foreach (char c in shown)
        {
            if (c is '<')
                result.Append("&lt;");
            else if (c is '>')
                result.Append("&gt;");
            else if (c is '&')
                result.Append("&amp;");
            else if (Syntax.IndexOf(c) >= 0)
                result.Append('\\').Append(c);
            else
                result.Append(c);
        }

        return result.ToString();
    }

    /// <summary>
    /// Text as an inline code span: fenced by one more backtick than its longest run of backticks (and padded with a
    /// space when it starts or ends with one), so nothing inside can close the span; markdown and HTML are inert there.
    /// </summary>
    public static string Code(string? text)
    {
        var shown = ShownText.Of(text);
        int longest = 0, run = 0;
        foreach (char c in shown)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        var fence = new string('`', longest + 1);
        var pad = shown.StartsWith('`') || shown.EndsWith('`') || shown.Length == 0 ? " " : "";
        return fence + pad + shown + pad + fence;
    }
}
