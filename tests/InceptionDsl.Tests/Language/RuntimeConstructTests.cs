using InceptionDsl.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Language;

/// <summary>
/// Every construct at once, compiled in memory and run in TorchSharp: the module's parameters and
/// output shape equal what the generator computed at build time.
/// </summary>
public sealed class RuntimeConstructTests
{
    private const string Spec = """
        model: EveryConstruct
        input: { channels: 3, size: 32 }
        classes: 10
        defaults:
          conv: { bias: false, bn: { eps: 0.001 }, act: relu }
        blocks:
          Mixed:
            params: [a, b]
            body:
              - concat:
                  - { name: left, conv: { filters: $a, k: 1 } }
                  - [ { name: mid_1, conv: { filters: $b, k: [1, 3], pad: [0, 1] } }, { name: mid_2, conv: { filters: $b, k: [3, 1], pad: [1, 0] } } ]
                  - name: pool
                    seq:
                      - avgpool: { k: 3, stride: 1, pad: 1, count_include_pad: false }
                      - conv: { filters: 4, k: 1 }
          Res:
            params: [planes, stride: 1, scale: 1.0, relu: true]
            body:
              - residual:
                  scale: $scale
                  body:
                    - { name: conv1, conv: { filters: $planes, k: 3, stride: $stride, pad: 1, bn: false, act: none } }
                    - { name: bn1, bn: { eps: 0.00001 } }
                  shortcut:
                    name: downsample
                    if: $stride != 1 || $in_channels != $planes
                    seq:
                      - conv: { filters: $planes, k: 1, stride: $stride, bn: false, act: none }
                      - bn: {}
              - { relu: {}, if: $relu }
          Stage:
            inline: true
            params: [planes, depth]
            body:
              - seq:
                  - { use: Res, args: { planes: $planes, stride: 2 } }
                  - { use: Res, args: { planes: $planes, scale: 0.2 }, repeat: $depth - 1 }
          Head:
            body:
              - adaptive_avgpool: [2, 2]
              - flatten
              - { name: fc, linear: $classes }
        body:
          - { name: stem, conv: { filters: 16, k: 3, stride: 2, pad: 1 } }
          - { name: pool, maxpool: { k: 3, stride: 2, ceil: true } }
          - { name: "mixed{i}", use: Mixed, args: [8, 12], repeat: 2 }
          - { name: layer, use: Stage, args: { planes: 32, depth: 3 } }
          - { name: last, use: Res, args: { planes: 32, relu: false } }
          - global_avgpool
          - dropout: 0.3
          - { name: fc, linear: $classes }
        aux:
          - { name: aux, at: mixed1, use: Head, weight: 0.3 }
        """;

    /// <summary>Generating and compiling takes seconds: do it once for the class.</summary>
    private static readonly Lazy<Func<string, nn.Module<Tensor, Tensor>>> Compiled = new(() => InMemoryModels.Load(("every.inception.yaml", Spec)));

    [Fact]
    public void GeneratedModuleMatchesItsBuildTimeShapesAndCounts()
    {
        var model = Specs.Model(Spec);
        var create = Compiled.Value;
        using var module = create("EveryConstruct");
        Assert.Equal(model.Parameters, module.parameters().Sum(p => p.numel()));

        module.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = randn(2, 3, 32, 32);
        Assert.Equal(new long[] { 2, 10 }, module.forward(input).shape);

        // The in-memory assembly has its own copy of the support types: call them dynamically.
        dynamic generated = module;
        module.train();
        var output = generated.ForwardWithAux(input, null);
        Assert.Equal(new long[] { 2, 10 }, (long[])output.Logits.shape);
        Assert.Equal(new long[] { 2, 10 }, (long[])output.Aux["aux"].shape);
        module.eval();
        Assert.Equal(0, (int)generated.ForwardWithAux(input, null).Aux.Count);
    }

    [Fact]
    public void StateDictNamesFollowTheSpec()
    {
        var create = Compiled.Value;
        using var module = create("EveryConstruct");
        var names = module.state_dict().Keys.ToHashSet();
        Assert.Contains("stem.conv.weight", names);
        Assert.Contains("mixed0.mid_1.conv.weight", names);
        Assert.Contains("mixed1.pool.1.conv.weight", names);
        Assert.Contains("layer.0.downsample.0.weight", names);
        Assert.Contains("layer.0.bn1.running_var", names);
        Assert.DoesNotContain("layer.1.downsample.0.weight", names);
        Assert.DoesNotContain("last.downsample.0.weight", names);
        Assert.Contains("aux.fc.weight", names);
        Assert.Contains("fc.bias", names);
    }
}
