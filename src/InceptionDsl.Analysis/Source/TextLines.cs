namespace InceptionDsl.Analysis.Source;

/// <summary>
/// A text's line starts: converts between character offsets and 0-based (line, character) positions,
/// characters counted in UTF-16 code units as the Language Server Protocol does by default and as the
/// YAML reader's columns are.
/// </summary>
public sealed class TextLines
{
    private readonly int[] _starts;

    public TextLines(string text)
    {
        Text = text;
        var starts = new List<int> { 0 };
        for (int i = 0; i < text.Length; i++)
            if (text[i] == '\n')
                starts.Add(i + 1);
        _starts = starts.ToArray();
    }

    public string Text { get; }

    public int Count => _starts.Length;

    /// <summary>The offset of a 0-based position, clamped into the text (a character past the line's end means its end).</summary>
    public int Offset(int line, int character)
    {
        if (line < 0)
            return 0;
        if (line >= _starts.Length)
            return Text.Length;
        int end = LineEnd(line);
        return Math.Min(_starts[line] + Math.Max(0, character), end);
    }

    /// <summary>The 0-based position of an offset.</summary>
    public (int Line, int Character) Position(int offset)
    {
        offset = Math.Clamp(offset, 0, Text.Length);
        int line = Array.BinarySearch(_starts, offset);
        if (line < 0)
            line = ~line - 1;
        return (line, offset - _starts[line]);
    }

    /// <summary>The offset where <paramref name="line"/>'s text ends (before its line break).</summary>
    public int LineEnd(int line)
    {
        if (line + 1 < _starts.Length)
        {
            int end = _starts[line + 1] - 1;
            return end > _starts[line] && Text[end - 1] == '\r' ? end - 1 : end;
        }

        return Text.Length;
    }

    /// <summary>The text of a 0-based line, without its line break.</summary>
    public string Line(int line) =>
        line < 0 || line >= _starts.Length ? "" : Text.Substring(_starts[line], LineEnd(line) - _starts[line]);
}
