using InceptionDsl.Emit;
using InceptionDsl.Analysis;
using InceptionDsl.Semantics;
using InceptionDsl.Tests.Support;
using Xunit;

namespace InceptionDsl.Tests.Explain;

/// <summary>
/// What the graph knows besides shapes is structured data the lowerer sets, never text read back:
/// each step's kind and label (its comment is composed from them), each block use's residual
/// scales and functional labels in numbers (<see cref="InstanceIR"/>), a layer row's label in
/// numbers, and a Sequential's children (<see cref="MemberIR.Children"/>).
/// </summary>
public class GraphStructureTests
{
    [Theory]
    [MemberData(nameof(ExplainModels.Names), MemberType = typeof(ExplainModels))]
    public void EveryStepCarriesItsKindAndLabelAndItsCommentIsComposedFromThem(string name)
    {
        var model = ExplainModels.Get(name).Model;
        foreach (var cls in model.Blocks.Prepend(model.Body))
        {
            var fields = cls.Members.ToDictionary(m => m.Field);
            foreach (var step in StepWalk.PostOrder(cls.Forward))
            {
                Assert.False(string.IsNullOrEmpty(step.Kind), step.Comment);
                Assert.False(string.IsNullOrEmpty(step.Label), step.Comment);
                switch (step)
                {
                    case FunctionalStep when step.Comment == "relu":
                        Assert.Equal(("relu", "ReLU"), (step.Kind, step.Label));  // a conv's act: relu
                        break;
                    case FunctionalStep:
                        Assert.StartsWith($"{step.Kind}: {step.Label} -> ", step.Comment);
                        break;
                    case ModuleStep module:
                        Assert.StartsWith($"{fields[module.Field].StateName}: {step.Label} -> ", step.Comment);
                        break;
                    case ConcatStep:
                        Assert.Equal("concat", step.Kind);
                        Assert.StartsWith($"{step.Label}: concat of ", step.Comment);
                        break;
                    case ResidualStep:
                        Assert.Equal("residual", step.Kind);
                        Assert.StartsWith($"{step.Label}: ", step.Comment);
                        break;
                    case AuxTapStep:
                        Assert.Equal("aux", step.Kind);
                        break;
                }
            }
        }
    }

    [Fact]
    public void GoogLeNetKindsAndLabels()
    {
        var model = ExplainModels.Get("GoogLeNet").Model;
        var functional = model.Body.Forward.OfType<FunctionalStep>().Select(s => (s.Kind, s.Label)).ToList();
        Assert.Equal(("maxpool", "max pool 3x3/2 ceil"), functional[0]);
        Assert.Contains(("dropout", "dropout p=0.2"), functional);
        Assert.Contains(("global_avgpool", "global average pool"), functional);
        var inception = model.Blocks.Single(b => b.Name == "Inception");
        Assert.Equal(["concat"], inception.Forward.Select(s => s.Kind));
        Assert.Equal(["seq", "seq"], StepWalk.PostOrder(inception.Forward).OfType<ModuleStep>().Skip(2).Select(s => s.Kind));
        // torchvision's branch4: a Sequential of a pool and a conv unit, its labels in the class's terms.
        var branch4 = inception.Members.Single(m => m.StateName == "branch4");
        Assert.Equal([("0", "maxpool"), ("1", "conv")], branch4.Children.Select(c => (c.Name, c.Kind)));
        Assert.Equal("conv-bn-relu 1x1, poolProj", branch4.Children[1].Label);
        Assert.All(branch4.Children, c => Assert.Empty(c.Children));
        // The classifier's row reads in numbers; its detail (the generated comment) keeps the C#.
        var fc = Specs.Row(model, "fc");
        Assert.Equal("linear 1024 -> numClasses", fc.Detail);
        Assert.Equal("linear 1024 -> 1000", fc.Label);
    }

    [Fact]
    public void InceptionResNetV2ScalesArePerUseValues()
    {
        var model = ExplainModels.Get("InceptionResNetV2").Model;
        var block35 = model.Blocks.Single(b => b.Name == "Block35");
        var residual = Assert.Single(StepWalk.PostOrder(block35.Forward).OfType<ResidualStep>());
        Assert.Equal(("scale", 0.17), (CSharpExpressions.Render(residual.Scale!), residual.ScaleValue));  // the class's first use's value
        var block8 = model.Blocks.Single(b => b.Name == "Block8");
        Assert.Equal(0.2, StepWalk.PostOrder(block8.Forward).OfType<ResidualStep>().Single().ScaleValue);
        // A use whose scales are the class's carries none; block8 (scale 1.0) carries its own.
        var scales = model.Instances.ToDictionary(i => i.Path, i => i.Scales);
        Assert.Empty(scales["repeat.0"]);
        Assert.Empty(scales["repeat_1.19"]);
        Assert.Empty(scales["repeat_2.8"]);
        Assert.Equal([1.0], scales["block8"]);

        var blocks = AllBlocks(ModelGraph.Build(model)).ToDictionary(b => b.Path);
        Assert.Equal("0.17", Residual(blocks["repeat.9"]).Scale);
        Assert.Equal("0.1", Residual(blocks["repeat_1.0"]).Scale);
        Assert.Equal("0.2", Residual(blocks["repeat_2.0"]).Scale);
        Assert.Equal("1.0", Residual(blocks["block8"]).Scale);
    }

    [Fact]
    public void ResNetSequentialsListTheirChildren()
    {
        var model = ExplainModels.Get("ResNet50").Model;
        var layer1 = model.Body.Members.Single(m => m.StateName == "layer1");
        Assert.Equal([("0", "block", "Bottleneck"), ("1", "block", "Bottleneck"), ("2", "block", "Bottleneck")],
            layer1.Children.Select(c => (c.Name, c.Kind, c.Label)));
        Assert.Equal(6, model.Body.Members.Single(m => m.StateName == "layer3").Children.Count);
        Assert.Empty(model.Body.Members.Single(m => m.StateName == "fc").Children);

        var downsample = model.Blocks.Single(b => b.Name == "Bottleneck").Members.Single(m => m.StateName == "downsample");
        Assert.Equal(["0", "1"], downsample.Children.Select(c => c.Name));
        Assert.Equal(["conv", "bn"], downsample.Children.Select(c => c.Kind));
        Assert.StartsWith("conv 1x1", downsample.Children[0].Label);
        Assert.StartsWith("batchnorm", downsample.Children[1].Label);

        // The graph expands each Sequential through its member's children.
        var graph = ModelGraph.Build(model);
        Assert.Equal(["layer1.0", "layer1.1", "layer1.2"], AllBlocks(graph).Where(b => b.Path.StartsWith("layer1.", StringComparison.Ordinal)).Select(b => b.Path));
        var shortcut = Residual(AllBlocks(graph).Single(b => b.Path == "layer2.0")).Shortcut.OfType<OpNode>().Select(o => o.Path);
        Assert.Equal(["layer2.0.downsample.0", "layer2.0.downsample.1"], shortcut);
    }

    [Fact]
    public void ASmallSpecCarriesEachUsesLabelsAndScalesInNumbers()
    {
        var model = Specs.Model(Specs.Wrap(
            """
              - concat:
                  - { name: a, conv: { filters: 8, k: 1 } }
                  - { name: b, conv: { filters: 8, k: 3, pad: 1, act: relu } }
                  - { maxpool: { k: 3, stride: 1, pad: 1 } }
              - { name: down1, use: Down, args: { p: 0, s: 0.5 } }
              - { name: down2, use: Down, args: { p: 1 } }
              - { name: head, seq: [ { bn: {} }, relu, { seq: [ { maxpool: { k: 2 } } ] } ] }
              - global_avgpool
              - { name: fc, linear: $classes }
            """,
            """
              Down:
                params: [p, s: 1.0]
                body:
                  - residual:
                      body:
                        - { name: conv, conv: { filters: $in_channels, k: 3, pad: 1, bn: true, act: relu } }
                      shortcut: { name: proj, conv: { filters: $in_channels, k: 1 } }
                      scale: $s
                  - { maxpool: { k: 3, stride: 2, pad: $p } }
            """));

        // A conv's act: relu is a relu step like any other.
        var relu = model.Body.Forward.OfType<ConcatStep>().Single().Branches[1].Steps.OfType<FunctionalStep>().Single();
        Assert.Equal(("relu", "ReLU"), (relu.Kind, relu.Label));

        // The class's step shows the parameter; each use's label has its number (no pad where it is 0). A pool sized by
        // a block parameter is a module (the forward cannot read constructor values).
        var down = model.Blocks.Single(b => b.Name == "Down");
        var pool = down.Forward.OfType<ModuleStep>().Single(s => s.Kind == "maxpool");
        Assert.Equal(("maxpool", "max pool 3x3/2 pad p"), (pool.Kind, pool.Label));
        Assert.Equal("max pool 3x3/2", Specs.Row(model, "down1.maxpool0").Label);
        Assert.Equal("max pool 3x3/2 pad 1", Specs.Row(model, "down2.maxpool0").Label);
        var instances = model.Instances.ToDictionary(i => i.Path);
        Assert.Equal("s", CSharpExpressions.Render(down.Forward.OfType<ResidualStep>().Single().Scale!));
        Assert.Equal(0.5, down.Forward.OfType<ResidualStep>().Single().ScaleValue);
        Assert.Empty(instances["down1"].Scales);
        Assert.Equal([1.0], instances["down2"].Scales);

        var graph = ModelGraph.Build(model);
        var blocks = AllBlocks(graph).ToDictionary(b => b.Path);
        Assert.Equal("max pool 3x3/2", blocks["down1"].Body.OfType<OpNode>().Single().Label);
        Assert.Equal("max pool 3x3/2 pad 1", blocks["down2"].Body.OfType<OpNode>().Single().Label);
        Assert.Equal("0.5", Residual(blocks["down1"]).Scale);
        Assert.Equal("1.0", Residual(blocks["down2"]).Scale);

        // A Sequential's children, nested ones included.
        var head = model.Body.Members.Single(m => m.StateName == "head");
        Assert.Equal([("0", "bn", "batchnorm eps 1e-05"), ("1", "relu", "ReLU"), ("2", "seq", "Sequential of 1")], head.Children.Select(c => (c.Name, c.Kind, c.Label)));
        Assert.Equal([("0", "maxpool", "max pool 2x2/2")], head.Children[2].Children.Select(c => (c.Name, c.Kind, c.Label)));
        Assert.Equal(["head.0", "head.1", "head.2.0"], graph.Nodes.OfType<OpNode>().Select(o => o.Path).Where(p => p?.StartsWith("head.", StringComparison.Ordinal) == true));

        // The classifier's comment reads the run-time input channels and class count as C#, its label as numbers.
        var fc = Specs.Row(model, "fc");
        Assert.Equal("linear inChannels + 16 -> numClasses", fc.Detail);
        Assert.Equal("linear 19 -> 10", fc.Label);
        Assert.Equal("linear 19 -> 10", graph.Nodes.OfType<OpNode>().Single(o => o.Path == "fc").Label);
    }

    private static ResidualNode Residual(BlockNode block) => ModelGraph.Descendants(block.Body).OfType<ResidualNode>().Single();

    private static IEnumerable<BlockNode> AllBlocks(ModelGraph graph) => ModelGraph.Descendants(graph.Nodes).OfType<BlockNode>();
}
