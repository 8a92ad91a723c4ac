using Google.Protobuf;
using InceptionDsl.Onnx;
using InceptionDsl.Tests.Onnx;
using InceptionDsl.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Language;

/// <summary>
/// ConvNeXt's <c>layer_norm</c> (over channels), <c>channel_linear</c> and <c>layer_scale</c>: state_dict names and
/// shapes as torchvision's, a block using all three compiled in memory and checked against the operations written
/// out here (torchvision's permute, layer_norm, linear), fused, and exported to ONNX and run in ONNX Runtime.
/// </summary>
public sealed class ConvNeXtLayerTests
{
    private const string Spec = """
        model: Next
        input: { channels: 3, size: 8 }
        classes: 4
        blocks:
          Block:
            body:
              - residual:
                  body:
                    - name: block
                      seq: [ { conv: { filters: $in_channels, k: 3, pad: 1, groups: $in_channels } }, identity, { layer_norm: 1e-6 }, { channel_linear: 4 * $in_channels }, gelu, { channel_linear: $in_channels }, identity ]
                    - layer_scale: 0.5
        body:
          - { name: stem, seq: [ { conv: { filters: 6, k: 2, stride: 2 } }, { layer_norm: 1e-6 } ] }
          - { name: b, use: Block }
          - global_avgpool
          - { name: fc, linear: $classes }
        """;

    [Fact]
    public void NamesAndShapesAreTorchVisions()
    {
        using var module = InMemoryModels.Load(("next.inception.yaml", Spec))("Next");
        var shapes = module.state_dict().ToDictionary(p => p.Key, p => p.Value.shape);
        Assert.Equal(new long[] { 6 }, shapes["stem.1.weight"]);
        Assert.Equal(new long[] { 6, 1, 1 }, shapes["b.layer_scale"]);
        Assert.Equal(new long[] { 6 }, shapes["b.block.2.bias"]);
        Assert.Equal(new long[] { 24, 6 }, shapes["b.block.3.weight"]);
        Assert.Equal(new long[] { 6, 24 }, shapes["b.block.5.weight"]);
        Assert.Equal(Specs.Model(Spec).Parameters, module.parameters().Sum(p => p.numel()));
        // layer_scale starts at its declared value.
        Assert.True(module.state_dict()["b.layer_scale"].eq(0.5f).all().item<bool>());
    }

    [Fact]
    public void ForwardEqualsTorchVisionsOperationsFusedAndInOnnxRuntime()
    {
        using var module = InMemoryModels.Load(("next.inception.yaml", Spec))("Next");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        manual_seed(26);
        foreach (var (_, parameter) in module.named_parameters())
            parameter.copy_(randn_like(parameter) * 0.5);
        module.eval();
        var input = randn(2, 3, 8, 8);

        var p = module.state_dict();
        Tensor LayerNorm2d(Tensor x, string prefix) =>
            nn.functional.layer_norm(x.permute(0, 2, 3, 1), new long[] { x.shape[1] }, p[prefix + ".weight"], p[prefix + ".bias"], 1e-6).permute(0, 3, 1, 2);
        var h = LayerNorm2d(nn.functional.conv2d(input, p["stem.0.weight"], p["stem.0.bias"], strides: new long[] { 2, 2 }), "stem.1");
        var y = nn.functional.conv2d(h, p["b.block.0.weight"], p["b.block.0.bias"], padding: new long[] { 1, 1 }, groups: 6).permute(0, 2, 3, 1);
        y = nn.functional.layer_norm(y, new long[] { 6 }, p["b.block.2.weight"], p["b.block.2.bias"], 1e-6);
        y = nn.functional.linear(nn.functional.gelu(nn.functional.linear(y, p["b.block.3.weight"], p["b.block.3.bias"])), p["b.block.5.weight"], p["b.block.5.bias"]);
        h = h + p["b.layer_scale"] * y.permute(0, 3, 1, 2);
        var expected = nn.functional.linear(h.mean(new long[] { 2, 3 }), p["fc.weight"], p["fc.bias"]);

        var output = module.forward(input);
        Assert.True(expected.allclose(output, rtol: 1e-5, atol: 1e-5), $"max |diff| {(expected - output).abs().max().item<float>()}");

        var proto = OnnxExport.ToModelProto((IOnnxExportable)module);
        OnnxFileChecks.AssertWellFormed(proto, "Next");
        Assert.Contains(proto.Graph.Initializer, i => i.Name == "b.layer_scale");
        using var session = new OnnxModelSession(proto.ToByteArray());
        var onnx = tensor(session.RunAll(input.data<float>().ToArray(), new[] { 2, 3, 8, 8 })[0].Values).reshape(2, 4);
        Assert.True(expected.allclose(onnx, rtol: 1e-4, atol: 1e-4), $"ONNX: max |diff| {(expected - onnx).abs().max().item<float>()}");

        module.GetType().GetMethod("Fuse")!.Invoke(module, new object[] { true });
        var fused = module.forward(input);
        Assert.True(expected.allclose(fused, rtol: 1e-4, atol: 1e-4), $"fused: max |diff| {(expected - fused).abs().max().item<float>()}");
    }

    [Fact]
    public void ALayerScaleKeepsItsNameWhereItsFieldCannot()
    {
        const string spec = """
            model: Named
            input: { channels: 3, size: 8 }
            classes: 4
            body:
              - { name: c, conv: { filters: 6, k: 1 } }
              - { name: forward, layer_scale: 2 }
              - { name: "gamma-1", layer_scale: 3 }
              - global_avgpool
              - { name: fc, linear: $classes }
            """;
        using var module = InMemoryModels.Load(("named.inception.yaml", spec))("Named");
        var state = module.state_dict();
        Assert.True(state["forward"].eq(2f).all().item<bool>());
        Assert.True(state["gamma-1"].eq(3f).all().item<bool>());
    }

    [Theory]
    [InlineData("  - { name: c, conv: { filters: 6, k: 1 } }\n  - { name: s, seq: [ { layer_scale: 1e-6 } ] }", "IDSL", "a layer_scale is a parameter of its block")]
    [InlineData("  - { name: c, conv: { filters: 6, k: 1 } }\n  - { layer_scale: {} }", "IDSL", "init")]
    [InlineData("  - global_avgpool\n  - { name: n, layer_norm: 1e-6 }", "IDSL027", "needs a feature map")]
    public void MisuseIsAPreciseError(string body, string id, string text)
    {
        var error = Specs.Error(Specs.Wrap(body + "\n  - global_avgpool\n  - { name: fc, linear: $classes }"));
        Assert.StartsWith(id, error.Id, StringComparison.Ordinal);
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }
}
