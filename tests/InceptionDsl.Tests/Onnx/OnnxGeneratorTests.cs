using InceptionDsl.Tests.Support;
using Xunit;

namespace InceptionDsl.Tests.Onnx;

/// <summary>The ONNX writers are emitted only when the compilation references InceptionDsl.Onnx.</summary>
public sealed class OnnxGeneratorTests
{
    [Fact]
    public void WithoutTheOnnxLibraryNoOnnxCodeIsEmitted()
    {
        var spec = GeneratorHarness.ZooSpecs().Single(s => s.Path.EndsWith("googlenet.inception.yaml", StringComparison.Ordinal));
        var (text, output) = GeneratorHarness.RunWithTorchSharpOnly(spec);

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
