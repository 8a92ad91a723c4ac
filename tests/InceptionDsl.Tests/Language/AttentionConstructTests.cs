using InceptionDsl.Emit;
using InceptionDsl.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Language;

/// <summary>
/// The constructs that squeeze-and-excitation, ResNet-D and Xception need (issue 15): the gate node,
/// the new activations, identity, shortcut-first residuals, seq members decided at construction,
/// conditional expressions and names with expressions. Checked at build time (shapes, counts,
/// state_dict order) and, compiled in memory, in TorchSharp against a computation written out by hand.
/// </summary>
public sealed class AttentionConstructTests
{
    private const string Spec = """
        model: Attention
        input: { channels: 3, size: 16 }
        classes: 5
        defaults:
          conv: { bias: false }
        blocks:
          SE:
            params: [reduction: 4]
            let: { rd: "max(2, $in_channels // $reduction)" }
            body:
              - gate:
                  - adaptive_avgpool: 1
                  - { name: fc1, conv: { filters: $rd, k: 1, bias: true } }
                  - relu
                  - { name: fc2, conv: { filters: $in_channels, k: 1, bias: true } }
                  - sigmoid
          Unit:
            params: [filters, stride: 1, pool_first: false]
            body:
              - residual:
                  shortcut_first: true
                  shortcut:
                    - { name: skip, if: $filters != $in_channels || $stride != 1, conv: { filters: $filters, k: 1, stride: $stride } }
                    - { name: skipbn, if: $filters != $in_channels || $stride != 1, bn: {} }
                  body:
                    - name: rep
                      seq:
                        - { identity: {}, if: $stride == 1 }
                        - { avgpool: { k: 2, stride: $stride, ceil: true, count_include_pad: false }, if: $stride != 1 }
                        - conv: { filters: "$pool_first ? $filters : $filters", k: 3, pad: 1, groups: "$filters == $in_channels ? $filters : 1" }
                        - bn: {}
                        - { hard_sigmoid: {}, if: $pool_first }
                    - { name: se, use: SE }
        body:
          - { name: stem, conv: { filters: 8, k: 3, pad: 1 } }
          - silu
          - { name: "unit{i+1}", use: Unit, args: { filters: 8 }, repeat: 2 }
          - { name: unit3, use: Unit, args: { filters: 16, stride: 2, pool_first: true } }
          - gelu
          - tanh
          - identity
          - global_avgpool
          - { name: fc, linear: $classes }
        """;

    private static readonly Lazy<Func<string, nn.Module<Tensor, Tensor>>> Compiled = new(() => InMemoryModels.Load(("attention.inception.yaml", Spec)));

    [Fact]
    public void GateKeepsTheShapeAndCountsOnlyItsConvolutions()
    {
        var model = Specs.Model(Spec);
        // SE on 8 channels: fc1 8 -> 2 (+2 bias), fc2 2 -> 8 (+8 bias); FLOPs of the 1x1 convs on one pixel.
        var se = Specs.Row(model, "unit1.se");
        Assert.Equal(8 * 2 + 2 + 2 * 8 + 8, se.Parameters);
        Assert.Equal(2 * 8 * 2 + 2 * 2 * 8, se.Flops);
        Assert.Equal("[8, 16, 16]", se.OutputShape);
        Assert.Equal("[16, 8, 8]", Specs.Row(model, "unit3").OutputShape);
    }

    [Fact]
    public void NamesWithExpressionsExpandWithTheIndex()
    {
        var model = Specs.Model(Spec);
        Assert.Contains(model.Layers, l => l.Path == "unit1");
        Assert.Contains(model.Layers, l => l.Path == "unit2");
        Assert.DoesNotContain(model.Layers, l => l.Path == "unit0");
    }

    [Fact]
    public void ShortcutFirstRegistersTheShortcutBeforeTheBody()
    {
        var model = Specs.Model(Spec);
        var unit = model.Blocks.Single(b => b.Name == "Unit");
        Assert.Equal(new[] { "skip", "skipbn", "rep", "se" }, unit.Members.Select(m => m.StateName));
        Assert.Equal("filters != inChannels || stride != 1", CSharpExpressions.Render(unit.Members[0].Condition!));
    }

    [Fact]
    public void SeqMembersDecidedAtConstructionAreNumberedAmongThoseKept()
    {
        var model = Specs.Model(Spec);
        var rep = model.Blocks.Single(b => b.Name == "Unit").Members.Single(m => m.StateName == "rep");
        Assert.Contains("InceptionDslModules.SequentialOf(", rep.Init());
        Assert.Contains("stride == 1", rep.Init());
        // The conditional's C# keeps both sides; a constant condition picks one.
        Assert.Contains("filters == inChannels ? filters : 1", rep.Init());

        using var module = Compiled.Value("Attention");
        var names = module.state_dict().Keys.ToList();
        // unit1 keeps the identity at position 0, unit3 the average pool: the conv is rep.1 in both.
        Assert.Contains("unit1.rep.1.weight", names);
        Assert.Contains("unit3.rep.1.weight", names);
        Assert.Contains("unit3.rep.2.running_var", names);
        Assert.DoesNotContain("unit1.skip.weight", names);
        Assert.True(names.IndexOf("unit3.skip.weight") < names.IndexOf("unit3.rep.1.weight"));
        Assert.True(names.IndexOf("unit3.rep.2.weight") < names.IndexOf("unit3.se.fc1.weight"));
    }

    [Fact]
    public void GeneratedModuleMatchesItsBuildTimeCountsAndAHandWrittenForward()
    {
        var model = Specs.Model(Spec);
        using var module = Compiled.Value("Attention");
        Assert.Equal(model.Parameters, module.parameters().Sum(p => p.numel()));
        module.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        manual_seed(15);
        foreach (var (_, parameter) in module.named_parameters())
            parameter.copy_(randn_like(parameter) * 0.3);
        var input = randn(2, 3, 16, 16);
        var output = module.forward(input);
        Assert.Equal(new long[] { 2, 5 }, output.shape);

        // The same network written out with TorchSharp's functional API and the module's own weights.
        var p = module.state_dict();
        Tensor Bn(Tensor x, string name) => nn.functional.batch_norm(x, p[name + ".running_mean"], p[name + ".running_var"], p[name + ".weight"], p[name + ".bias"], false, 0.1, 1e-5);
        Tensor Se(Tensor x, string name)
        {
            var w = nn.functional.adaptive_avg_pool2d(x, 1);
            w = nn.functional.conv2d(w, p[name + ".fc1.weight"], p[name + ".fc1.bias"]).relu();
            w = nn.functional.conv2d(w, p[name + ".fc2.weight"], p[name + ".fc2.bias"]).sigmoid();
            return x * w;
        }

        Tensor Unit(Tensor x, string name, bool strided)
        {
            var shortcut = strided ? Bn(nn.functional.conv2d(x, p[name + ".skip.weight"], strides: new long[] { 2, 2 }), name + ".skipbn") : x;
            var y = strided ? nn.functional.avg_pool2d(x, new long[] { 2, 2 }, new long[] { 2, 2 }, ceil_mode: true, count_include_pad: false) : x;
            y = Bn(nn.functional.conv2d(y, p[name + ".rep.1.weight"], padding: new long[] { 1, 1 }, groups: strided ? 1 : 8), name + ".rep.2");
            if (strided)
                y = nn.functional.hardsigmoid(y);
            return Se(y, name + ".se") + shortcut;
        }

        var h = nn.functional.silu(nn.functional.conv2d(input, p["stem.weight"], padding: new long[] { 1, 1 }));
        h = Unit(Unit(h, "unit1", false), "unit2", false);
        h = Unit(h, "unit3", true);
        h = nn.functional.gelu(h).tanh();
        h = nn.functional.adaptive_avg_pool2d(h, 1).flatten(1);
        var expected = nn.functional.linear(h, p["fc.weight"], p["fc.bias"]);
        Assert.True(expected.allclose(output, rtol: 1e-5, atol: 1e-6), $"max |diff| {(expected - output).abs().max().item<float>()}");
    }

    [Theory]
    [InlineData("$t ? 3 : 4", 3L)]
    [InlineData("$one < 2 ? 3 : 4 + 1", 3L)]
    [InlineData("$f ? 1 : $t ? 2 : 3", 2L)]
    [InlineData("$t * 4 + $f", 4L)]
    [InlineData("max($t, 0) * 7", 7L)]
    [InlineData("($one ? 5 : 6) + $t", 6L)]
    public void ConditionalExpressionsAndBooleansAsNumbers(string expression, long expected)
    {
        var model = Specs.Model(Specs.Wrap($"  - {{ name: c, conv: {{ filters: \"{expression}\", k: 1 }} }}", extra: "params: [t: true, f: false, one: 1]"));
        Assert.Equal($"[{expected}, 32, 32]", Specs.Row(model, "c").OutputShape);
    }

    [Fact]
    public void ConditionalWithSidesOfDifferentKindsIsAnError()
    {
        var error = Specs.Error(Specs.Wrap("""
              - { name: c, use: B, args: { flag: true } }
            """, """
              B:
                params: [flag]
                body:
                  - conv: { filters: "$flag ? 4 : same", k: 1 }
            """));
        Assert.Equal("IDSL014", error.Id);
        Assert.Contains("both sides must be of one kind", error.Message);
    }

    [Fact]
    public void GateWhoseBranchChangesTheChannelsIsAnError()
    {
        var error = Specs.Error(Specs.Wrap("""
              - { name: se, gate: [ { adaptive_avgpool: 1 }, { conv: { filters: 4, k: 1 } } ] }
            """));
        Assert.Equal("IDSL027", error.Id);
        Assert.Contains("cannot scale the input [3, 32, 32]", error.Message);
    }
}
