using InceptionDsl.Analysis;
using InceptionDsl.Semantics;
using InceptionDsl.Tests.Support;
using Xunit;

namespace InceptionDsl.Tests.Explain;

/// <summary>
/// A conv's or pool's kernel, stride, padding, filters and groups are data the lowerer sets
/// (<see cref="LayerGeometry"/> on a layer row, on a functional step, and per use in
/// <see cref="InstanceIR.Geometries"/>); the explain layer formats its compact labels from them.
/// </summary>
public class LayerGeometryTests
{
    [Fact]
    public void ZooRowsCarryTheirUsesGeometry()
    {
        var v3 = ExplainModels.Get("InceptionV3").Model;
        // Each use of InceptionC has its own c7 in its rows.
        Assert.Equal(new LayerGeometry(1, 7, 1, 1, 0, 3) { Filters = 128 }, Specs.Row(v3, "Mixed_6b.branch7x7_2").Geometry);
        Assert.Equal(new LayerGeometry(7, 1, 1, 1, 3, 0) { Filters = 192 }, Specs.Row(v3, "Mixed_6c.branch7x7_3").Geometry);
        Assert.Equal(160, Specs.Row(v3, "Mixed_6c.branch7x7_2").Geometry!.Filters);
        Assert.Equal(new LayerGeometry(3, 3, 2, 2, 0, 0) { Filters = 32 }, Specs.Row(v3, "Conv2d_1a_3x3").Geometry);

        var resnext = ExplainModels.Get("ResNeXt50_32x4d").Model;
        Assert.Equal(new LayerGeometry(3, 3, 1, 1, 1, 1) { Filters = 128, Groups = 32 }, Specs.Row(resnext, "layer1.0.conv2").Geometry);
        Assert.Equal(new LayerGeometry(1, 1, 2, 2, 0, 0) { Filters = 512 }, Specs.Row(resnext, "layer2.0.downsample.0").Geometry);
        Assert.Null(Specs.Row(resnext, "layer1.0.bn1").Geometry);
        Assert.Null(Specs.Row(resnext, "fc").Geometry);

        var googlenet = ExplainModels.Get("GoogLeNet").Model;
        var pool = googlenet.Body.Forward.OfType<FunctionalStep>().First();
        Assert.Equal(new LayerGeometry(3, 3, 2, 2, 0, 0) { Ceil = true }, pool.Geometry);
        Assert.Null(googlenet.Body.Forward.OfType<FunctionalStep>().Single(s => s.Kind == "dropout").Geometry);

        var graph = ModelGraph.Build(v3);
        var ops = ModelGraph.Descendants(graph.Nodes).OfType<OpNode>().Where(o => o.Path is not null).ToDictionary(o => o.Path!);
        Assert.Equal("1x7 conv, 128", Describe.Short(ops["Mixed_6b.branch7x7_2"]));
        Assert.Equal("3x3/2 conv, 32", Describe.Short(ops["Conv2d_1a_3x3"]));
        Assert.Equal((7, 1), Describe.Kernel(ops["Mixed_6c.branch7x7_3"]));
        Assert.Null(Describe.Kernel(ops["fc"]));
    }

    [Fact]
    public void ASmallSpecCarriesEachUsesGeometry()
    {
        var model = Specs.Model(Specs.Wrap(
            """
              - { name: a, conv: { filters: 8, k: [1, 3], stride: [2, 1], pad: [0, 1] } }
              - { avgpool: { k: 3, stride: 1, pad: 1, ceil: true, count_include_pad: false } }
              - { name: down1, use: Down, args: { p: 0 } }
              - { name: down2, use: Down, args: { p: 1 } }
              - global_avgpool
              - { name: fc, linear: $classes }
            """,
            """
              Down:
                params: [p]
                body:
                  - { name: conv, conv: { filters: 12, k: 3, pad: 1, groups: 4 } }
                  - { maxpool: { k: 3, stride: 2, pad: $p } }
            """));

        Assert.Equal(new LayerGeometry(1, 3, 2, 1, 0, 1) { Filters = 8 }, Specs.Row(model, "a").Geometry);
        Assert.Equal(new LayerGeometry(3, 3, 1, 1, 1, 1) { Ceil = true, ExcludePad = true }, model.Body.Forward.OfType<FunctionalStep>().First().Geometry);

        // A pool the block sizes with its parameter is a module of the class; each use's row carries its own geometry.
        var down = model.Blocks.Single(b => b.Name == "Down");
        Assert.Single(down.Forward.OfType<ModuleStep>(), s => s.Kind == "maxpool");
        Assert.Equal(new LayerGeometry(3, 3, 2, 2, 0, 0), Specs.Row(model, "down1.maxpool0").Geometry);
        Assert.Equal(new LayerGeometry(3, 3, 2, 2, 1, 1), Specs.Row(model, "down2.maxpool0").Geometry);

        var graph = ModelGraph.Build(model);
        var blocks = ModelGraph.Descendants(graph.Nodes).OfType<BlockNode>().ToDictionary(b => b.Path);
        Assert.Equal(new LayerGeometry(3, 3, 2, 2, 1, 1), blocks["down2"].Body.OfType<OpNode>().Single(o => o.Kind == "maxpool").Geometry);
        Assert.Equal(["3x3 conv, 12, groups 4", "maxpool 3x3/2"], blocks["down2"].Body.OfType<OpNode>().Select(Describe.Short));
        var top = graph.Nodes.OfType<OpNode>().ToList();
        Assert.Equal("1x3/2x1 conv, 8", Describe.Short(top[0]));
        Assert.Equal("avgpool 3x3 ceil excl. pad", Describe.Short(top[1]));
        Assert.Equal("linear 12 -> 10", Describe.Short(top.Single(o => o.Path == "fc")));
    }
}
