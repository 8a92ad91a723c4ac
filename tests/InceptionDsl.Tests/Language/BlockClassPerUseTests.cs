using InceptionDsl.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Language;

/// <summary>
/// A block is generated as one class, lowered with its first use's arguments and input. These tests pin
/// that every other use is built right by that class: 'same' padding of a kernel given as a block
/// parameter is computed by the constructor, and a use the class cannot build (a size that depends on
/// the input's height and width) is IDSL028 at the use instead of a silently wrong model.
/// </summary>
public sealed class BlockClassPerUseTests
{
    private const string SamePadding = """
        model: SamePaddingPerUse
        input: { channels: 3, size: [16, 16] }
        classes: 5
        defaults:
          conv: { bias: false, bn: { eps: 0.001 }, act: relu }
        blocks:
          Unit:
            params: [f, k]
            body:
              - { name: conv, conv: { filters: $f, k: $k, pad: same } }
        body:
          - { name: a, use: Unit, args: { f: 8, k: 3 } }
          - { name: b, use: Unit, args: { f: 8, k: 5 } }
          - { name: c, use: Unit, args: { f: 8, k: 7 } }
          - global_avgpool
          - flatten
          - { name: fc, linear: { out: $classes } }
        """;

    private static readonly Lazy<Func<string, nn.Module<Tensor, Tensor>>> Compiled = new(() => InMemoryModels.Load(("same.inception.yaml", SamePadding)));

    [Fact]
    public void SamePaddingFollowsEachUsesKernel()
    {
        using var module = Compiled.Value("SamePaddingPerUse");
        Assert.Equal(Specs.Model(SamePadding).Parameters, module.parameters().Sum(p => p.numel()));
        module.eval();
        var children = module.named_modules().ToDictionary(m => m.name, m => m.module);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = randn(2, 3, 16, 16);
        // Each use keeps the 16x16 map: its padding is (k - 1) / 2 of its own kernel, not the first use's 1.
        foreach (var use in new[] { "a", "b", "c" })
        {
            x = ((nn.Module<Tensor, Tensor>)children[use]).forward(x);
            Assert.Equal(new long[] { 2, 8, 16, 16 }, x.shape);
        }

        Assert.Equal(new long[] { 2, 5 }, module.forward(randn(2, 3, 16, 16)).shape);
    }

    [Fact]
    public void AUseTheClassCannotBuildIsAnErrorAtTheUse()
    {
        var error = Specs.Error("""
            model: AuxAtTwoSizes
            input: { channels: 3, size: [32, 32] }
            classes: 10
            blocks:
              Aux:
                body:
                  - { name: conv, conv: { filters: 4, k: 1 } }
                  - flatten
                  - { name: fc, linear: $classes }
            body:
              - { name: c1, conv: { filters: 4, k: 3, pad: 1 } }
              - { name: c2, conv: { filters: 4, k: 3, stride: 2, pad: 1 } }
              - global_avgpool
              - flatten
              - { name: fc, linear: $classes }
            aux:
              - { name: aux1, at: c1, use: Aux, weight: 0.3 }
              - { name: aux2, at: c2, use: Aux, weight: 0.3 }
            """);
        Assert.Equal("IDSL028", error.Id);
        Assert.Equal(18, error.Span.Line);
        Assert.Contains("'aux2'", error.Message);
        Assert.Contains("Linear(1024, numClasses)", error.Message);
        Assert.Contains("Linear(4096, numClasses)", error.Message);
    }
}
