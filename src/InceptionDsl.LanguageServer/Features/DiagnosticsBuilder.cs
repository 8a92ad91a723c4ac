using System.Text.RegularExpressions;
using InceptionDsl.Analysis.Source;
using InceptionDsl.Diagnostics;
using InceptionDsl.LanguageServer.Protocol;

namespace InceptionDsl.LanguageServer.Features;

/// <summary>
/// The build's diagnostics of a spec as the protocol's: a range covering the word reported (the
/// reader gives a point for some YAML errors), and related locations for what a message points at:
/// the first declaration of a duplicate, the other file of a duplicate model, the declaration a
/// did-you-mean suggestion names; the code links to the diagnostic's section of docs/diagnostics.md.
/// </summary>
public static partial class DiagnosticsBuilder
{
    public const string Source = "inceptiondsl";

    public static Diagnostic[] Build(SpecAnalysis analysis, string uri) =>
        analysis.Result.Diagnostics.Select(d => Convert(d, analysis, uri)).ToArray();

    private static Diagnostic Convert(SpecDiagnostic diagnostic, SpecAnalysis analysis, string uri)
    {
        var range = TextRange.From(diagnostic.Span);
        if (range.IsEmpty)
        {
            var word = Lsp.WordAt(analysis.Lines, range.StartLine, range.StartCharacter);
            range = word.IsEmpty ? range with { EndCharacter = Math.Min(range.StartCharacter + 1, analysis.Lines.Line(range.StartLine).Length) } : word;
        }

        var severity = diagnostic.Severity switch
        {
            SpecSeverity.Error => DiagnosticSeverity.Error,
            SpecSeverity.Warning => DiagnosticSeverity.Warning,
            _ => DiagnosticSeverity.Information,
        };
        var related = Related(diagnostic, analysis, uri).ToArray();
        return new Diagnostic(Lsp.Range(range), severity, diagnostic.Id, Source, diagnostic.Message)
            { CodeDescription = new CodeDescription(DiagnosticHelp.Link(diagnostic.Id)), RelatedInformation = related.Length == 0 ? null : related };
    }

    [GeneratedRegex(@"first declared at line (\d+)")]
    private static partial Regex FirstLine();

    [GeneratedRegex(@"also in (.+)\((\d+),(\d+)\)\)")]
    private static partial Regex AlsoIn();

    /// <summary>The word a did-you-mean hint suggests (<see cref="InceptionDsl.Syntax.DidYouMean"/>'s text).</summary>
    [GeneratedRegex(@"did you mean '([^']+)'\?")]
    internal static partial Regex Suggestion();

    private static IEnumerable<DiagnosticRelatedInformation> Related(SpecDiagnostic diagnostic, SpecAnalysis analysis, string uri)
    {
        if (FirstLine().Match(diagnostic.Message) is { Success: true } first && int.TryParse(first.Groups[1].Value, out int line) && line >= 1 && line <= analysis.Lines.Count)
        {
            var text = analysis.Lines.Line(line - 1);
            int indent = text.Length - text.TrimStart().Length;
            yield return new(Lsp.Location(uri, new TextRange(line - 1, indent, line - 1, text.Length)), "first declared here");
        }

        if (AlsoIn().Match(diagnostic.Message) is { Success: true } also && int.TryParse(also.Groups[2].Value, out int otherLine) && int.TryParse(also.Groups[3].Value, out int otherColumn))
        {
            var path = also.Groups[1].Value;
            var otherUri = path == analysis.Path ? uri : new Uri(System.IO.Path.GetFullPath(path)).AbsoluteUri;
            yield return new(Lsp.Location(otherUri, new TextRange(otherLine - 1, otherColumn - 1, otherLine - 1, otherColumn - 1)), "also declared here");
        }

        // The block use (with its argument values), aux head or defaults entry the core relates the finding to.
        foreach (var place in diagnostic.Related)
            if (place.Span.Path == analysis.Path)
                yield return new(Lsp.Location(uri, TextRange.From(place.Span)), place.Message);

        if (Suggestion().Match(diagnostic.Message) is { Success: true } suggestion && analysis.Index is { } index)
        {
            var name = suggestion.Groups[1].Value;
            var scope = index.NodeAt(diagnostic.Span.Line - 1, diagnostic.Span.Column - 1)?.Block;
            var target = index.Block(name) ?? index.ResolveVariable(name, scope);
            if (target is not null)
                yield return new(Lsp.Location(uri, target.NameRange), $"'{name}' is declared here");
        }
    }
}
