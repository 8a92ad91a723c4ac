using InceptionDsl.Diagnostics;
using InceptionDsl.Emit;
using InceptionDsl.Semantics;
using InceptionDsl.Tests.Support;
using Xunit;

namespace InceptionDsl.Tests.Onnx;

/// <summary>
/// A model with a step the ONNX writer has no form for is still generated (its C# forward works), without ONNX export,
/// and the generator says so (IDSL090, a warning at the model's declaration) instead of dropping the writer silently.
/// </summary>
public sealed class OnnxGapTests
{
    private static ModelIR Mini()
    {
        var spec = GeneratorHarness.ZooSpecs().Single(s => s.Path.EndsWith("mini_inception.inception.yaml", StringComparison.Ordinal));
        return SpecCompiler.Compile(spec.Path, spec.Text).Models.Single();
    }

    /// <summary>The model with its first operation renamed to one the ONNX writer does not know (the C# format is kept).</summary>
    private static ModelIR WithUnknownOperation(ModelIR model)
    {
        var forward = model.Body.Forward.ToList();
        int first = forward.FindIndex(s => s is FunctionalStep);
        forward[first] = ((FunctionalStep)forward[first]) with { Kind = "softplus" };
        return model with { Body = model.Body with { Forward = forward.ToEquatableArray() } };
    }

    [Fact]
    public void AStepWithoutAnOnnxFormLeavesTheModelWithoutOnnxExportAndSaysWhy()
    {
        var options = new EmitOptions("InceptionDsl.Models", Onnx: true);
        var whole = ModelEmitter.Emit(Mini(), options, out var none);
        Assert.Null(none);
        Assert.Contains("global::InceptionDsl.Onnx.IOnnxExportable", whole, StringComparison.Ordinal);

        var gapped = ModelEmitter.Emit(WithUnknownOperation(Mini()), options, out var gap);
        Assert.Equal("no ONNX form for the operation 'softplus'", gap);
        Assert.DoesNotContain("InceptionDsl.Onnx", gapped, StringComparison.Ordinal);
        Assert.Contains("public sealed partial class MiniInception", gapped, StringComparison.Ordinal);

        var diagnostic = Descriptors.NoOnnxExport.Create(Text.SourceSpan.At("mini.inception.yaml", 2, 8), "MiniInception", gap!);
        Assert.Equal("IDSL090", diagnostic.Id);
        Assert.Equal(SpecSeverity.Warning, diagnostic.Severity);
        Assert.Equal("mini.inception.yaml(2,8): warning IDSL090: Model 'MiniInception' is generated without ONNX export (it does not implement IOnnxExportable): "
            + "no ONNX form for the operation 'softplus'", diagnostic.ToString());
    }

    [Fact]
    public void EveryZooModelHasItsOnnxWriter()
    {
        var (run, _) = GeneratorHarness.Run(GeneratorHarness.ZooSpecs());
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == "IDSL090");
    }
}
