using InceptionDsl.Analysis.Source;
using InceptionDsl.LanguageServer.Protocol;

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

    /// <summary>The edits renaming the declaration under the position and every use of it; null when there is none or the new name is not a name.</summary>
    public static WorkspaceEdit? Rename(SpecAnalysis analysis, string uri, Position position, string newName)
    {
        if (analysis.Index is not { } index || Target(index, position) is not { } target || !IsName(newName))
            return null;
        var edits = index.ReferencesTo(target).Select(r => r.Range).Prepend(target.NameRange).Distinct()
            .Select(r => new TextEdit(Lsp.Range(r), newName)).ToArray();
        return new WorkspaceEdit(new Dictionary<string, TextEdit[]> { [uri] = edits });
    }

    private static bool IsName(string name) =>
        name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '_') && name.All(Lsp.IsWord);
}
