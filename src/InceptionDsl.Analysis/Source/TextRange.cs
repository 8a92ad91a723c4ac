using InceptionDsl.Text;

namespace InceptionDsl.Analysis.Source;

/// <summary>A range of a text in 0-based lines and characters, end exclusive (the Language Server Protocol's convention).</summary>
public readonly record struct TextRange(int StartLine, int StartCharacter, int EndLine, int EndCharacter)
{
    /// <summary>A reader span (1-based, end exclusive) as a range; an empty span stays empty.</summary>
    public static TextRange From(SourceSpan span) =>
        new(Math.Max(0, span.Line - 1), Math.Max(0, span.Column - 1), Math.Max(0, span.EndLine - 1), Math.Max(0, span.EndColumn - 1));

    public bool IsEmpty => StartLine == EndLine && StartCharacter == EndCharacter;

    /// <summary>Whether the position lies in the range, its end included (a cursor just after a word is on it).</summary>
    public bool Contains(int line, int character) =>
        (line > StartLine || (line == StartLine && character >= StartCharacter)) && (line < EndLine || (line == EndLine && character <= EndCharacter));

    public bool Starts(SourceSpan span) => StartLine == span.Line - 1 && StartCharacter == span.Column - 1;
}
