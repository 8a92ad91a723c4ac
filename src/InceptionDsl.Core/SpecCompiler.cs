using System;
using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Diagnostics;
using InceptionDsl.Semantics;
using InceptionDsl.Syntax;
using InceptionDsl.Text;

namespace InceptionDsl;

/// <summary>What one spec file yields: its models (none when it has errors) and its diagnostics.</summary>
public sealed record SpecResult(string Path, EquatableArray<ModelIR> Models, EquatableArray<SpecDiagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.Severity == SpecSeverity.Error);

    /// <summary>
    /// Where each model is declared (its <c>model:</c> value or its variant), for diagnostics about a model as a
    /// whole, such as IDSL011. Kept beside the models, not in them, so that an edit which only moves lines
    /// leaves the models equal and the generator's cached output in place.
    /// </summary>
    public EquatableArray<ModelSite> Sites { get; init; }

    /// <summary>Where <paramref name="model"/> is declared in this spec (the file's start if it is not found).</summary>
    public SourceSpan SiteOf(string model) =>
        Sites.FirstOrDefault(s => s.Model == model)?.Span ?? SourceSpan.At(Path, 1, 1);
}

/// <summary>A model name and the place in its spec that declares it.</summary>
public sealed record ModelSite(string Model, SourceSpan Span);

/// <summary>
/// The front door of the pipeline: spec text in, checked models and diagnostics out. Used by the
/// source generator, the CLI and the tests alike. Never throws.
/// </summary>
public static class SpecCompiler
{
    public static SpecDocument? Parse(string path, string text, List<SpecDiagnostic> diagnostics)
    {
        try
        {
            return SpecReader.Read(path, text, diagnostics);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            diagnostics.Add(Descriptors.InternalError.Create(SourceSpan.At(path, 1, 1), exception.GetType().Name + ": " + exception.Message));
            return null;
        }
    }

    public static SpecResult Compile(string path, string text) => Compile(path, text, null);

    /// <summary>As <see cref="Compile(string, string)"/>, reporting each node lowered to <paramref name="observer"/>.</summary>
    public static SpecResult Compile(string path, string text, LoweringObserver? observer)
    {
        var diagnostics = new List<SpecDiagnostic>();
        var document = Parse(path, text, diagnostics);
        return document is null ? Result(path, new List<ModelIR>(), diagnostics, new List<ModelSite>()) : Analyze(document, diagnostics, observer);
    }

    /// <summary>Checks and lowers every model a parsed spec declares.</summary>
    public static SpecResult Analyze(SpecDocument document, List<SpecDiagnostic>? diagnostics = null, LoweringObserver? observer = null)
    {
        diagnostics ??= new List<SpecDiagnostic>();
        var models = new List<ModelIR>();
        var sites = new List<ModelSite>();
        try
        {
            if (document.Variants.Count > SpecLimits.MaxModels)
            {
                diagnostics.Add(Descriptors.LimitExceeded.Create(document.Variants[SpecLimits.MaxModels].Span,
                    $"The number of models in this spec ({document.Variants.Count})", SpecLimits.MaxModels.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                return Result(document.Path, models, diagnostics, sites);
            }

            // Names that would not compile (collisions with generated code, keywords, hint names) stop here.
            if (!NameChecks.Check(document, diagnostics))
                return Result(document.Path, models, diagnostics, sites);
            var seen = new Dictionary<string, SourceSpan>();
            var budget = new LayerBudget();

            foreach (var variant in document.Variants)
            {
                if (seen.TryGetValue(variant.Model, out var first))
                {
                    diagnostics.Add(Descriptors.DuplicateModel.Create(variant.Span, variant.Model, $"{first.Path}({first.Line},{first.Column})"));
                    continue;
                }

                seen[variant.Model] = variant.Span;
                try
                {
                    observer?.ModelStarted(document, variant.Model);
                    if (Lowerer.Lower(document, variant, diagnostics, budget, observer) is { } model)
                    {
                        models.Add(model);
                        sites.Add(new ModelSite(model.ClassName, variant.Span));
                    }
                }
                catch (OverflowException)
                {
                    diagnostics.Add(Descriptors.LimitExceeded.Create(variant.Span, $"The parameter or FLOP count of '{variant.Model}'", "2^63"));
                }
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            diagnostics.Add(Descriptors.InternalError.Create(document.Span, exception.GetType().Name + ": " + exception.Message));
        }

        return Result(document.Path, models, diagnostics, sites);
    }

    private static SpecResult Result(string path, List<ModelIR> models, List<SpecDiagnostic> diagnostics, List<ModelSite> sites)
    {
        // Class blocks are checked per use and once more for their class: report each finding once.
        var distinct = diagnostics.Distinct().OrderBy(d => d.Span.Line).ThenBy(d => d.Span.Column).ToList();
        if (distinct.Count > SpecLimits.MaxDiagnostics)
        {
            // A spec with 100,000 unknown keys gets the first findings and a count, not 100,000 lines.
            var first = distinct[SpecLimits.MaxDiagnostics];
            distinct = distinct.Take(SpecLimits.MaxDiagnostics).ToList();
            distinct.Add(Descriptors.LimitExceeded.Create(first.Span, "The number of diagnostics (the rest are not shown)",
                SpecLimits.MaxDiagnostics.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        bool failed = distinct.Any(d => d.Severity == SpecSeverity.Error);
        return new SpecResult(path, (failed ? new List<ModelIR>() : models).ToEquatableArray(), distinct.ToEquatableArray())
            { Sites = (failed ? new List<ModelSite>() : sites).ToEquatableArray() };
    }
}
