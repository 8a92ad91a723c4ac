using Google.Protobuf;
using InceptionDsl.Onnx;
using InceptionDsl.Tests.Onnx;
using InceptionDsl.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Language;

/// <summary>
/// ShuffleNetV2's channel split (<c>chunk</c>) and <c>channel_shuffle</c>: shapes and messages, and a block that
/// uses both (in a flat body, in a concat branch and in a seq), compiled in memory and checked against the
/// operations written out here with TorchSharp's own ops, then exported to ONNX and run in ONNX Runtime.
/// </summary>
public sealed class ChannelOpsTests
{
    private const string Spec = """
        model: Shuffle
        input: { channels: 3, size: 8 }
        classes: 4
        blocks:
          Unit:
            params: [half]
            body:
              - concat:
                  - chunk: { parts: 2, index: 0 }
                  - - chunk: 1
                    - { name: branch2, seq: [ { conv: { filters: $half, k: 1 } }, { bn: {} }, relu ] }
              - channel_shuffle: 2
        body:
          - { name: stem, conv: { filters: 12, k: 3, pad: 1 } }
          - { name: unit, use: Unit, args: { half: 6 } }
          - { name: s, seq: [ { channel_shuffle: 3 }, { chunk: { parts: 3, index: 2 } } ] }
          - global_avgpool
          - { name: fc, linear: $classes }
        """;

    /// <summary>torchvision's channel_shuffle, written out.</summary>
    private static Tensor Shuffle(Tensor x, long groups)
    {
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        return x.reshape(n, groups, c / groups, h, w).permute(0, 2, 1, 3, 4).reshape(n, c, h, w);
    }

    [Fact]
    public void ShapesFollowTheSplitAndTheShuffleKeepsThem()
    {
        var ir = Specs.Model(Spec);
        Assert.Equal(12, Specs.Row(ir, "unit").Shape.Channels);
        Assert.Equal(4, Specs.Row(ir, "s").Shape.Channels);
        // No parameters of their own: the state_dict is the convs', BatchNorm's and fc's.
        Assert.Equal(3 * 12 * 9 + 12 + 6 * 6 + 6 + 2 * 6 + 4 * 4 + 4, ir.Parameters);
        Assert.Equal(new[] { "channel_shuffle", "chunk" }, ir.Body.Members.Single(m => m.StateName == "s").Children.Select(c => c.Kind));
    }

    [Fact]
    public void ForwardEqualsTheOperationsWrittenOutAndOnnxRuntimeAgrees()
    {
        using var module = InMemoryModels.Load(("shuffle.inception.yaml", Spec))("Shuffle");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        manual_seed(26);
        foreach (var (_, parameter) in module.named_parameters())
            parameter.copy_(randn_like(parameter) * 0.5);
        module.eval();
        var input = randn(2, 3, 8, 8);

        var p = module.state_dict();
        Assert.DoesNotContain(p.Keys, k => k.Contains("shuffle", StringComparison.Ordinal) || k.Contains("chunk", StringComparison.Ordinal));
        var x = nn.functional.conv2d(input, p["stem.weight"], p["stem.bias"], padding: new long[] { 1, 1 });
        var halves = x.chunk(2, 1);
        var b = nn.functional.conv2d(halves[1], p["unit.branch2.0.weight"], p["unit.branch2.0.bias"]);
        b = nn.functional.relu(nn.functional.batch_norm(b, p["unit.branch2.1.running_mean"], p["unit.branch2.1.running_var"], p["unit.branch2.1.weight"], p["unit.branch2.1.bias"], false, 0.1, 1e-5));
        x = Shuffle(cat(new[] { halves[0], b }, 1), 2);
        x = Shuffle(x, 3).chunk(3, 1)[2];
        var expected = nn.functional.linear(x.mean(new long[] { 2, 3 }), p["fc.weight"], p["fc.bias"]);

        var output = module.forward(input);
        Assert.True(expected.allclose(output, rtol: 1e-5, atol: 1e-5), $"max |diff| {(expected - output).abs().max().item<float>()}");

        var proto = OnnxExport.ToModelProto((IOnnxExportable)module);
        OnnxFileChecks.AssertWellFormed(proto, "Shuffle");
        using var session = new OnnxModelSession(proto.ToByteArray());
        var onnx = tensor(session.RunAll(input.data<float>().ToArray(), new[] { 2, 3, 8, 8 })[0].Values).reshape(2, 4);
        Assert.True(expected.allclose(onnx, rtol: 1e-4, atol: 1e-4), $"ONNX: max |diff| {(expected - onnx).abs().max().item<float>()}");
    }

    [Theory]
    [InlineData("  - { name: c, conv: { filters: 6, k: 1 } }\n  - chunk: { parts: 4, index: 1 }", "IDSL027", "4 does not divide 6")]
    [InlineData("  - { name: c, conv: { filters: 6, k: 1 } }\n  - chunk: { parts: 2, index: 2 }", "IDSL005", "below parts (2)")]
    [InlineData("  - { name: c, conv: { filters: 6, k: 1 } }\n  - channel_shuffle: 4", "IDSL027", "must divide its input's 6 channels")]
    [InlineData("  - global_avgpool\n  - channel_shuffle: 2", "IDSL027", "needs a feature map")]
    public void AnUnevenSplitOrShuffleIsAPreciseError(string body, string id, string text)
    {
        var error = Specs.Error(Specs.Wrap(body + "\n  - global_avgpool\n  - { name: fc, linear: $classes }"));
        Assert.Equal(id, error.Id);
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }
}
