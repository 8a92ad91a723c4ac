using InceptionDsl.Text;

namespace InceptionDsl.Diagnostics;

/// <summary>
/// One finding about a spec. Plain data with value equality so the generator can cache it and
/// turn it into a Roslyn diagnostic late, at the output step.
/// </summary>
public sealed record SpecDiagnostic(string Id, SpecSeverity Severity, string Message, SourceSpan Span)
{
    /// <summary>The MSBuild/compiler format: <c>file(line,col): error IDSL001: message</c>.</summary>
    public override string ToString() =>
        $"{Span.Path}({Span.Line},{Span.Column}): {Severity.ToString().ToLowerInvariant()} {Id}: {Message}";
}
