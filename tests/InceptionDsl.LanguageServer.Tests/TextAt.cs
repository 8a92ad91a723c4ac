using InceptionDsl.LanguageServer.Protocol;

namespace InceptionDsl.LanguageServer.Tests;

/// <summary>Positions in a spec's text, found by the text written there.</summary>
public static class TextAt
{
    /// <summary>The position of the <paramref name="occurrence"/>-th <paramref name="needle"/> (0-based), plus <paramref name="offset"/> characters.</summary>
    public static Position Find(string text, string needle, int offset = 0, int occurrence = 0)
    {
        int at = -1;
        for (int i = 0; i <= occurrence; i++)
        {
            at = text.IndexOf(needle, at + 1, StringComparison.Ordinal);
            if (at < 0)
                throw new ArgumentException($"'{needle}' occurs fewer than {occurrence + 1} times");
        }

        at += offset;
        int line = text.AsSpan(0, at).Count('\n');
        int start = text.LastIndexOf('\n', Math.Max(0, at - 1)) + 1;
        if (at == 0)
            start = 0;
        return new Position(line, at - start);
    }

    /// <summary>The text with the edits applied (ranges in the original text, applied from the last).</summary>
    public static string Apply(string text, IEnumerable<TextEdit> edits)
    {
        var lines = new InceptionDsl.Analysis.Source.TextLines(text);
        foreach (var edit in edits.OrderByDescending(e => lines.Offset(e.Range.Start.Line, e.Range.Start.Character)))
        {
            int start = lines.Offset(edit.Range.Start.Line, edit.Range.Start.Character);
            int end = lines.Offset(edit.Range.End.Line, edit.Range.End.Character);
            text = text.Substring(0, start) + edit.NewText + text.Substring(end);
        }

        return text;
    }
}
