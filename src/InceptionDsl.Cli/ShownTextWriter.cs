using System.Text;
using InceptionDsl.Text;

namespace InceptionDsl.Cli;

/// <summary>
/// Standard output and error of the command, with every character <see cref="ShownText"/> hides shown as an escape
/// (newlines and tabs pass: the commands' own output has lines). Installed by Program.cs before any command runs, so
/// no <c>Console.Write</c> of any command can put a raw ESC, BEL or C1 character from a spec, a checkpoint key, a
/// reference file or a file name on the terminal. Spectre's console writes to the unfiltered stream (its colours are
/// escape sequences); what goes into its markup is escaped with <see cref="CliText.Markup"/>.
/// </summary>
public sealed class ShownTextWriter(TextWriter inner) : TextWriter
{
    // A high surrogate written alone waits for its low half, so a pair split across two writes is kept.
    private char? pendingHigh;

    public override Encoding Encoding => inner.Encoding;

    public override IFormatProvider FormatProvider => inner.FormatProvider;

    [System.Diagnostics.CodeAnalysis.AllowNull]
    public override string NewLine
    {
        get => inner.NewLine;
        set => inner.NewLine = value;
    }

    public override void Write(char value) => Write(value.ToString());

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return;
        if (pendingHigh is { } high)
        {
            value = high + value;
            pendingHigh = null;
        }

        if (char.IsHighSurrogate(value[^1]))
        {
            pendingHigh = value[^1];
            value = value[..^1];
        }

        inner.Write(ShownText.Lines(value));
    }

    public override void WriteLine(string? value)
    {
        Write(value);
        Write(inner.NewLine);
    }

    public override void Flush()
    {
        if (pendingHigh is { } high)
        {
            pendingHigh = null;
            inner.Write(ShownText.Lines(high.ToString()));
        }

        inner.Flush();
    }

    /// <summary>Routes <see cref="Console.Out"/> and <see cref="Console.Error"/> through the filter; Spectre keeps the raw output.</summary>
    public static void Install()
    {
        var rawOut = Console.Out;
        Spectre.Console.AnsiConsole.Console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Out = new Spectre.Console.AnsiConsoleOutput(rawOut),
        });
        // The console's own writers flush after every write, so these do too; Console.SetOut makes them thread-safe.
        Console.SetOut(new ShownTextWriter(rawOut));
        Console.SetError(new ShownTextWriter(Console.Error));
    }
}

/// <summary>Untrusted text for the command's output: <see cref="ShownText.Of"/>, and the same escaped for Spectre markup.</summary>
public static class CliText
{
    /// <summary>One line, hidden characters escaped.</summary>
    public static string Plain(string? text) => ShownText.Of(text);

    /// <summary>One line, hidden characters escaped, and Spectre markup brackets escaped.</summary>
    public static string Markup(string? text) => Spectre.Console.Markup.Escape(ShownText.Of(text));
}
