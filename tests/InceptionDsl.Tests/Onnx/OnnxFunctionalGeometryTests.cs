using Google.Protobuf;
using InceptionDsl.Onnx;
using InceptionDsl.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Onnx;

/// <summary>
/// Pools in a block's flat body whose sizes are the block's parameters: the forward cannot read a constructor's value,
/// so such a pool is a module built with it (a pool with constant sizes stays a function of the forward), the
/// generated class compiles, and ONNX gets each use's own geometry from the IR (the sizes the class stores), so one
/// class used with two strides exports both, and ONNX Runtime computes what TorchSharp does.
/// </summary>
public sealed class OnnxFunctionalGeometryTests
{
    private const string Spec = """
        model: PoolUses
        input: { channels: 3, size: 16 }
        classes: 4
        blocks:
          Down:
            params: [s, k]
            body:
              - { name: conv, conv: { filters: 6, k: 3, pad: 1 } }
              - relu
              - { name: pool, maxpool: { k: $k, stride: $s, pad: 1 } }
              - { name: smooth, avgpool: { k: $s, stride: $s, ceil: true } }
              - maxpool: { k: 3, stride: 1, pad: 1 }
        body:
          - { name: a, use: Down, args: { s: 1, k: 3 } }
          - { name: b, use: Down, args: { s: 2, k: 3 } }
          - { name: c, use: Down, args: { s: 2, k: 2 } }
          - global_avgpool
          - { name: fc, linear: $classes }
        """;

    [Fact]
    public void APoolSizedByBlockParametersIsAModuleAndEachUseExportsItsGeometry()
    {
        using var module = InMemoryModels.Load(("pooluses.inception.yaml", Spec))("PoolUses");
        using var scope = NewDisposeScope();
        manual_seed(7);
        module.eval();
        var input = randn(2, 3, 16, 16);
        Tensor expected;
        using (no_grad())
            expected = module.call(input);

        var proto = OnnxExport.ToModelProto((IOnnxExportable)module);
        OnnxFileChecks.AssertWellFormed(proto, "PoolUses");
        long[] Attribute(string node, string name) => proto.Graph.Node.Single(n => n.Name == node).Attribute.Single(a => a.Name == name).Ints.ToArray();
        Assert.Equal(new long[] { 1, 1 }, Attribute("a.pool", "strides"));
        Assert.Equal(new long[] { 2, 2 }, Attribute("b.pool", "strides"));
        Assert.Equal(new long[] { 2, 2 }, Attribute("c.pool", "kernel_shape"));
        Assert.Equal(new long[] { 1, 1 }, Attribute("a.smooth", "kernel_shape"));
        Assert.Equal(new long[] { 2, 2 }, Attribute("b.smooth", "kernel_shape"));
        // The pool of constant sizes is a function of the forward: no module, named by its kind.
        Assert.Equal(new long[] { 3, 3 }, Attribute("c.maxpool", "kernel_shape"));
        Assert.DoesNotContain(module.named_modules(), m => m.name.EndsWith(".maxpool", StringComparison.Ordinal));
        Assert.Contains(module.named_modules(), m => m.name == "b.pool");

        using var session = new OnnxModelSession(proto.ToByteArray());
        var onnx = tensor(session.RunAll(input.data<float>().ToArray(), new[] { 2, 3, 16, 16 })[0].Values).reshape(2, 4);
        Assert.True(expected.allclose(onnx, rtol: 1e-4, atol: 1e-5), $"ONNX: max |diff| {(expected - onnx).abs().max().item<float>()}");
    }
}
