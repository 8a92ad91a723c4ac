using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace InceptionDsl.Generator;

/// <summary>Turns the pipeline's plain diagnostics into Roslyn diagnostics located in the YAML file.</summary>
internal static class DiagnosticMapper
{
    /// <summary>The category of every InceptionDsl diagnostic (AnalyzerReleases.*.md lists it too).</summary>
    internal const string Category = "InceptionDsl";

    private static readonly Dictionary<string, DiagnosticDescriptor> Descriptors = Build();

    public static Diagnostic ToRoslyn(SpecDiagnostic diagnostic)
    {
        var descriptor = Descriptors.TryGetValue(diagnostic.Id, out var known) ? known : Descriptors["IDSL099"];
        var start = new LinePosition(diagnostic.Span.Line - 1, diagnostic.Span.Column - 1);
        var end = new LinePosition(System.Math.Max(diagnostic.Span.EndLine, diagnostic.Span.Line) - 1,
            diagnostic.Span.EndLine > diagnostic.Span.Line || diagnostic.Span.EndColumn > diagnostic.Span.Column ? diagnostic.Span.EndColumn - 1 : diagnostic.Span.Column - 1);
        var location = Location.Create(diagnostic.Span.Path, new TextSpan(0, 0), new LinePositionSpan(start, end));
        // Related places (the use that instantiated a block, a defaults: entry) go with the diagnostic for IDEs.
        var related = diagnostic.Related.Count == 0 ? null : diagnostic.Related.Select(r => At(r.Span)).ToList();
        return Diagnostic.Create(descriptor, location, effectiveSeverity: Map(diagnostic.Severity), additionalLocations: related, properties: null, diagnostic.Message);
    }

    private static Location At(InceptionDsl.Text.SourceSpan span)
    {
        var position = new LinePosition(System.Math.Max(span.Line, 1) - 1, System.Math.Max(span.Column, 1) - 1);
        return Location.Create(span.Path, new TextSpan(0, 0), new LinePositionSpan(position, position));
    }

    private static DiagnosticSeverity Map(SpecSeverity severity) => severity switch
    {
        SpecSeverity.Error => DiagnosticSeverity.Error,
        SpecSeverity.Warning => DiagnosticSeverity.Warning,
        _ => DiagnosticSeverity.Info,
    };

    private static Dictionary<string, DiagnosticDescriptor> Build()
    {
        var map = new Dictionary<string, DiagnosticDescriptor>();
        foreach (var descriptor in InceptionDsl.Diagnostics.Descriptors.All)
        {
            map[descriptor.Id] = new DiagnosticDescriptor(descriptor.Id, descriptor.Title, "{0}", Category, Map(descriptor.Severity),
                isEnabledByDefault: true, helpLinkUri: descriptor.HelpLink);
        }

        return map;
    }
}
