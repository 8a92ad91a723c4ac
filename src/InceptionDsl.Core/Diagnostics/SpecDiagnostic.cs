using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Text;

namespace InceptionDsl.Diagnostics;

/// <summary>
/// One finding about a spec. Plain data with value equality so the generator can cache it and
/// turn it into a Roslyn diagnostic late, at the output step.
/// </summary>
public sealed record SpecDiagnostic(string Id, SpecSeverity Severity, string Message, SourceSpan Span)
{
    /// <summary>
    /// Other places that explain the finding, innermost first: the <c>use</c> of a block (with its
    /// argument values) whose body the error is in, the aux head that built it, the <c>defaults:</c>
    /// entry an option came from. Empty for most diagnostics.
    /// </summary>
    public EquatableArray<RelatedSpan> Related { get; init; } = EquatableArray<RelatedSpan>.Empty;

    /// <summary>
    /// This diagnostic with one more related place (none when it already has that place); the note is one line
    /// like the message (<see cref="MessageText"/>), since it quotes spec text too.
    /// </summary>
    public SpecDiagnostic WithRelated(SourceSpan span, string message) =>
        Related.Any(r => r.Span == span) || span == Span ? this : this with { Related = Related.Append(new RelatedSpan(span, MessageText.OneLine(message))).ToEquatableArray() };

    /// <summary>The related places as the compiler prints notes: <c>file(line,col): note: message</c>, one a line.</summary>
    public IEnumerable<string> RelatedLines() => Related.Select(r => $"{ShownText.Of(r.Span.Path)}({r.Span.Line},{r.Span.Column}): note: {r.Message}");

    /// <summary>The MSBuild/compiler format: <c>file(line,col): error IDSL001: message</c>.</summary>
    public override string ToString() =>
        $"{ShownText.Of(Span.Path)}({Span.Line},{Span.Column}): {Severity.ToString().ToLowerInvariant()} {Id}: {Message}";
}

/// <summary>A place related to a diagnostic, and what it has to do with it.</summary>
public sealed record RelatedSpan(SourceSpan Span, string Message);
