using InceptionDsl.Emit;
using InceptionDsl.Semantics;
using InceptionDsl.Tests.Support;
using Xunit;

namespace InceptionDsl.Tests.Language;

/// <summary>The language's constructs one by one: the shapes, costs and structure they lower to.</summary>
public sealed class ConstructTests
{
    [Fact]
    public void ConvUnitComputesShapeParametersAndFlops()
    {
        var model = Specs.Model(Specs.Wrap("""
              - { name: c, conv: { filters: 16, k: 3, stride: 2, pad: 1, bn: true } }
            """));
        var row = Specs.Row(model, "c");
        Assert.Equal("[16, 16, 16]", row.OutputShape);
        Assert.Equal(16 * 3 * 3 * 3 + 2 * 16, row.Parameters);
        Assert.Equal(2L * 16 * 16 * 16 * 3 * 3 * 3, row.Flops);
    }

    [Theory]
    [InlineData("k: [1, 7], pad: [0, 3]", "[8, 32, 32]")]
    [InlineData("k: 5, pad: same", "[8, 32, 32]")]
    [InlineData("k: 3, pad: valid", "[8, 30, 30]")]
    [InlineData("k: 3, stride: 2", "[8, 15, 15]")]
    [InlineData("k: 3, dilation: 2, pad: 2", "[8, 32, 32]")]
    public void ConvGeometry(string options, string shape)
    {
        var model = Specs.Model(Specs.Wrap($"  - {{ name: c, conv: {{ filters: 8, {options} }} }}"));
        Assert.Equal(shape, Specs.Row(model, "c").OutputShape);
    }

    [Theory]
    [InlineData(false, "[3, 15, 15]")]
    [InlineData(true, "[3, 16, 16]")]
    public void MaxPoolCeilModeFollowsPyTorch(bool ceil, string shape)
    {
        // 32 -> (32 - 3) / 2 + 1 = 15 (floor) or 16 (ceil).
        var model = Specs.Model(Specs.Wrap($"  - {{ name: p, maxpool: {{ k: 3, stride: 2, ceil: {(ceil ? "true" : "false")} }} }}\n  - {{ name: c, conv: {{ filters: 3, k: 1 }} }}"));
        Assert.Equal(shape, Specs.Row(model, "c").OutputShape);
    }

    [Fact]
    public void ConcatSumsChannelsInDeclaredOrder()
    {
        var model = Specs.Model(Specs.Wrap("""
              - concat:
                  - { name: b2, conv: { filters: 5, k: 1 } }
                  - { name: b1, conv: { filters: 7, k: 3, pad: 1 } }
              - { name: after, conv: { filters: 4, k: 1 } }
            """));
        var concat = Assert.IsType<ConcatStep>(model.Body.Forward[0]);
        Assert.Equal(new[] { "b2", "b1" }, concat.Branches.Select(b => b.Hint));
        Assert.Contains("12", model.Body.Members.Single(m => m.StateName == "after").Init());
    }

    [Fact]
    public void SeqNamesChildrenByPositionIncludingPools()
    {
        var model = Specs.Model(Specs.Wrap("""
              - name: features
                seq:
                  - conv: { filters: 8, k: 3, pad: 1 }
                  - maxpool: { k: 2 }
                  - { name: last, conv: { filters: 8, k: 1 } }
            """));
        Assert.Equal(new[] { "features", "features.0", "features.1", "features.last" }, model.Layers.Select(l => l.Path));
        Assert.Contains("(\"1\", global::TorchSharp.torch.nn.MaxPool2d(", model.Body.Members.Single().Init());
    }

    [Fact]
    public void RepeatExpandsWithIndexedNames()
    {
        var model = Specs.Model(Specs.Wrap("""
              - { name: "conv{i}", conv: { filters: 4, k: 1 }, repeat: 3 }
              - name: stack
                seq:
                  - { conv: { filters: 4, k: 1 }, repeat: 2 }
            """));
        Assert.Equal(new[] { "conv0", "conv1", "conv2", "stack", "stack.0", "stack.1" }, model.Layers.Select(l => l.Path));
    }

    [Fact]
    public void BlockParametersBecomeConstructorParametersWithDefaults()
    {
        var model = Specs.Model(Specs.Wrap(
            body: """
              - { name: a, use: Unit, args: [6] }
              - { name: b, use: Unit, args: { width: 5, stride: 2 } }
            """,
            blocks: """
              Unit:
                params: [width, stride: 1]
                let: { doubled: $width * 2 }
                body:
                  - { name: conv, conv: { filters: $doubled, k: 3, stride: $stride, pad: 1 } }
            """));
        var unit = Assert.Single(model.Blocks);
        Assert.Equal(new[] { "inChannels", "width", "stride" }, unit.Params.Select(p => p.Name));
        Assert.Equal("1", CSharpExpressions.Literal(unit.Params[2].Default!));
        Assert.Contains(unit.Lets, l => l.Name == "doubled" && CSharpExpressions.Render(l.Value) == "width * 2");
        Assert.Contains("doubled", unit.Members.Single().Init());
        Assert.Equal("[10, 16, 16]", Specs.Row(model, "b").OutputShape);
        Assert.Contains("new Unit(12, width: 5, stride: 2)", model.Body.Members.Single(m => m.StateName == "b").Init());
    }

    [Fact]
    public void ResidualWithConditionalProjectionShortcut()
    {
        var blocks = """
              Res:
                params: [planes, stride: 1]
                body:
                  - residual:
                      body:
                        - { name: conv1, conv: { filters: $planes, k: 3, stride: $stride, pad: 1 } }
                      shortcut:
                        name: downsample
                        if: $stride != 1 || $in_channels != $planes
                        seq:
                          - conv: { filters: $planes, k: 1, stride: $stride }
                  - relu
            """;
        var model = Specs.Model(Specs.Wrap("""
              - { name: same, use: Res, args: { planes: 3 } }
              - { name: down, use: Res, args: { planes: 8, stride: 2 } }
            """, blocks));
        var res = Assert.Single(model.Blocks);
        var downsample = res.Members.Single(m => m.StateName == "downsample");
        Assert.Equal("stride != 1 || inChannels != planes", CSharpExpressions.Render(downsample.Condition!));
        // The identity instance has no projection parameters; the strided one has them.
        Assert.Equal(3 * 3 * 3 * 3 + 3, Specs.Row(model, "same").Parameters);
        Assert.Equal(8 * 3 * 9 + 8 + 8 * 3 + 8, Specs.Row(model, "down").Parameters);
        Assert.Equal("[8, 16, 16]", Specs.Row(model, "down").OutputShape);
    }

    [Fact]
    public void ResidualScaleAndRunTimeActivationSwitch()
    {
        var model = Specs.Model(Specs.Wrap("""
              - { name: block, use: Scaled, args: { scale: 0.17, no_relu: true } }
            """, """
              Scaled:
                params: [scale, no_relu: false]
                body:
                  - residual:
                      scale: $scale
                      body:
                        - { name: conv2d, conv: { filters: 3, k: 1, bias: true } }
                  - { relu: {}, if: "!$no_relu" }
            """));
        var block = Assert.Single(model.Blocks);
        var residual = Assert.IsType<ResidualStep>(block.Forward[0]);
        Assert.Equal("scale", CSharpExpressions.Render(residual.Scale!));
        var relu = Assert.IsType<FunctionalStep>(block.Forward[1]);
        Assert.Equal("!noRelu", CSharpExpressions.Render(relu.Condition!));
    }

    [Fact]
    public void InlineTemplateTakesTheNameOfItsUse()
    {
        var model = Specs.Model(Specs.Wrap("""
              - { name: layer1, use: Stack, args: { width: 4, depth: 3 } }
            """, """
              Stack:
                inline: true
                params: [width, depth]
                body:
                  - seq:
                      - { conv: { filters: $width, k: 1 }, repeat: $depth }
            """));
        Assert.Equal(new[] { "layer1", "layer1.0", "layer1.1", "layer1.2" }, model.Layers.Select(l => l.Path));
    }

    [Fact]
    public void FamilyVariantsShareOneDeclaration()
    {
        var text = """
            params: [width]
            variants:
              - { model: Small, args: { width: 4 } }
              - { model: Large, args: { width: 16 } }
            input: { channels: 3, size: 8 }
            classes: 2
            body:
              - { name: conv, conv: { filters: $width, k: 1 } }
              - global_avgpool
              - { name: fc, linear: $classes }
            """;
        var result = SpecCompiler.Compile("family.inception.yaml", text);
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        Assert.Equal(new[] { "Small", "Large" }, result.Models.Select(m => m.ClassName));
        Assert.Equal(3 * 4 + 4 + 4 * 2 + 2, result.Models[0].Parameters);
        Assert.Equal(3 * 16 + 16 + 16 * 2 + 2, result.Models[1].Parameters);
    }

    [Fact]
    public void AuxHeadIsCountedSeparatelyAndBuiltOnlyWhenEnabled()
    {
        var model = Specs.Model(Specs.Wrap(
            body: """
              - { name: trunk, conv: { filters: 4, k: 1 } }
              - global_avgpool
              - { name: fc, linear: $classes }
            """,
            blocks: """
              Head:
                body:
                  - global_avgpool
                  - { name: fc, linear: $classes }
            """,
            extra: "aux:\n  - { name: aux1, at: trunk, use: Head }"));
        var aux = Assert.Single(model.Aux);
        Assert.Equal(4 * 10 + 10, aux.Parameters);
        Assert.Equal(aux.Parameters, model.AuxParameters);
        Assert.Equal("auxLogits", CSharpExpressions.Render(model.Body.Members.Single(m => m.StateName == "aux1").Condition!));
        Assert.Contains(model.Blocks.Single().Params, p => p.Name == "numClasses");
    }
}
