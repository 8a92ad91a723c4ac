using System.Collections.Immutable;
using InceptionDsl.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace InceptionDsl.Tests.Onnx;

/// <summary>The ONNX writers are emitted only when the compilation references InceptionDsl.Onnx.</summary>
public sealed class OnnxGeneratorTests
{
    [Fact]
    public void WithoutTheOnnxLibraryNoOnnxCodeIsEmitted()
    {
        var references = Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>()
            .Append(MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location));
        var compilation = CSharpCompilation.Create("NoOnnx", Array.Empty<SyntaxTree>(), references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable,
                specificDiagnosticOptions: new Dictionary<string, ReportDiagnostic> { ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress }));
        var spec = GeneratorHarness.ZooSpecs().Single(s => s.Path.EndsWith("googlenet.inception.yaml", StringComparison.Ordinal));
        var driver = GeneratorHarness.CreateDriver().AddAdditionalTexts(ImmutableArray.Create<AdditionalText>(new InMemoryAdditionalText(spec.Path, spec.Text)));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);

        var text = string.Concat(driver.GetRunResult().GeneratedTrees.Select(t => t.GetText().ToString()));
        Assert.Contains("class GoogLeNet", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InceptionDsl.Onnx", text, StringComparison.Ordinal);
        Assert.Empty(GeneratorHarness.CompileProblems(output));
    }

    [Fact]
    public void WithTheOnnxLibraryEveryModelAndBlockGetsAWriter()
    {
        var (run, output) = GeneratorHarness.Run(GeneratorHarness.ZooSpecs());
        Assert.Empty(GeneratorHarness.CompileProblems(output));
        var text = string.Concat(run.GeneratedTrees.Select(t => t.GetText().ToString()));
        Assert.Contains("global::InceptionDsl.Onnx.IOnnxExportable", text, StringComparison.Ordinal);
        Assert.Contains("string global::InceptionDsl.Onnx.IOnnxWritable.WriteOnnx(", text, StringComparison.Ordinal);
    }
}
