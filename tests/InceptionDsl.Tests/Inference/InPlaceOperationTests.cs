using System.Text.RegularExpressions;
using InceptionDsl.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Inference;

/// <summary>
/// Generated forward code overwrites a tensor in place (ReLU, residual scale and add) only when it
/// owns it: never a block's input, a branch's shared input, a ReLU's own output or a map an aux head
/// has read. Checked on the emitted statements and by running the model: the input is untouched,
/// repeated forwards agree, and backward runs (autograd rejects an overwritten saved tensor).
/// </summary>
public sealed class InPlaceOperationTests
{
    private const string Spec = """
        model: InPlaceEdges
        input: { channels: 3, size: 16 }
        classes: 5
        blocks:
          PreAct:
            body:
              - relu
              - { name: conv, conv: { filters: $in_channels, k: 3, pad: 1 } }
          Branches:
            body:
              - concat:
                  - relu
                  - [ { name: b_conv, conv: { filters: 4, k: 1, act: relu } }, relu ]
                  - { name: b_bn, bn: {} }
          Res:
            body:
              - residual:
                  scale: 0.5
                  body: [ relu, { name: conv, conv: { filters: $in_channels, k: 1 } } ]
              - relu
          Head:
            body:
              - global_avgpool
              - { name: fc, linear: $classes }
        body:
          - { name: stem, conv: { filters: 8, k: 3, pad: 1, act: relu } }
          - { name: pre, use: PreAct }
          - relu
          - { name: br, use: Branches }
          - { name: res, use: Res }
          - global_avgpool
          - { name: fc, linear: $classes }
          - relu
        aux:
          - { name: aux, at: stem, use: Head, weight: 0.3 }
        """;

    private static readonly Lazy<string> Source = new(() =>
    {
        var (run, _) = GeneratorHarness.Run(("inplace.inception.yaml", Spec));
        Assert.Empty(run.Diagnostics);
        return run.GeneratedTrees.Single(t => t.FilePath.EndsWith("InPlaceEdges.g.cs", StringComparison.Ordinal)).ToString();
    });

    private static readonly Lazy<Func<string, nn.Module<Tensor, Tensor>>> Compiled = new(() => InMemoryModels.Load(("inplace.inception.yaml", Spec)));

    /// <summary>The statements of a generated class's forward, comments dropped.</summary>
    private static string[] ForwardOf(string className)
    {
        var source = Source.Value;
        int start = source.IndexOf($"class {className} :", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no class {className} in\n{source}");
        int forward = source.IndexOf("public override global::TorchSharp.torch.Tensor forward(", start, StringComparison.Ordinal);
        if (forward < 0 || className == "InPlaceEdges")
            forward = source.IndexOf("ForwardWithAux(global::TorchSharp.torch.Tensor input", start, StringComparison.Ordinal);
        int end = source.IndexOf("\n        }\n", forward, StringComparison.Ordinal); // the model's method, or the nested block class
        return source[forward..end].Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal)).ToArray();
    }

    private const string Relu = "global::TorchSharp.torch.nn.functional.relu";

    [Fact]
    public void AReluOfTheBlockInputIsNotInPlace()
    {
        var lines = ForwardOf("PreAct");
        Assert.Contains($"x = {Relu}(x);", lines);
        Assert.DoesNotContain(lines, l => l.Contains(".relu_()", StringComparison.Ordinal));
    }

    [Fact]
    public void BranchesReadTheirSharedInputAndAReluOfAReluIsNotInPlace()
    {
        var lines = ForwardOf("Branches");
        // Branch 0 reads the shared input; branch 1's relu after its conv owns the conv's output,
        // but the relu after that would overwrite what the first relu's backward reads.
        Assert.Contains($"var branch0 = {Relu}(x);", lines);
        Assert.Contains("b_conv.relu_();", lines);
        Assert.Contains($"b_conv = {Relu}(b_conv);", lines);
    }

    [Fact]
    public void AResidualAddsInPlaceOnlyIntoItsOwnBodyOutput()
    {
        var lines = ForwardOf("Res");
        Assert.Contains($"var residual = {Relu}(x);", lines);
        Assert.Contains("x = residual.mul_(0.5).add_(shortcut);", lines);
        Assert.Contains("x.relu_();", lines);
    }

    [Fact]
    public void TheTrunkOverwritesOnlyWhatItOwns()
    {
        var lines = ForwardOf("InPlaceEdges");
        // stem's relu owns the conv output. The relu after the block 'pre' does not own the block's
        // output, nor does the one after fc: the head-less build skips fc, leaving the pooled features.
        Assert.Single(lines, l => Regex.IsMatch(l, @"^x\.relu_\(\);$"));
        Assert.Equal(2, lines.Count(l => l == $"x = {Relu}(x);"));
    }

    [Fact]
    public void ForwardLeavesItsInputAloneAndBackwardRuns()
    {
        var create = Compiled.Value;
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var model = create("InPlaceEdges");
        var input = randn(2, 3, 16, 16);
        var copy = input.clone();

        model.train();
        var parameters = model.parameters().ToList();
        // The model comes from an in-memory assembly: its IInceptionDslModel is not this test's.
        dynamic withAux = model;
        var output = withAux.ForwardWithAux(randn(2, 3, 16, 16).requires_grad_(true), true);
        Tensor loss = output.Logits.sum() + output.Aux["aux"].sum();
        loss.backward();
        Assert.All(parameters, p => Assert.NotNull(p.grad));

        model.eval();
        using var mode = inference_mode();
        var first = model.forward(input);
        Assert.True(input.equal(copy).all().item<bool>(), "forward changed its input");
        var second = model.forward(input);
        Assert.True(first.equal(second).all().item<bool>(), "a second forward on the same input differs");
    }
}
