using InceptionDsl.Analysis.Source;
using InceptionDsl.Diagnostics;
using InceptionDsl.LanguageServer.Protocol;
using InceptionDsl.Syntax;

namespace InceptionDsl.LanguageServer.Features;

/// <summary>
/// Go to definition (<c>use:</c> targets, <c>$parameters</c>, <c>let</c> names, named arguments),
/// find references and rename, for blocks and parameters, within one spec (a spec is one file).
/// </summary>
public static class Navigation
{
    /// <summary>The declaration under the position, itself or through a use of it.</summary>
    public static Definition? Target(SourceIndex index, Position position)
    {
        var reference = index.References.FirstOrDefault(r => r.Range.Contains(position.Line, position.Character));
        if (reference is not null)
            return index.Resolve(reference);
        return index.Definitions.FirstOrDefault(d => d.NameRange.Contains(position.Line, position.Character)
            && d.Kind is DefinitionKind.Block or DefinitionKind.ModelParameter or DefinitionKind.BlockParameter or DefinitionKind.Let);
    }

    public static Location[] Definition(SpecAnalysis analysis, string uri, Position position) =>
        analysis.Index is { } index && Target(index, position) is { } target ? new[] { Lsp.Location(uri, target.NameRange) } : Array.Empty<Location>();

    public static Location[] References(SpecAnalysis analysis, string uri, Position position, bool includeDeclaration)
    {
        if (analysis.Index is not { } index || Target(index, position) is not { } target)
            return Array.Empty<Location>();
        var ranges = index.ReferencesTo(target).Select(r => r.Range);
        if (includeDeclaration)
            ranges = ranges.Prepend(target.NameRange);
        return ranges.Distinct().OrderBy(r => r.StartLine).ThenBy(r => r.StartCharacter).Select(r => Lsp.Location(uri, r)).ToArray();
    }

    public static PrepareRenameResult? PrepareRename(SpecAnalysis analysis, Position position)
    {
        if (analysis.Index is not { } index || Target(index, position) is not { } target)
            return null;
        var reference = index.References.FirstOrDefault(r => r.Range.Contains(position.Line, position.Character));
        return new PrepareRenameResult(Lsp.Range(reference?.Range ?? target.NameRange), target.Name);
    }

    /// <summary>LSP 3.17's RequestFailed: the request was valid but cannot be done (the editor shows the message).</summary>
    public const int RequestFailed = -32803;

    /// <summary>
    /// The edits renaming the declaration under the position and every use of it; null when there is nothing to rename
    /// there. A rename never makes a valid spec invalid: the new name must be a name of the alphabet, and the renamed
    /// text is checked as the build checks it (keywords, reserved and generated names, collisions); a name that would
    /// break it is refused with <see cref="RequestFailed"/> and the reason, and nothing is edited.
    /// </summary>
    public static WorkspaceEdit? Rename(SpecAnalysis analysis, string uri, Position position, string newName)
    {
        if (analysis.Index is not { } index || Target(index, position) is not { } target)
            return null;
        if (NameAlphabet.IdentifierProblem(newName) is { } problem)
            throw Refused($"{MessageText.OneLine("'" + newName + "'")} is not a name: {problem}");
        var ranges = index.ReferencesTo(target).Select(r => r.Range).Prepend(target.NameRange).Distinct().ToList();
        if (!analysis.Result.Diagnostics.Any(d => d.Severity == SpecSeverity.Error))
        {
            var renamed = SpecAnalysis.Analyze(analysis.Path, Apply(analysis.Lines, ranges, newName));
            if (renamed.Result.Diagnostics.FirstOrDefault(d => d.Severity == SpecSeverity.Error) is { } error)
                throw Refused($"renaming '{target.Name}' to '{newName}' would make the spec invalid: {error.Id}: {error.Message}");
        }

        var edits = ranges.Select(r => new TextEdit(Lsp.Range(r), newName)).ToArray();
        return new WorkspaceEdit(new Dictionary<string, TextEdit[]> { [uri] = edits });
    }

    private static StreamJsonRpc.LocalRpcException Refused(string message) => new(message) { ErrorCode = RequestFailed };

    /// <summary>The text with every range replaced by <paramref name="text"/> (ranges do not overlap).</summary>
    private static string Apply(TextLines lines, IEnumerable<TextRange> ranges, string text)
    {
        var result = new System.Text.StringBuilder(lines.Text);
        foreach (var range in ranges.OrderByDescending(r => r.StartLine).ThenByDescending(r => r.StartCharacter))
        {
            int start = lines.Offset(range.StartLine, range.StartCharacter), end = lines.Offset(range.EndLine, range.EndCharacter);
            result.Remove(start, end - start).Insert(start, text);
        }

        return result.ToString();
    }
}
