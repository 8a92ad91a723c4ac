using Google.Protobuf;
using InceptionDsl;
using InceptionDsl.Onnx;
using InceptionDsl.Syntax;
using InceptionDsl.Tests.Onnx;
using InceptionDsl.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Language;

/// <summary>
/// Every activation of <see cref="ActivationCatalog"/> wherever one is accepted: a node in a flat body, a
/// conv's <c>act</c> without bn (a functional step) and with bn (the conv unit), a seq member, a conv's
/// <c>act</c> in a seq (a module at the next position) and a gate's last node. Compiled in memory and
/// checked against the formula written out here (not TorchSharp's module for it), in train-free eval,
/// then fused, then exported to ONNX and run in ONNX Runtime.
/// </summary>
public sealed class ActivationTests
{
    /// <summary>Each activation's formula, written independently of the generated code.</summary>
    private static readonly Dictionary<string, Func<Tensor, Tensor>> Formula = new()
    {
        ["relu"] = x => x.clamp_min(0),
        ["relu6"] = x => x.clamp(0, 6),
        ["sigmoid"] = x => 1 / (1 + (-x).exp()),
        ["hard_sigmoid"] = x => (x + 3).clamp(0, 6) / 6,
        ["hardsigmoid"] = x => (x + 3).clamp(0, 6) / 6,
        ["hard_swish"] = x => x * (x + 3).clamp(0, 6) / 6,
        ["hardswish"] = x => x * (x + 3).clamp(0, 6) / 6,
        ["silu"] = x => x / (1 + (-x).exp()),
        ["swish"] = x => x / (1 + (-x).exp()),
        ["gelu"] = x => x * 0.5 * (1 + special.erf(x / Math.Sqrt(2))),
        ["tanh"] = x => (x.exp() - (-x).exp()) / (x.exp() + (-x).exp()),
    };

    public static TheoryData<string> Activations() => new(ActivationCatalog.Keys);

    private static string Spec(string act) => $$"""
        model: Act
        input: { channels: 3, size: 8 }
        classes: 4
        body:
          - { name: c1, conv: { filters: 6, k: 3, pad: 1, act: {{act}} } }
          - {{act}}
          - { name: u, conv: { filters: 6, k: 1, bn: true, act: {{act}} } }
          - name: s
            seq:
              - { conv: { filters: 6, k: 1, act: {{act}} } }
              - {{act}}
          - name: g
            gate:
              - adaptive_avgpool: 1
              - { name: gfc, conv: { filters: 6, k: 1 } }
              - {{act}}
          - global_avgpool
          - { name: fc, linear: $classes }
        """;

    [Fact]
    public void TheCatalogAndTheFormulasNameTheSameActivations() =>
        Assert.Equal(Formula.Keys.Order(), ActivationCatalog.Keys.Order());

    [Theory]
    [MemberData(nameof(Activations))]
    public void EveryPlaceComputesTheFormulaFusedAndInOnnxRuntime(string act)
    {
        var ir = Specs.Model(Spec(act));
        var kind = ActivationCatalog.TryGet(act, out var info) ? info.Kind : throw new InvalidOperationException(act);
        // The seq holds the conv at 0, its activation at 1 and the member at 2, as torchvision writes nn.Sequential.
        Assert.Equal(new[] { "conv", kind, kind }, ir.Body.Members.Single(m => m.StateName == "s").Children.Select(c => c.Kind));
        Assert.Equal(0, ir.Layers.Where(l => l.Kind == kind).Sum(l => l.Parameters));

        using var module = InMemoryModels.Load(("act.inception.yaml", Spec(act)))("Act");
        Assert.Equal(ir.Parameters, module.parameters().Sum(p => p.numel()));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        manual_seed(26);
        foreach (var (_, parameter) in module.named_parameters())
            parameter.copy_(randn_like(parameter) * 0.5);
        foreach (var (name, buffer) in module.named_buffers().Where(b => b.name.EndsWith("running_var", StringComparison.Ordinal)))
            buffer.copy_(rand_like(buffer) + 0.5);
        module.eval();
        var input = randn(2, 3, 8, 8) * 3;

        var p = module.state_dict();
        var a = Formula[act];
        var h = a(nn.functional.conv2d(input, p["c1.weight"], p["c1.bias"], padding: new long[] { 1, 1 }));
        h = a(h);
        h = a(nn.functional.batch_norm(nn.functional.conv2d(h, p["u.conv.weight"]), p["u.bn.running_mean"], p["u.bn.running_var"], p["u.bn.weight"], p["u.bn.bias"], false, 0.1, 1e-5));
        h = a(a(nn.functional.conv2d(h, p["s.0.weight"], p["s.0.bias"])));
        h = h * a(nn.functional.conv2d(nn.functional.adaptive_avg_pool2d(h, 1), p["gfc.weight"], p["gfc.bias"]));
        var expected = nn.functional.linear(nn.functional.adaptive_avg_pool2d(h, 1).flatten(1), p["fc.weight"], p["fc.bias"]);

        var output = module.forward(input);
        Assert.True(expected.allclose(output, rtol: 1e-5, atol: 1e-5), $"{act}: max |diff| {(expected - output).abs().max().item<float>()}");

        // ONNX (opset 17): written from the unfused model, run in ONNX Runtime.
        var proto = OnnxExport.ToModelProto((IOnnxExportable)module);
        OnnxFileChecks.AssertWellFormed(proto, "Act");
        using var session = new OnnxModelSession(proto.ToByteArray());
        var onnx = tensor(session.RunAll(input.data<float>().ToArray(), new[] { 2, 3, 8, 8 })[0].Values).reshape(2, 4);
        Assert.True(expected.allclose(onnx, rtol: 1e-4, atol: 1e-4), $"{act} ONNX: max |diff| {(expected - onnx).abs().max().item<float>()}");

        // Fuse() folds the unit's BatchNorm; the activation after it is kept.
        module.GetType().GetMethod("Fuse")!.Invoke(module, new object[] { false });
        var fused = module.forward(input);
        Assert.True(expected.allclose(fused, rtol: 1e-4, atol: 1e-4), $"{act} fused: max |diff| {(expected - fused).abs().max().item<float>()}");
    }

    [Theory]
    [InlineData("relu6", "conv-bn-relu6")]
    [InlineData("hardswish", "conv-bn-hard_swish")]
    [InlineData("relu", "conv-bn-relu")]
    public void AConvUnitsLabelNamesItsActivation(string act, string label)
    {
        var ir = Specs.Model(Spec(act));
        Assert.StartsWith(label + " ", Specs.Row(ir, "u").Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownActivationForActListsTheKinds()
    {
        var error = Specs.Error(Specs.Wrap("  - { name: c, conv: { filters: 4, k: 1, act: mish } }"));
        Assert.Equal("IDSL003", error.Id);
        Assert.Contains("relu6", error.Message, StringComparison.Ordinal);
        Assert.Contains("hard_swish", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("  - relu7")]
    [InlineData("  - { relu5: {} }")]
    [InlineData("  - { name: c, conv: { filters: 4, k: 1, act: relu8 } }")]
    public void ANameWithAnotherNumberIsNeverOfferedAsTheSameOperation(string node)
    {
        var errors = Errors(node);
        Assert.DoesNotContain(errors, e => e.Message.Contains("did you mean", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("  - elu", "ELU")]
    [InlineData("  - { leaky_relu: {} }", "LeakyReLU")]
    [InlineData("  - { name: c, conv: { filters: 4, k: 1, act: mish } }", "Mish")]
    public void AKnownOperationTheLanguageLacksIsExplainedNotCorrected(string node, string what)
    {
        var errors = Errors(node);
        Assert.DoesNotContain(errors, e => e.Message.Contains("did you mean", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Message.Contains(what, StringComparison.Ordinal)
            && e.Message.Contains("an operation the language does not have", StringComparison.Ordinal));
    }

    [Fact]
    public void ATypoOfAnActivationIsStillCorrected()
    {
        Assert.Equal(" (did you mean 'relu6'?)", DidYouMean.Hint("rellu6", ActivationCatalog.Keys));
        Assert.Equal(" (did you mean 'hard_swish'?)", DidYouMean.KindHint("hard_swsh", ActivationCatalog.Keys));
        Assert.DoesNotContain("did you mean", DidYouMean.Hint("layer3", new[] { "layer2" }));
    }

    private static List<InceptionDsl.Diagnostics.SpecDiagnostic> Errors(string node)
    {
        var errors = SpecCompiler.Compile("test.inception.yaml", Specs.Wrap(node)).Diagnostics
            .Where(d => d.Severity == InceptionDsl.Diagnostics.SpecSeverity.Error).ToList();
        Assert.NotEmpty(errors);
        return errors;
    }
}
