using InceptionDsl.Analysis.Source;
using InceptionDsl.LanguageServer.Protocol;

namespace InceptionDsl.LanguageServer.Features;

/// <summary>Conversions between the analysis's ranges and the protocol's.</summary>
internal static class Lsp
{
    public static Protocol.Range Range(TextRange range) =>
        new(new Position(range.StartLine, range.StartCharacter), new Position(range.EndLine, range.EndCharacter));

    public static TextRange FromLsp(Protocol.Range range) =>
        new(range.Start.Line, range.Start.Character, range.End.Line, range.End.Character);

    public static Location Location(string uri, TextRange range) => new(uri, Range(range));

    /// <summary>The identifier characters around a position on its line (letters, digits, _), or an empty range there.</summary>
    public static TextRange WordAt(TextLines lines, int line, int character)
    {
        var text = lines.Line(line);
        int start = Math.Clamp(character, 0, text.Length), end = start;
        while (start > 0 && IsWord(text[start - 1]))
            start--;
        while (end < text.Length && IsWord(text[end]))
            end++;
        return new TextRange(line, start, line, end);
    }

    public static bool IsWord(char c) => char.IsLetterOrDigit(c) || c == '_';
}
