using System.Text.RegularExpressions;
using InceptionDsl.Analysis.Source;
using InceptionDsl.LanguageServer.Protocol;

namespace InceptionDsl.LanguageServer.Features;

/// <summary>
/// Quick fixes for the diagnostics in a range: apply a did-you-mean suggestion (the misspelt word is
/// the first one the message quotes, found from the diagnostic's start), and indent with spaces where
/// a tab indents a line (YAML forbids tabs there).
/// </summary>
public static partial class CodeActions
{
    [GeneratedRegex(@"'\$?([^']+)'")]
    private static partial Regex Quoted();

    public static CodeAction[] For(SpecAnalysis analysis, string uri, CodeActionParams request)
    {
        var actions = new List<CodeAction>();
        foreach (var diagnostic in request.Context.Diagnostics ?? Array.Empty<Diagnostic>())
        {
            if (diagnostic.Source != DiagnosticsBuilder.Source)
                continue;
            if (DiagnosticsBuilder.Suggestion().Match(diagnostic.Message) is { Success: true } suggestion && Quoted().Match(diagnostic.Message) is { Success: true } quoted)
            {
                var wrong = quoted.Groups[1].Value;
                var right = suggestion.Groups[1].Value;
                if (Find(analysis.Lines, wrong, diagnostic.Range.Start) is { } at)
                    actions.Add(Replace($"Change '{wrong}' to '{right}'", uri, at, right, diagnostic));
            }

            if (diagnostic.Code == "IDSL001" && TabIndent(analysis.Lines) is { } tabs)
            {
                var edits = tabs.Select(t => new TextEdit(Lsp.Range(t.Range), t.Spaces)).ToArray();
                actions.Add(new CodeAction("Indent with spaces instead of tabs", "quickfix", new WorkspaceEdit(new() { [uri] = edits })) { Diagnostics = new[] { diagnostic }, IsPreferred = true });
            }
        }

        return actions.ToArray();
    }

    private static CodeAction Replace(string title, string uri, TextRange range, string text, Diagnostic diagnostic) =>
        new(title, "quickfix", new WorkspaceEdit(new() { [uri] = new[] { new TextEdit(Lsp.Range(range), text) } })) { Diagnostics = new[] { diagnostic }, IsPreferred = true };

    /// <summary>The first whole-word occurrence of <paramref name="word"/> from <paramref name="from"/> to the end of the next line.</summary>
    private static TextRange? Find(TextLines lines, string word, Position from)
    {
        for (int line = from.Line; line <= from.Line + 1 && line < lines.Count; line++)
        {
            var text = lines.Line(line);
            for (int at = text.IndexOf(word, line == from.Line ? Math.Min(from.Character, text.Length) : 0, StringComparison.Ordinal); at >= 0; at = text.IndexOf(word, at + 1, StringComparison.Ordinal))
            {
                bool whole = (at == 0 || !Lsp.IsWord(text[at - 1])) && (at + word.Length >= text.Length || !Lsp.IsWord(text[at + word.Length]));
                if (whole)
                    return new TextRange(line, at, line, at + word.Length);
            }
        }

        return null;
    }

    /// <summary>The tabs in the leading whitespace of every line, each as spaces (2 per tab), when any line has one.</summary>
    private static List<(TextRange Range, string Spaces)>? TabIndent(TextLines lines)
    {
        var edits = new List<(TextRange, string)>();
        for (int line = 0; line < lines.Count; line++)
        {
            var text = lines.Line(line);
            int indent = 0;
            while (indent < text.Length && (text[indent] == ' ' || text[indent] == '\t'))
                indent++;
            if (text.AsSpan(0, indent).Contains('\t'))
                edits.Add((new TextRange(line, 0, line, indent), text.Substring(0, indent).Replace("\t", "  ")));
        }

        return edits.Count == 0 ? null : edits;
    }
}
