using InceptionDsl.Semantics;
using InceptionDsl.Tests.Support;
using Xunit;

namespace InceptionDsl.Tests.Inference;

/// <summary>
/// The conv-BN pairing, decided on the IR (<see cref="BatchNormPairs"/>), which Fuse() and the ONNX writer both read:
/// a BatchNorm folds into the convolution directly before it in one step list or Sequential, both always built.
/// </summary>
public sealed class BatchNormPairsTests
{
    private static readonly ModelIR Model = Specs.Model(Specs.Wrap(
        """
          - { name: c1, conv: { filters: 8, k: 3, pad: 1 } }
          - { name: b1, bn: {} }
          - relu
          - { name: c2, conv: { filters: 8, k: 3, pad: 1 } }
          - relu
          - { name: b2, bn: {} }
          - { name: u1, use: Unit, args: { norm: true } }
          - global_avgpool
          - { name: fc, linear: $classes }
        """,
        """
          Unit:
            params: [norm]
            body:
              - { name: conv, conv: { filters: 8, k: 3, pad: 1 } }
              - { name: bn, bn: {}, if: $norm }
              - name: s
                seq:
                  - conv: { filters: 8, k: 1 }
                  - bn: {}
                  - relu
                  - conv: { filters: 8, k: 1 }
                  - { bn: {}, if: $norm }
                  - relu
                  - conv: { filters: 8, k: 1 }
                  - { relu: {}, if: $norm }
                  - bn: {}
        """));

    [Fact]
    public void ABatchNormRightAfterAConvInOneStepListIsPaired()
    {
        Assert.Equal(new[] { ("c1", "b1") }, BatchNormPairs.Of(Model.Body));
    }

    [Fact]
    public void ABatchNormBuiltUnderAConditionIsNotPaired()
    {
        var unit = Assert.Single(Model.Blocks, b => b.Name == "Unit");
        Assert.Empty(BatchNormPairs.Of(unit));
    }

    [Fact]
    public void InASequentialOnlyNeighboursArePaired()
    {
        var unit = Assert.Single(Model.Blocks, b => b.Name == "Unit");
        var sequence = (SequentialNode)Assert.Single(unit.Members, m => m.Field == "s").Module;
        // conv 0 + bn 1 fold; conv 3's bn is built under a condition; conv 6 has such a member between it and its bn.
        Assert.Equal(9, sequence.Items.Count);
        Assert.Equal(new[] { 0 }, BatchNormPairs.InSequential(sequence.Items));
    }
}
