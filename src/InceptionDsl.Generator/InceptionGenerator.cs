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
/// file) -> <see cref="SpecOutput"/> (C# text and diagnostics per spec, plain values) -> sources.
/// Every step carries a tracking name (<see cref="Steps"/>). A spec with errors yields diagnostics and no source; other specs still
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
        public const string AllCompiled = "InceptionDsl.AllCompiled";
        public const string Models = "InceptionDsl.Models";
        public const string EmitInputs = "InceptionDsl.EmitInputs";
        public const string Emitted = "InceptionDsl.Emitted";
        public const string Catalog = "InceptionDsl.Catalog";
        public const string CatalogInputs = "InceptionDsl.CatalogInputs";

        /// <summary>Every tracking name above, in pipeline order.</summary>
        public static readonly string[] All = { Options, Specs, Compiled, AllCompiled, Models, EmitInputs, Emitted, Catalog, CatalogInputs };
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Whether the compilation references InceptionDsl.Onnx and InceptionDsl.Contracts: plain bools, so the
        // pipeline stays value-equatable (as System.Text.Json's generator checks for its types).
        var references = context.CompilationProvider
            .Select(static (compilation, _) => (Onnx: compilation.GetTypeByMetadataName(OnnxEmitter.BuilderMetadataName) is not null,
                Contracts: compilation.GetTypeByMetadataName(ContractsBinding.MetadataName) is not null));
        var options = context.AnalyzerConfigOptionsProvider
            .Select(static (provider, _) => provider.GlobalOptions.TryGetValue("build_property.InceptionDslNamespace", out var ns) && IsNamespace(ns) ? ns : EmitOptions.Default.Namespace)
            .Combine(references)
            .Select(static (pair, _) => new EmitOptions(pair.Left, pair.Right.Onnx, pair.Right.Contracts))
            .WithTrackingName(Steps.Options);

        var specs = context.AdditionalTextsProvider
            .Where(static file => IsSpec(file.Path))
            .Select(static (file, cancellationToken) => (file.Path, Text: file.GetText(cancellationToken)?.ToString() ?? ""))
            .WithTrackingName(Steps.Specs);

        var compiled = specs
            .Select(static (spec, _) => SpecCompiler.Compile(spec.Path, spec.Text))
            .WithTrackingName(Steps.Compiled);

        var allCompiled = compiled.Collect().WithTrackingName(Steps.AllCompiled);

        // Which spec owns each model name: the first by path. A second declaration is IDSL011.
        var owners = allCompiled
            .Select(static (results, _) => Owners(results))
            .WithTrackingName(Steps.Models);

        // C# per spec as plain strings: a spec edit that leaves the emitted text as it was (whitespace,
        // comments) stops here as Unchanged, and its source output is not redone.
        var emitted = compiled.Combine(options).Combine(owners)
            .WithTrackingName(Steps.EmitInputs)
            .Select(static (input, _) => Emit(input.Left.Left, input.Left.Right, input.Right))
            .WithTrackingName(Steps.Emitted);

        context.RegisterSourceOutput(emitted, static (output, spec) =>
        {
            foreach (var diagnostic in spec.Diagnostics)
                output.ReportDiagnostic(DiagnosticMapper.ToRoslyn(diagnostic));
            foreach (var file in spec.Files)
                AddSource(output, file, spec.Path);
        });

        // The shared types and the catalog need every model at once.
        var catalog = allCompiled
            .Select(static (results, _) => results.OrderBy(r => r.Path, System.StringComparer.Ordinal)
                .SelectMany(r => r.Models).GroupBy(m => m.ClassName, System.StringComparer.OrdinalIgnoreCase).Select(g => g.First()).ToEquatableArray())
            .WithTrackingName(Steps.Catalog);
        context.RegisterSourceOutput(catalog.Combine(options).WithTrackingName(Steps.CatalogInputs), static (output, pair) =>
        {
            var (all, emitOptions) = pair;
            output.AddSource(SupportEmitter.HintName, SupportEmitter.Emit(emitOptions));
            string zoo;
            try
            {
                zoo = ZooEmitter.Emit(all, emitOptions);
            }
            catch (System.Exception exception) when (exception is not System.OperationCanceledException)
            {
                // Never throw (a throwing generator loses every model of the project, CS8785): report and go on.
                output.ReportDiagnostic(DiagnosticMapper.ToRoslyn(Descriptors.InternalError.Create(Text.SourceSpan.At(all.Count > 0 ? all[0].SpecPath : "", 1, 1),
                    exception.GetType().Name + " while writing the model catalog: " + exception.Message)));
                return;
            }

            AddSource(output, new GeneratedFile(ZooEmitter.HintName, zoo), all.Count > 0 ? all[0].SpecPath : "");
        });
    }

    /// <summary>
    /// The C# files and diagnostics of one spec: its own diagnostics, then per model either its
    /// source or IDSL011 when an earlier spec (by path) owns the model name.
    /// </summary>
    private static SpecOutput Emit(SpecResult result, EmitOptions emitOptions, EquatableArray<ModelOwner> ownership)
    {
        var files = new List<GeneratedFile>();
        var diagnostics = new List<SpecDiagnostic>(result.Diagnostics);
        try
        {
            foreach (var model in result.Models)
            {
                // Hint names are compared ignoring case: a model differing only in case from another spec's is a duplicate.
                var owner = ownership.First(o => string.Equals(o.Model, model.ClassName, System.StringComparison.OrdinalIgnoreCase));
                if (owner.Path == result.Path)
                {
                    files.Add(new GeneratedFile(ModelEmitter.HintName(model), ModelEmitter.Emit(model, emitOptions, out var onnxGap)));
                    if (onnxGap is not null)
                        diagnostics.Add(Descriptors.NoOnnxExport.Create(result.SiteOf(model.ClassName), model.ClassName, onnxGap));
                }
                else
                    diagnostics.Add(Descriptors.DuplicateModel.Create(result.SiteOf(model.ClassName), model.ClassName, owner.Path));
            }
        }
        catch (System.Exception exception) when (exception is not System.OperationCanceledException)
        {
            // An emitter failure is this spec's IDSL099; the other specs still generate.
            files.Clear();
            diagnostics.Add(Descriptors.InternalError.Create(Text.SourceSpan.At(result.Path, 1, 1), exception.GetType().Name + ": " + exception.Message));
        }

        return new SpecOutput(result.Path, files.ToEquatableArray(), diagnostics.ToEquatableArray());
    }

    /// <summary>Adds a file; a hint name Roslyn refuses is this spec's IDSL099, never an exception out of the generator.</summary>
    private static void AddSource(SourceProductionContext output, GeneratedFile file, string specPath)
    {
        try
        {
            output.AddSource(file.HintName, file.Source);
        }
        catch (System.ArgumentException exception)
        {
            output.ReportDiagnostic(DiagnosticMapper.ToRoslyn(Descriptors.InternalError.Create(Text.SourceSpan.At(specPath, 1, 1),
                "the generated file '" + file.HintName + "' was refused: " + exception.Message.Split('\n')[0].TrimEnd('\r'))));
        }
    }

    /// <summary>One generated file: hint name and C# text.</summary>
    public sealed record GeneratedFile(string HintName, string Source);

    /// <summary>What one spec contributes to the compilation: files and diagnostics, all plain values.</summary>
    public sealed record SpecOutput(string Path, EquatableArray<GeneratedFile> Files, EquatableArray<SpecDiagnostic> Diagnostics);

    /// <summary>Each model name with the path of the first spec (by path) that declares it.</summary>
    private static EquatableArray<ModelOwner> Owners(ImmutableArray<SpecResult> results) =>
        results.OrderBy(r => r.Path, System.StringComparer.Ordinal)
            .SelectMany(r => r.Models.Select(m => new ModelOwner(m.ClassName, r.Path)))
            .GroupBy(o => o.Model, System.StringComparer.OrdinalIgnoreCase).Select(g => g.First()).ToEquatableArray();

    /// <summary>A model name and the spec that owns it.</summary>
    public sealed record ModelOwner(string Model, string Path);

    public static bool IsSpec(string path) =>
        path.EndsWith(".inception.yaml", System.StringComparison.OrdinalIgnoreCase) || path.EndsWith(".inception.yml", System.StringComparison.OrdinalIgnoreCase);

    private static bool IsNamespace(string text) =>
        text.Length > 0 && text.Split('.').All(part => Syntax.Identifiers.IsIdentifier(part) && !Syntax.Identifiers.IsKeyword(part));
}
