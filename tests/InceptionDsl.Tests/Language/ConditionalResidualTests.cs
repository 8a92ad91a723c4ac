using InceptionDsl.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Language;

/// <summary>
/// What one MobileNet block per paper block needs: a residual whose <c>add</c> holds for some uses only
/// (torchvision's use_res_connect), a seq member left out for some uses that changes the channels (the
/// expansion where expand is 1, the members after it following), and <c>make_divisible</c>. Checked at build
/// time and, compiled in memory, against a forward written out here with the module's own weights.
/// </summary>
public sealed class ConditionalResidualTests
{
    private const string Spec = """
        model: Inverted
        input: { channels: 3, size: 8 }
        classes: 4
        defaults:
          conv: { bias: false }
        blocks:
          Unit:
            params: [filters, stride: 1, expand: 4]
            let: { hidden: "$in_channels * $expand" }
            body:
              - residual:
                  add: $stride == 1 && $in_channels == $filters
                  body:
                    - name: conv
                      seq:
                        - { seq: [ { conv: { filters: $hidden, k: 1 } }, { bn: {} }, relu6 ], if: $expand != 1 }
                        - seq: [ { conv: { filters: $hidden, k: 3, stride: $stride, pad: 1, groups: $hidden } }, { bn: {} }, relu6 ]
                        - conv: { filters: $filters, k: 1 }
                        - bn: {}
        body:
          - { name: stem, conv: { filters: 8, k: 3, pad: 1 } }
          - { name: a, use: Unit, args: { filters: 6, expand: 1 } }
          - { name: b, use: Unit, args: { filters: 6 } }
          - { name: c, use: Unit, args: { filters: 12, stride: 2 } }
          - global_avgpool
          - { name: fc, linear: $classes }
        """;

    private static readonly Lazy<Func<string, nn.Module<Tensor, Tensor>>> Compiled = new(() => InMemoryModels.Load(("inverted.inception.yaml", Spec)));

    [Fact]
    public void OneClassServesEveryUseWithItsOwnChannelsAndAdd()
    {
        var model = Specs.Model(Spec);
        var unit = Assert.Single(model.Blocks, b => b.Name == "Unit");
        // The depthwise conv reads the expansion where there is one, else the block's input.
        Assert.Contains("expand != 1 ? hidden : inChannels", unit.Members.Single().Init(), StringComparison.Ordinal);
        Assert.Equal("[6, 8, 8]", Specs.Row(model, "a").OutputShape);
        Assert.Equal("[12, 4, 4]", Specs.Row(model, "c").OutputShape);

        using var module = Compiled.Value("Inverted");
        var shapes = module.state_dict().ToDictionary(p => p.Key, p => p.Value.shape);
        Assert.Equal(new long[] { 8, 1, 3, 3 }, shapes["a.conv.0.0.weight"]);   // no expansion: the depthwise conv is conv.0
        Assert.Equal(new long[] { 6, 8, 1, 1 }, shapes["a.conv.1.weight"]);
        Assert.Equal(new long[] { 24, 6, 1, 1 }, shapes["b.conv.0.0.weight"]);  // expansion 6 -> 24
        Assert.Equal(new long[] { 24, 1, 3, 3 }, shapes["b.conv.1.0.weight"]);
        Assert.Equal(new long[] { 6, 24, 1, 1 }, shapes["b.conv.2.weight"]);
        Assert.Equal(model.Parameters, module.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void ForwardAddsTheInputOnlyWhereAddHolds()
    {
        using var module = Compiled.Value("Inverted");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        manual_seed(26);
        foreach (var (_, parameter) in module.named_parameters())
            parameter.copy_(randn_like(parameter) * 0.4);
        module.eval();
        var input = randn(2, 3, 8, 8);
        var p = module.state_dict();
        Tensor Bn(Tensor x, string name) => nn.functional.batch_norm(x, p[name + ".running_mean"], p[name + ".running_var"], p[name + ".weight"], p[name + ".bias"], false, 0.1, 1e-5);
        Tensor Relu6(Tensor x) => x.clamp(0, 6);
        Tensor Unit(Tensor x, string name, bool expands, long stride, bool adds)
        {
            var h = x;
            int next = 0;
            if (expands)
            {
                h = Relu6(Bn(nn.functional.conv2d(h, p[$"{name}.conv.0.0.weight"]), $"{name}.conv.0.1"));
                next = 1;
            }

            h = Relu6(Bn(nn.functional.conv2d(h, p[$"{name}.conv.{next}.0.weight"], strides: new[] { stride, stride }, padding: new long[] { 1, 1 }, groups: h.shape[1]), $"{name}.conv.{next}.1"));
            h = Bn(nn.functional.conv2d(h, p[$"{name}.conv.{next + 1}.weight"]), $"{name}.conv.{next + 2}");
            return adds ? h + x : h;
        }

        var y = nn.functional.conv2d(input, p["stem.weight"], padding: new long[] { 1, 1 });
        y = Unit(y, "a", expands: false, 1, adds: false);   // 8 -> 6 channels: no add
        y = Unit(y, "b", expands: true, 1, adds: true);     // 6 -> 6, stride 1: the input added
        y = Unit(y, "c", expands: true, 2, adds: false);    // stride 2: no add
        var expected = nn.functional.linear(nn.functional.adaptive_avg_pool2d(y, 1).flatten(1), p["fc.weight"], p["fc.bias"]);
        var output = module.forward(input);
        Assert.True(expected.allclose(output, rtol: 1e-5, atol: 1e-5), $"max |diff| {(expected - output).abs().max().item<float>()}");
    }

    [Fact]
    public void AConstantFalseAddIsTheBodyAlone()
    {
        var model = Specs.Model(Specs.Wrap("""
              - { name: c0, conv: { filters: 4, k: 1 } }
              - residual: { add: false, body: [ { name: c1, conv: { filters: 8, k: 1 } } ] }
            """));
        Assert.DoesNotContain(model.Body.Forward, s => s is Semantics.ResidualStep);
        Assert.Equal("[8, 32, 32]", Specs.Row(model, "c1").OutputShape);
    }

    [Fact]
    public void AddWhereTheShapesDisagreeNamesBoth()
    {
        var error = Specs.Error(Specs.Wrap("""
              - residual: { add: true, body: [ { name: c1, conv: { filters: 8, k: 1 } } ] }
            """));
        Assert.Equal("IDSL020", error.Id);
    }

    [Fact]
    public void AddWithAProjectionShortcutIsRefusedWithTheAlternative()
    {
        var error = Specs.Error(Specs.Wrap("""
              - residual: { add: true, shortcut: { name: proj, conv: { filters: 8, k: 1 } }, body: [ { name: c1, conv: { filters: 8, k: 1 } } ] }
            """));
        Assert.Equal("IDSL017", error.Id);
        Assert.Contains("put an 'if' on the shortcut's nodes", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    // Worked by hand from torchvision's _make_divisible: max(min, int(v + d / 2) // d * d), plus d where below 0.9 v.
    [InlineData("make_divisible(32 * 0.75, 8)", 24L)]   // int(28) // 8 * 8 = 24
    [InlineData("make_divisible(12, 8)", 16L)]          // int(16) // 8 * 8 = 16
    [InlineData("make_divisible(3, 8)", 8L)]            // below the minimum 8
    [InlineData("make_divisible(100, 8, 16)", 104L)]    // int(104) // 8 * 8 = 104
    [InlineData("make_divisible(19, 16)", 32L)]         // int(27) // 16 * 16 = 16 < 0.9 * 19: one more 16
    public void MakeDivisibleRoundsAsTorchvision(string expression, long expected)
    {
        var model = Specs.Model(Specs.Wrap($"  - {{ name: c, conv: {{ filters: \"{expression}\", k: 1 }} }}"));
        Assert.Equal($"[{expected}, 32, 32]", Specs.Row(model, "c").OutputShape);
    }

    [Fact]
    public void MakeDivisibleOnABlockParameterIsComputedInTheConstructor()
    {
        var model = Specs.Model(Specs.Wrap("""
              - { name: b, use: B, args: { width: 40 } }
            """, """
              B:
                params: [width]
                body:
                  - { name: c, conv: { filters: "make_divisible($width * 0.5, 8)", k: 1 } }
            """));
        Assert.Equal("[24, 32, 32]", Specs.Row(model, "b.c").OutputShape);
        Assert.Contains("InceptionDslModules.MakeDivisible((double)(width * 0.5), 8, 8)", model.Blocks.Single().Members.Single().Init(), StringComparison.Ordinal);
    }

    [Fact]
    public void MakeDivisibleWithAWrongArgumentSaysWhatItTakes()
    {
        var error = Specs.Error(Specs.Wrap("  - { name: c, conv: { filters: \"make_divisible(32)\", k: 1 } }"));
        Assert.Equal("IDSL014", error.Id);
        Assert.Contains("make_divisible(v, divisor[, min_value])", error.Message, StringComparison.Ordinal);
    }
}
