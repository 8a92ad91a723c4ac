using InceptionDsl.Diagnostics;
using InceptionDsl.Semantics;
using Xunit;

namespace InceptionDsl.Tests.Support;

/// <summary>Compiles spec text through the core pipeline (no Roslyn) for focused assertions.</summary>
public static class Specs
{
    /// <summary>A spec skeleton: 3x32x32 input, 10 classes, the given blocks and body (indented by two spaces).</summary>
    public static string Wrap(string body, string blocks = "", string extra = "") =>
        "model: TestNet\ninput: { channels: 3, size: 32 }\nclasses: 10\n"
        + (extra.Length > 0 ? extra + "\n" : "")
        + (blocks.Length > 0 ? "blocks:\n" + blocks + "\n" : "")
        + "body:\n" + body + "\n";

    public static ModelIR Model(string text)
    {
        var result = SpecCompiler.Compile("test.inception.yaml", text);
        Assert.True(!result.HasErrors, string.Join("\n", result.Diagnostics));
        return Assert.Single(result.Models);
    }

    public static SpecDiagnostic Error(string text)
    {
        var result = SpecCompiler.Compile("test.inception.yaml", text);
        return Assert.Single(result.Diagnostics, d => d.Severity == SpecSeverity.Error);
    }

    public static LayerRow Row(ModelIR model, string path) => Assert.Single(model.Layers, l => l.Path == path);
}
