using InceptionDsl.Cli.Explain;
using InceptionDsl.Semantics;
using Xunit;

namespace InceptionDsl.Tests.Explain;

/// <summary>
/// The graph's shapes are the IR's typed shapes: layers take their row's, the model's own forward
/// steps their exact output, and what is worked out inside a block instance (pools, activations,
/// concats) agrees with the numbers the IR holds for the block's first use.
/// </summary>
public class GraphShapeTests
{
    [Theory]
    [MemberData(nameof(ExplainModels.Names), MemberType = typeof(ExplainModels))]
    public void EveryNodeHasAShapeTakenFromTheIrWhereItHoldsOne(string name)
    {
        var model = ExplainModels.Get(name).Model;
        var graph = ModelGraph.Build(model);
        var all = AllNodes(graph);

        Assert.All(all.Where(n => n is not AuxNode), n => Assert.NotNull(Describe.ShapeOf(n)));
        var rows = model.Layers.GroupBy(r => r.Path).ToDictionary(g => g.Key, g => g.First());
        Assert.All(all.OfType<OpNode>().Where(o => o.Path is not null), o => Assert.Equal(rows[o.Path!].Shape, o.Shape));
        Assert.All(all.OfType<BlockNode>(), b => Assert.Equal(rows[b.Path].Shape, b.Shape));
        // The model's own forward steps carry exact shapes.
        Assert.Equal(Exact(model.Body.Forward), Computed(graph.Nodes));
    }

    [Theory]
    [MemberData(nameof(ExplainModels.Names), MemberType = typeof(ExplainModels))]
    public void BlockInteriorsMatchTheIrOfTheFirstUse(string name)
    {
        var model = ExplainModels.Get(name).Model;
        var classes = model.Blocks.ToDictionary(c => c.Name);
        foreach (var first in AllNodes(ModelGraph.Build(model)).OfType<BlockNode>().GroupBy(b => b.ClassName).Select(g => g.First()))
            Assert.Equal(Exact(classes[first.ClassName].Forward), Computed(first.Body));
    }

    [Theory]
    [InlineData("max pool 3x3 pad 1", 35, 35)]
    [InlineData("avg pool 3x3 pad 1 excl. pad", 35, 35)]
    [InlineData("max pool 3x3/2", 17, 17)]
    [InlineData("max pool 2x2/2 ceil", 18, 18)]
    [InlineData("max pool 3x1/2x1 pad 1x0", 18, 35)]
    [InlineData("max pool 3x3/s", null, null)]
    [InlineData("max pool 3x3 pad p", null, null)]
    public void PoolShapesFollowTheLabelsGeometry(string label, int? height, int? width)
    {
        var output = ShapeFill.Infer(new OpNode(null, label.StartsWith("max", StringComparison.Ordinal) ? "maxpool" : "avgpool", label, null, 0, 0), new ShapeIR(64, 35, 35, false));
        Assert.Equal(height is null ? null : new ShapeIR(64, height.Value, width!.Value, false), output);
    }

    [Fact]
    public void GridsAndShapesPrintAsBefore()
    {
        Assert.Equal("35x35", GridSize.Of(new ShapeIR(384, 35, 35, false)).ToString());
        Assert.Equal("vector", GridSize.Of(new ShapeIR(1000, 1, 1, true)).ToString());
        Assert.Null(GridSize.Of(null));
        Assert.Equal("[384, 35, 35]", Describe.Show(new ShapeIR(384, 35, 35, false)));
        Assert.Equal("[1000]", Describe.Show(new ShapeIR(1000, 1, 1, true)));
        Assert.Equal("", Describe.Show(null));
    }

    private static List<GraphNode> AllNodes(ModelGraph graph)
    {
        var heads = graph.Nodes.OfType<AuxNode>().Select(a => a.Head).OfType<BlockNode>();
        return ModelGraph.Descendants(graph.Nodes.Concat(heads)).ToList();
    }

    /// <summary>The outputs the IR holds for the parameter-free steps, concats and residuals, depth first.</summary>
    private static List<ShapeIR?> Exact(IEnumerable<StepIR> steps)
    {
        var result = new List<ShapeIR?>();
        foreach (var step in steps)
        {
            switch (step)
            {
                case FunctionalStep:
                    result.Add(step.Output);
                    break;
                case ConcatStep concat:
                    foreach (var branch in concat.Branches)
                        result.AddRange(Exact(branch.Steps));
                    result.Add(step.Output);
                    break;
                case ResidualStep residual:
                    result.AddRange(Exact(residual.Body));
                    result.AddRange(Exact(residual.Shortcut));
                    result.Add(step.Output);
                    break;
            }
        }

        return result;
    }

    /// <summary>The graph's shapes for the same nodes, in the same order (not into nested block instances).</summary>
    private static List<ShapeIR?> Computed(IEnumerable<GraphNode> nodes)
    {
        var result = new List<ShapeIR?>();
        foreach (var node in nodes)
        {
            switch (node)
            {
                case OpNode { Path: null } op:
                    result.Add(op.Shape);
                    break;
                case ConcatNode concat:
                    foreach (var branch in concat.Branches)
                        result.AddRange(Computed(branch.Nodes));
                    result.Add(concat.Shape);
                    break;
                case ResidualNode residual:
                    result.AddRange(Computed(residual.Body));
                    result.AddRange(Computed(residual.Shortcut));
                    result.Add(residual.Shape);
                    break;
            }
        }

        return result;
    }
}
