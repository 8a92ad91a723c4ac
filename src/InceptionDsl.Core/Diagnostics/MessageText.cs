using System.Globalization;
using System.Text;
using InceptionDsl.Syntax;

namespace InceptionDsl.Diagnostics;

/// <summary>
/// Makes a diagnostic message one readable line whatever spec text it quotes: line terminators,
/// control and invisible format characters (bidirectional overrides, zero-width) are shown as
/// escapes, a run of more than <see cref="SpecLimits.MaxQuotedChars"/> characters without a space
/// (a 150,000-character name) is shortened to its start and length, and so is the whole message.
/// </summary>
public static class MessageText
{
    /// <summary>Longest message, after shortening each long run.</summary>
    public const int MaxMessageChars = 1_000;

    private const int KeptChars = 40;

    public static string OneLine(string message)
    {
        if (!NeedsWork(message))
            return message;
        var text = new StringBuilder(message.Length);
        int runStart = 0;
        for (int i = 0; i <= message.Length; i++)
        {
            if (i < message.Length && message[i] != ' ')
                continue;
            AppendRun(text, message, runStart, i - runStart);
            if (i < message.Length)
                text.Append(' ');
            runStart = i + 1;
        }

        if (text.Length > MaxMessageChars)
        {
            int total = text.Length;
            text.Length = MaxMessageChars;
            text.Append("... (").Append(total.ToString(CultureInfo.InvariantCulture)).Append(" characters)");
        }

        return text.ToString();
    }

    /// <summary>One character as the escape a reader can type back: \n, \t, \0, \u2028.</summary>
    public static string Escape(char c) => c switch
    {
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        '\0' => "\\0",
        _ => "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture),
    };

    /// <summary>Text with every character <see cref="IsHidden"/> says cannot be shown as itself escaped.</summary>
    public static string Escape(string text)
    {
        int i = 0;
        while (i < text.Length && !IsHidden(text[i]))
            i++;
        if (i == text.Length)
            return text;
        var result = new StringBuilder(text.Length + 8).Append(text, 0, i);
        for (; i < text.Length; i++)
            result.Append(IsHidden(text[i]) ? Escape(text[i]) : text[i].ToString());
        return result.ToString();
    }

    /// <summary>Line terminators, control characters and invisible format characters (Cc, Cf, Zl, Zp, unpaired surrogates).</summary>
    public static bool IsHidden(char c)
    {
        if (c < ' ')
            return true;
        if (c < 0x7F)
            return false;
        var category = char.GetUnicodeCategory(c);
        return category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate;
    }

    private static void AppendRun(StringBuilder text, string message, int start, int length)
    {
        var run = Escape(message.Substring(start, length));
        if (run.Length <= SpecLimits.MaxQuotedChars)
        {
            text.Append(run);
            return;
        }

        // Keep the quote that opens the run and the quote or punctuation that closes it, so the message
        // still reads: 'xxxx...(150000 characters)' counts the name alone.
        int lead = run[0] is '\'' or '"' or '(' ? 1 : 0;
        int tail = run.Length;
        while (tail > lead && !char.IsLetterOrDigit(run[tail - 1]) && run.Length - tail < 3)
            tail--;
        int original = length - lead - (run.Length - tail);
        text.Append(run, 0, lead + KeptChars).Append("...(").Append(original.ToString(CultureInfo.InvariantCulture)).Append(" characters)");
        text.Append(run, tail, run.Length - tail);
    }

    private static bool NeedsWork(string message)
    {
        if (message.Length > SpecLimits.MaxQuotedChars)
            return true;
        foreach (var c in message)
            if (IsHidden(c))
                return true;
        return false;
    }
}
