using InceptionDsl.Cli.Explain;
using InceptionDsl.Semantics;
using Xunit;

namespace InceptionDsl.Tests.Explain;

/// <summary>
/// The graph's shapes are the IR's typed shapes: layers take their row's, the model's own forward
/// steps their exact output.
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
