using InceptionDsl.Analysis;
using InceptionDsl.Semantics;
using InceptionDsl.Tests.Support;
using Xunit;

namespace InceptionDsl.Tests.Explain;

/// <summary>
/// The graph's shapes are the IR's typed shapes: layers take their row's, the model's own forward
/// steps their exact output, and the steps inside a block instance (pools, activations, concats,
/// residuals) the outputs the IR holds for that instance (<see cref="InstanceIR"/>).
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
    [MemberData(nameof(ExplainModels.Names), MemberType = typeof(ExplainModels))]
    public void EveryNodeOfEveryBlockInstanceHasTheShapeTheIrHoldsForThatInstance(string name)
    {
        var model = ExplainModels.Get(name).Model;
        var classes = model.Blocks.ToDictionary(c => c.Name);
        var instances = model.Instances.ToDictionary(i => i.Path);
        var blockRows = model.Layers.Where(r => r.IsBlock).ToList();
        var rows = model.Layers.GroupBy(r => r.Path).ToDictionary(g => g.Key, g => g.First());
        Assert.Equal(blockRows.Select(r => r.Path).Order(StringComparer.Ordinal), instances.Keys.Order(StringComparer.Ordinal));
        foreach (var row in blockRows)
            Assert.Equal(StepWalk.PostOrder(classes[row.Detail].Forward).Count(), instances[row.Path].Outputs.Count);

        var blocks = AllNodes(ModelGraph.Build(model)).OfType<BlockNode>().ToList();
        Assert.Equal(blockRows.Count, blocks.Count);
        foreach (var block in blocks)
        {
            var instance = instances[block.Path];
            var steps = StepWalk.PostOrder(classes[block.ClassName].Forward).ToList();
            var expected = steps.Select((step, i) => (step, instance.Outputs[i])).Where(p => p.step is not ModuleStep and not AuxTapStep).Select(p => (ShapeIR?)p.Item2);
            Assert.Equal(expected, Computed(block.Body));
            Assert.Equal(block.Shape, instance.Outputs[^1]);
            // A member's step gives its row's shape (a member this instance leaves out passes its input on).
            var members = classes[block.ClassName].Members.ToDictionary(m => m.Field);
            for (int i = 0; i < steps.Count; i++)
                if (steps[i] is ModuleStep module && rows.TryGetValue(block.Path + "." + members[module.Field].StateName, out var row))
                    Assert.Equal(row.Shape, instance.Outputs[i]);
        }
    }

    [Fact]
    public void PoolsWhoseGeometryIsABlockParameterTakeEachUsesNumbers()
    {
        var model = Specs.Model(Specs.Wrap(
            """
              - { name: down1, use: Down, args: { k: 3, s: 1, filters: 8 } }
              - { name: down2, use: Down, args: { k: 3, s: 2, filters: 8 } }
              - { name: down3, use: Down, args: { k: 5, s: 4, filters: 8 } }
              - global_avgpool
              - { name: fc, linear: $classes }
            """,
            """
              Down:
                params: [k, s, filters]
                body:
                  - concat:
                      - { name: conv, conv: { filters: $filters, k: 1, stride: $s, bn: true, act: relu } }
                      - { maxpool: { k: $k, stride: $s, pad: $k // 2 } }
                  - { avgpool: { k: $k, stride: 1, pad: $k // 2 } }
                  - { relu: {}, if: $s == 1 }
            """));
        var blocks = ModelGraph.Build(model).Nodes.OfType<BlockNode>().ToList();
        Assert.Equal(["down1", "down2", "down3"], blocks.Select(b => b.Path));

        // Per use: the concat and the relu (run only where s == 1; elsewhere it passes its input on). The pools, sized by
        // the block's parameters, are modules (a forward cannot read constructor values): each use's row has its shape.
        ShapeIR Map(long c, long side) => new(c, side, side, false);
        Assert.Equal([Map(11, 32), Map(11, 32)], Functional(blocks[0]));
        Assert.Equal([Map(19, 16), Map(19, 16)], Functional(blocks[1]));
        Assert.Equal([Map(27, 4), Map(27, 4)], Functional(blocks[2]));
        Assert.All(blocks, b => Assert.Equal(b.Shape, Functional(b)[^1]));
        Assert.Equal(Map(27, 4), model.Layers.Single(r => r.Path == "down3").Shape);
        Assert.Equal([Map(3, 32), Map(11, 16), Map(19, 4)], new[] { "down1", "down2", "down3" }.Select(b => Specs.Row(model, b + ".maxpool0").Shape));
        Assert.Equal([Map(11, 32), Map(19, 16), Map(27, 4)], new[] { "down1", "down2", "down3" }.Select(b => Specs.Row(model, b + ".avgpool0").Shape));
    }

    /// <summary>The shapes of a block's parameter-free steps, concats and residuals, each after those nested in it.</summary>
    private static List<ShapeIR?> Functional(BlockNode block) => Computed(block.Body);

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
    private static List<ShapeIR?> Exact(IEnumerable<StepIR> steps) =>
        // Modules' shapes are their rows'; an aux tap has none. A select's paths and attention are members (rows), not steps.
        StepWalk.PostOrder(steps).Where(step => step is not ModuleStep and not AuxTapStep).Select(step => step.Output).ToList();

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
                    result.AddRange(Computed(residual.ShortcutFirst ? residual.Shortcut : residual.Body));
                    result.AddRange(Computed(residual.ShortcutFirst ? residual.Body : residual.Shortcut));
                    result.Add(residual.Shape);
                    break;
                case GateNode gate:
                    result.AddRange(Computed(gate.Branch));
                    result.Add(gate.Shape);
                    break;
                case SelectNode select:
                    foreach (var path in select.Paths)
                        result.AddRange(Computed(path.Nodes));
                    result.AddRange(Computed(select.Attn));
                    result.Add(select.Shape);
                    break;
            }
        }

        return result;
    }
}
