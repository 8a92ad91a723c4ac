using System.Collections.Immutable;
using InceptionDsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace InceptionDsl.Tests.Support;

/// <summary>An additional file for the generator, held in memory.</summary>
public sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    private readonly SourceText _text = SourceText.From(text);

    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
}

/// <summary>
/// Runs the real source generator in memory on spec texts, the way the compiler does at build
/// time, and compiles the result against .NET 10 reference assemblies and TorchSharp.
/// </summary>
public static class GeneratorHarness
{
    private static readonly ImmutableArray<MetadataReference> References =
        Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>()
            .Append(MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location))
            // As in InceptionDsl.Models: with the ONNX library referenced, models get their ONNX writers.
            .Append(MetadataReference.CreateFromFile(typeof(InceptionDsl.Onnx.OnnxGraphBuilder).Assembly.Location))
            .Append(MetadataReference.CreateFromFile(typeof(global::Onnx.ModelProto).Assembly.Location))
            // As in InceptionDsl.Models and a project with InceptionDsl.Runtime: the support types implement the contracts.
            .Append(MetadataReference.CreateFromFile(typeof(InceptionDsl.Contracts.IGeneratedModel).Assembly.Location))
            .ToImmutableArray();

    public static CSharpCompilation EmptyCompilation(params string[] sources) => CSharpCompilation.Create("GeneratorTest",
        sources.Select(s => CSharpSyntaxTree.ParseText(s)),
        References,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable,
            generalDiagnosticOption: ReportDiagnostic.Error,
            // The SDK suppresses these unification notes too (TorchSharp targets net8.0's System.Runtime).
            specificDiagnosticOptions: new Dictionary<string, ReportDiagnostic> { ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress }));

    /// <summary>
    /// Runs the generator on one spec in a project that references TorchSharp alone (neither InceptionDsl.Onnx nor
    /// InceptionDsl.Contracts); returns the generated text and the compilation with it.
    /// </summary>
    public static (string Text, Compilation Output) RunWithTorchSharpOnly((string Path, string Text) spec)
    {
        var references = Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>()
            .Append(MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location));
        var compilation = CSharpCompilation.Create("TorchSharpOnly", Array.Empty<SyntaxTree>(), references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable,
                specificDiagnosticOptions: new Dictionary<string, ReportDiagnostic> { ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress }));
        var driver = CreateDriver().AddAdditionalTexts(ImmutableArray.Create<AdditionalText>(new InMemoryAdditionalText(spec.Path, spec.Text)));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return (string.Concat(driver.GetRunResult().GeneratedTrees.Select(t => t.GetText().ToString())), output);
    }

    public static GeneratorDriver CreateDriver(bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(new[] { new InceptionGenerator().AsSourceGenerator() },
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator on the specs; returns the run and the compilation with the generated code.</summary>
    public static (GeneratorDriverRunResult Run, Compilation Output) Run(params (string Path, string Text)[] specs) => RunIn(null, specs);

    /// <summary>
    /// Runs the generator as a project whose <c>InceptionDslNamespace</c> is <paramref name="namespace"/> (null: the
    /// default) would; returns the run and the compilation with the generated code.
    /// </summary>
    public static (GeneratorDriverRunResult Run, Compilation Output) RunIn(string? @namespace, params (string Path, string Text)[] specs)
    {
        var driver = CreateDriver().AddAdditionalTexts(specs.Select(s => (AdditionalText)new InMemoryAdditionalText(s.Path, s.Text)).ToImmutableArray());
        if (@namespace is not null)
            driver = driver.WithUpdatedAnalyzerConfigOptions(new ProjectProperties(new Dictionary<string, string> { ["build_property.InceptionDslNamespace"] = @namespace }));
        driver = driver.RunGeneratorsAndUpdateCompilation(EmptyCompilation(), out var output, out _);
        return (driver.GetRunResult(), output);
    }

    /// <summary>Compiler errors and warnings of the generated code (warnings are errors here).</summary>
    public static IReadOnlyList<Diagnostic> CompileProblems(Compilation output) =>
        output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();

    /// <summary>The specs/ folder of the repository.</summary>
    public static string SpecsDir => Path.Combine(InceptionDsl.Reference.ReferencePaths.RepoRoot, "specs");

    public static (string Path, string Text)[] ZooSpecs() =>
        Directory.EnumerateFiles(SpecsDir, "*.inception.yaml").Order(StringComparer.Ordinal)
            .Select(p => (p, File.ReadAllText(p))).ToArray();
}

/// <summary>The MSBuild properties a project shows the generator (<c>build_property.*</c> global options).</summary>
public sealed class ProjectProperties(IReadOnlyDictionary<string, string> properties) : AnalyzerConfigOptionsProvider
{
    private sealed class Options(IReadOnlyDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }

    private static readonly AnalyzerConfigOptions None = new Options(new Dictionary<string, string>());

    public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(properties);

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => None;

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => None;
}

/// <summary>Compiles generated code to an in-memory assembly and instantiates its models.</summary>
public static class InMemoryModels
{
    /// <summary>Generates, compiles and loads the specs; returns a factory for a model class by name.</summary>
    public static Func<string, TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>> Load(params (string Path, string Text)[] specs)
        => LoadIn("InceptionDsl.Models", specs);

    /// <summary>As <see cref="Load"/>, generated into <paramref name="namespace"/> (a project's <c>InceptionDslNamespace</c>).</summary>
    public static Func<string, TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>> LoadIn(string @namespace, params (string Path, string Text)[] specs)
    {
        var assembly = AssemblyIn(@namespace, specs);
        return name =>
        {
            var type = assembly.GetType(@namespace + "." + name) ?? throw new ArgumentException("no model " + name);
            var constructor = type.GetConstructors().Single();
            var arguments = constructor.GetParameters().Select(p => p.DefaultValue).ToArray();
            return (TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>)constructor.Invoke(arguments);
        };
    }

    /// <summary>Generates the specs into <paramref name="namespace"/>, compiles them and loads the assembly.</summary>
    public static System.Reflection.Assembly AssemblyIn(string @namespace, params (string Path, string Text)[] specs)
    {
        var (run, output) = GeneratorHarness.RunIn(@namespace, specs);
        if (run.Diagnostics.Length > 0)
            throw new InvalidOperationException(string.Join("\n", run.Diagnostics));
        using var stream = new MemoryStream();
        var emitted = output.Emit(stream);
        if (!emitted.Success)
            throw new InvalidOperationException(string.Join("\n", emitted.Diagnostics));
        return System.Reflection.Assembly.Load(stream.ToArray());
    }
}
