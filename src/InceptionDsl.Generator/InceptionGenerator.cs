using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using InceptionDsl.Diagnostics;
using InceptionDsl.Emit;
using Microsoft.CodeAnalysis;

namespace InceptionDsl.Generator;

/// <summary>
/// Compiles each <c>*.inception.yaml</c> AdditionalFile into TorchSharp modules.
/// Pipeline: text -> <see cref="SpecResult"/> (parse, check, lower: value-equatable, cached per
/// file) -> C# per model. A spec with errors yields diagnostics and no source; other specs still
/// generate. Never throws: the core reports internal failures as IDSL099.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class InceptionGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, for incrementality tests.</summary>
    public static class Steps
    {
        public const string Specs = "InceptionDsl.Specs";
        public const string Compiled = "InceptionDsl.Compiled";
        public const string Options = "InceptionDsl.Options";
        public const string Models = "InceptionDsl.Models";
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var options = context.AnalyzerConfigOptionsProvider
            .Select(static (provider, _) => new EmitOptions(
                provider.GlobalOptions.TryGetValue("build_property.InceptionDslNamespace", out var ns) && IsNamespace(ns) ? ns : EmitOptions.Default.Namespace))
            .WithTrackingName(Steps.Options);

        var specs = context.AdditionalTextsProvider
            .Where(static file => IsSpec(file.Path))
            .Select(static (file, cancellationToken) => (file.Path, Text: file.GetText(cancellationToken)?.ToString() ?? ""))
            .WithTrackingName(Steps.Specs);

        var compiled = specs
            .Select(static (spec, _) => SpecCompiler.Compile(spec.Path, spec.Text))
            .WithTrackingName(Steps.Compiled);

        // Which spec owns each model name: the first by path. A second declaration is IDSL011.
        var owners = compiled.Collect()
            .Select(static (results, _) => Owners(results))
            .WithTrackingName(Steps.Models);

        context.RegisterSourceOutput(compiled.Combine(options).Combine(owners), static (output, input) =>
        {
            var ((result, emitOptions), ownership) = input;
            foreach (var diagnostic in result.Diagnostics)
                output.ReportDiagnostic(DiagnosticMapper.ToRoslyn(diagnostic));
            foreach (var model in result.Models)
            {
                var owner = ownership.First(o => o.Model == model.ClassName);
                if (owner.Path == result.Path)
                {
                    output.AddSource(ModelEmitter.HintName(model), ModelEmitter.Emit(model, emitOptions));
                    continue;
                }

                output.ReportDiagnostic(DiagnosticMapper.ToRoslyn(Descriptors.DuplicateModel.Create(
                    Text.SourceSpan.At(result.Path, 1, 1), model.ClassName, owner.Path)));
            }
        });

        // The shared types and the catalog need every model at once.
        var catalog = compiled.Collect()
            .Select(static (results, _) => results.OrderBy(r => r.Path, System.StringComparer.Ordinal)
                .SelectMany(r => r.Models).GroupBy(m => m.ClassName).Select(g => g.First()).ToEquatableArray());
        context.RegisterSourceOutput(catalog.Combine(options), static (output, pair) =>
        {
            var (all, emitOptions) = pair;
            output.AddSource(SupportEmitter.HintName, SupportEmitter.Emit(emitOptions));
            output.AddSource(ZooEmitter.HintName, ZooEmitter.Emit(all, emitOptions));
        });
    }

    /// <summary>Each model name with the path of the first spec (by path) that declares it.</summary>
    private static EquatableArray<ModelOwner> Owners(ImmutableArray<SpecResult> results) =>
        results.OrderBy(r => r.Path, System.StringComparer.Ordinal)
            .SelectMany(r => r.Models.Select(m => new ModelOwner(m.ClassName, r.Path)))
            .GroupBy(o => o.Model).Select(g => g.First()).ToEquatableArray();

    /// <summary>A model name and the spec that owns it.</summary>
    public sealed record ModelOwner(string Model, string Path);

    public static bool IsSpec(string path) =>
        path.EndsWith(".inception.yaml", System.StringComparison.OrdinalIgnoreCase) || path.EndsWith(".inception.yml", System.StringComparison.OrdinalIgnoreCase);

    private static bool IsNamespace(string text) =>
        text.Length > 0 && text.Split('.').All(part => Syntax.Identifiers.IsIdentifier(part) && !Syntax.Identifiers.IsKeyword(part));
}
