using Google.Protobuf;
using InceptionDsl.Analysis;
using InceptionDsl.Models;
using InceptionDsl.Onnx;
using InceptionDsl.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Language;

/// <summary>
/// The select node (selective kernels, issue 15): parallel paths weighted per channel by a softmax
/// across them that an attention chain computes from their sum. Checked at build time (shapes,
/// counts, state_dict names and order, precise errors) and, compiled in memory, in TorchSharp
/// against timm's SelectiveKernel.forward written out by hand, fused against unfused, and in
/// ONNX Runtime against TorchSharp.
/// </summary>
public sealed class SelectiveKernelTests
{
    private const string Spec = """
        model: SelectNet
        input: { channels: 3, size: 16 }
        classes: 5
        params: [split: true]
        defaults:
          conv: { bias: false }
        blocks:
          SK:
            params: [filters, stride: 1]
            body:
              - select:
                  split: $split
                  paths:
                    - conv: { filters: $filters, k: 3, stride: $stride, pad: 1, bn: true, act: relu }
                    - conv: { filters: $filters, k: 3, stride: $stride, pad: 2, dilation: 2, bn: true, act: relu }
                  attn:
                    - adaptive_avgpool: 1
                    - { name: fc_reduce, conv: { filters: 4, k: 1 } }
                    - { name: bn, bn: {} }
                    - { name: act, relu: {} }
                    - { name: fc_select, conv: { filters: $filters * 2, k: 1 } }
        body:
          - { name: stem, conv: { filters: 8, k: 3, pad: 1, bn: true, act: relu } }
          - { name: sk1, use: SK, args: { filters: 8 } }
          - { name: sk2, use: SK, args: { filters: 16, stride: 2 } }
          - global_avgpool
          - { name: fc, linear: $classes }
        """;

    /// <summary>Three paths on the whole input (no split), an attention without pooling: weights per position, over the map.</summary>
    private const string MapSpec = """
        model: SelectMap
        input: { channels: 3, size: 12 }
        classes: 4
        body:
          - { name: stem, conv: { filters: 6, k: 3, pad: 1 } }
          - name: sk
            select:
              paths:
                - conv: { filters: 6, k: 1, bn: true, act: relu }
                - conv: { filters: 6, k: 3, pad: 1, bn: true, act: relu }
                - seq: [ { conv: { filters: 6, k: 3, pad: 2, dilation: 2 } }, { bn: {} } ]
              attn:
                - { name: fc_reduce, conv: { filters: 3, k: 1, bias: false } }
                - { name: bn, bn: {} }
                - { name: act, relu: {} }
                - { name: fc_select, conv: { filters: 18, k: 1 } }
          - global_avgpool
          - { name: fc, linear: $classes }
        """;

    private static readonly Lazy<Func<string, nn.Module<Tensor, Tensor>>> Compiled = new(() => InMemoryModels.Load(("select.inception.yaml", Spec), ("select_map.inception.yaml", MapSpec)));

    [Fact]
    public void WeightsOverTheMapAndThreePathsMatchTheSameMathWrittenOutAndOnnxRuntime()
    {
        var model = Specs.Model(MapSpec);
        Assert.Equal("[18, 12, 12]", Specs.Row(model, "attn").OutputShape);
        using var module = Compiled.Value("SelectMap");
        using var scope = NewDisposeScope();
        Randomize(module, 11);
        module.eval();
        var input = randn(2, 3, 12, 12);
        Tensor output;
        using (no_grad())
            output = module.forward(input);

        var p = module.state_dict();
        Tensor Bn(Tensor x, string name) => nn.functional.batch_norm(x, p[name + ".running_mean"], p[name + ".running_var"], p[name + ".weight"], p[name + ".bias"], false, 0.1, 1e-5);
        using (no_grad())
        {
            var x = nn.functional.conv2d(input, p["stem.weight"], p["stem.bias"], padding: new long[] { 1, 1 });
            var a = Bn(nn.functional.conv2d(x, p["paths.0.conv.weight"]), "paths.0.bn").relu();
            var b = Bn(nn.functional.conv2d(x, p["paths.1.conv.weight"], padding: new long[] { 1, 1 }), "paths.1.bn").relu();
            var c = Bn(nn.functional.conv2d(x, p["paths.2.0.weight"], p["paths.2.0.bias"], padding: new long[] { 2, 2 }, dilation: new long[] { 2, 2 }), "paths.2.1");
            var stacked = stack(new[] { a, b, c }, 1);
            var w = Bn(nn.functional.conv2d(stacked.sum(1), p["attn.fc_reduce.weight"]), "attn.bn").relu();
            w = nn.functional.conv2d(w, p["attn.fc_select.weight"], p["attn.fc_select.bias"]);
            w = w.view(2, 3, 6, 12, 12).softmax(1);
            var h = nn.functional.adaptive_avg_pool2d((stacked * w).sum(1), 1).flatten(1);
            var expected = nn.functional.linear(h, p["fc.weight"], p["fc.bias"]);
            Assert.True(expected.allclose(output, rtol: 1e-5, atol: 1e-6), $"max |diff| {(expected - output).abs().max().item<float>()}");
        }

        // ONNX: the weights cover the map, so the file keeps the input's spatial size fixed.
        var proto = OnnxExport.ToModelProto((IOnnxExportable)module);
        Assert.Equal("false", proto.MetadataProps.Single(m => m.Key == "dynamic_spatial_size").Value);
        using var session = new OnnxModelSession(proto.ToByteArray(), new OnnxRunOptions());
        var outputs = session.RunAll(input.data<float>().ToArray(), new[] { 2, 3, 12, 12 });
        var diff = (tensor(outputs[0].Values) - output.reshape(-1)).abs().max().item<float>();
        Assert.True(diff <= 1e-4 * output.abs().max().item<float>(), $"ONNX Runtime vs TorchSharp max diff {diff}");
    }

    [Fact]
    public void GradientsReachEveryPathAndTheAttention()
    {
        using var module = Compiled.Value("SelectNet");
        using var scope = NewDisposeScope();
        Randomize(module, 5);
        module.train();
        foreach (var parameter in module.parameters())
            parameter.grad = null;
        var loss = module.forward(randn(2, 3, 16, 16)).square().sum();
        loss.backward();
        foreach (var (name, parameter) in module.named_parameters().Where(n => n.name.StartsWith("sk", StringComparison.Ordinal)))
            Assert.True(parameter.grad is { } grad && grad.abs().sum().item<float>() > 0, $"{name} has no gradient");
    }

    [Fact]
    public void ShapesAndCountsArePathsPlusAttention()
    {
        var model = Specs.Model(Spec);
        // sk1 on 8 channels, split: two 3x3 convs 4 -> 8 with bn; attn 8 -> 4 (bn) -> 16 on one pixel.
        long paths = 2 * (4 * 9 * 8 + 2 * 8);
        long attn = 8 * 4 + 2 * 4 + 4 * 16;
        var sk1 = Specs.Row(model, "sk1");
        Assert.Equal(paths + attn, sk1.Parameters);
        Assert.Equal(2 * (2 * 8 * 16 * 16 * (4 * 9)) + 2 * (4 * 8) + 2 * (16 * 4), sk1.Flops);
        Assert.Equal("[8, 16, 16]", sk1.OutputShape);
        Assert.Equal("[16, 8, 8]", Specs.Row(model, "sk2").OutputShape);
        Assert.Equal("[8, 16, 16]", Specs.Row(model, "sk1.paths.1").OutputShape);
        Assert.Equal("[16, 1, 1]", Specs.Row(model, "sk1.attn").OutputShape);
        Assert.Equal("[4, 1, 1]", Specs.Row(model, "sk1.attn.fc_reduce").OutputShape);
    }

    [Fact]
    public void StateDictHasTimmsNamesInTimmsOrder()
    {
        using var module = Compiled.Value("SelectNet");
        // timm's SelectiveKernel registers paths (a ModuleList of ConvNormAct: conv, bn) then attn
        // (SelectiveKernelAttn: fc_reduce, bn, act, fc_select); PyTorch's state_dict lists, module by
        // module, its parameters then its buffers. TorchSharp lists every parameter before every
        // buffer, so the order is compared per kind (as the zoo's verification does).
        string[] Bn(string p) => new[] { p + ".weight", p + ".bias", p + ".running_mean", p + ".running_var", p + ".num_batches_tracked" };
        var expected = new[] { "sk1.paths.0.conv.weight" }.Concat(Bn("sk1.paths.0.bn"))
            .Append("sk1.paths.1.conv.weight").Concat(Bn("sk1.paths.1.bn"))
            .Append("sk1.attn.fc_reduce.weight").Concat(Bn("sk1.attn.bn"))
            .Append("sk1.attn.fc_select.weight").ToList();
        bool IsBuffer(string n) => n.EndsWith("running_mean", StringComparison.Ordinal) || n.EndsWith("running_var", StringComparison.Ordinal) || n.EndsWith("num_batches_tracked", StringComparison.Ordinal);
        List<string> Under(IEnumerable<string> names) => names.Where(n => n.StartsWith("sk1.", StringComparison.Ordinal)).ToList();
        Assert.Equal(expected.Where(n => !IsBuffer(n)), Under(module.named_parameters().Select(p => p.name)));
        Assert.Equal(expected.Where(IsBuffer), Under(module.named_buffers().Select(b => b.name)));
        Assert.Equal(expected.Order(), Under(module.state_dict().Keys).Order());
    }

    [Fact]
    public void GeneratedModuleMatchesTimmsForwardWrittenOut()
    {
        var model = Specs.Model(Spec);
        using var module = Compiled.Value("SelectNet");
        Assert.Equal(model.Parameters, module.parameters().Sum(p => p.numel()));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Randomize(module, 15);
        module.eval();
        var input = randn(2, 3, 16, 16);
        var output = module.forward(input);

        // timm's SelectiveKernel.forward with TorchSharp's functional API and the module's own weights.
        var p = module.state_dict();
        Tensor Bn(Tensor x, string name) => nn.functional.batch_norm(x, p[name + ".running_mean"], p[name + ".running_var"], p[name + ".weight"], p[name + ".bias"], false, 0.1, 1e-5);
        Tensor Sk(Tensor x, string name, long stride)
        {
            var slices = x.split(x.shape[1] / 2, 1);
            var s = new long[] { stride, stride };
            var a = Bn(nn.functional.conv2d(slices[0], p[name + ".paths.0.conv.weight"], strides: s, padding: new long[] { 1, 1 }), name + ".paths.0.bn").relu();
            var b = Bn(nn.functional.conv2d(slices[1], p[name + ".paths.1.conv.weight"], strides: s, padding: new long[] { 2, 2 }, dilation: new long[] { 2, 2 }), name + ".paths.1.bn").relu();
            var stacked = stack(new[] { a, b }, 1);
            var w = stacked.sum(1).mean(new long[] { 2, 3 }, keepdim: true);
            w = Bn(nn.functional.conv2d(w, p[name + ".attn.fc_reduce.weight"]), name + ".attn.bn").relu();
            w = nn.functional.conv2d(w, p[name + ".attn.fc_select.weight"]);
            w = w.view(w.shape[0], 2, w.shape[1] / 2, 1, 1).softmax(1);
            return (stacked * w).sum(1);
        }

        var h = Bn(nn.functional.conv2d(input, p["stem.conv.weight"], padding: new long[] { 1, 1 }), "stem.bn").relu();
        h = Sk(Sk(h, "sk1", 1), "sk2", 2);
        h = nn.functional.adaptive_avg_pool2d(h, 1).flatten(1);
        var expected = nn.functional.linear(h, p["fc.weight"], p["fc.bias"]);
        Assert.True(expected.allclose(output, rtol: 1e-5, atol: 1e-6), $"max |diff| {(expected - output).abs().max().item<float>()}");
    }

    [Fact]
    public void FusedLogitsEqualUnfused()
    {
        using var module = Compiled.Value("SelectNet");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Randomize(module, 7);
        module.eval();
        var input = randn(2, 3, 16, 16);
        var before = module.forward(input).clone();
        // The in-memory assembly has its own IInceptionDslModel: Fuse() is called by name.
        module.GetType().GetMethod("Fuse")!.Invoke(module, new object[] { true });
        // Every conv-bn unit folded: the stem and each select's two paths.
        var units = module.modules().Where(m => m.GetType().Name == "BasicConv2d").ToList();
        Assert.Equal(5, units.Count);
        Assert.All(units, u => Assert.True((bool)u.GetType().GetProperty("IsFused")!.GetValue(u)!));
        // The attention's BatchNorm, after fc_reduce in its Sequential, folded too: it is the identity now.
        var attnBn = module.named_modules().Single(m => m.name == "sk1.attn.bn").module as TorchSharp.Modules.BatchNorm2d;
        Assert.NotNull(attnBn);
        Assert.Equal(0f, attnBn!.running_mean!.abs().max().item<float>());
        Assert.Equal(1f, attnBn.weight!.min().item<float>());
        var after = module.forward(input);
        Assert.True(after.allclose(before, rtol: 1e-5, atol: 1e-5), $"max |diff| {(after - before).abs().max().item<float>()}");
    }

    [Fact]
    public void OnnxRuntimeGivesTheTorchSharpLogits()
    {
        using var module = Compiled.Value("SelectNet");
        using var scope = NewDisposeScope();
        Randomize(module, 3);
        module.eval();
        var proto = OnnxExport.ToModelProto((IOnnxExportable)module);
        Assert.Contains(proto.Graph.Node, n => n.OpType == "Softmax" && n.Name == "sk1.select.softmax");
        Assert.Contains(proto.Graph.Node, n => n.OpType == "Split" && n.Name == "sk1.select.split");
        Assert.Contains(proto.Graph.Initializer, i => i.Name == "sk1.attn.fc_reduce.weight");
        Assert.DoesNotContain(proto.Graph.Node, n => n.OpType == "BatchNormalization");
        var input = randn(2, 3, 16, 16);
        using var session = new OnnxModelSession(proto.ToByteArray(), new OnnxRunOptions());
        var outputs = session.RunAll(input.data<float>().ToArray(), new[] { 2, 3, 16, 16 });
        Tensor expected;
        using (no_grad())
            expected = module.forward(input);
        var diff = (tensor(outputs[0].Values) - expected.reshape(-1)).abs().max().item<float>();
        Assert.True(diff <= 1e-4 * expected.abs().max().item<float>(), $"ONNX Runtime vs TorchSharp max diff {diff}");
    }

    [Fact]
    public void ExplainAndDiffDescribeTheSelect()
    {
        var model = Specs.Model(Spec);
        var graph = ModelGraph.Build(model);
        var sk1 = Assert.IsType<BlockNode>(graph.Nodes.Single(n => n is BlockNode { Path: "sk1" }));
        var select = Assert.IsType<SelectNode>(Assert.Single(sk1.Body));
        Assert.Equal(2, select.Paths.Count);
        Assert.True(select.Split);
        Assert.Equal(new[] { "fc_reduce", "bn", "fc_select" }, select.Attn.OfType<OpNode>().Where(o => o.Parameters > 0).Select(o => o.Path!.Split('.').Last()));
        Assert.Equal("[8, 16, 16]", select.Shape?.ToString());

        var text = Explainer.Explain(graph);
        Assert.Contains("selective kernel: 2 paths, each on its slice of the input's channels", text);
        Assert.Contains("attn (on the sum of the paths):", text);
        var branches = ModelDiff.Branches(sk1);
        Assert.Contains(branches, b => b.Name == "attn" && b.Text.StartsWith("softmax across paths of", StringComparison.Ordinal));
    }

    [Fact]
    public void DiagramsDrawThePathsTheirSumAndTheWeighting()
    {
        var graph = ModelGraph.Build(Specs.Model(Spec));
        var mermaid = DiagramWriter.Mermaid(graph);
        // One sum and one weighting node per select (sk1, sk2), after the paths.
        Assert.Equal(2, mermaid.Split('\n').Count(l => l.Contains("[\"sum of the paths\"]", StringComparison.Ordinal)));
        Assert.Equal(2, mermaid.Split('\n').Count(l => l.Contains("softmax across paths; weighted sum<br/>", StringComparison.Ordinal)));
        // The stem and sk1's two paths; sk2's strided paths draw as 3x3/2.
        Assert.Equal(3, mermaid.Split('\n').Count(l => l.Contains("[\"3x3 conv, 8<br/>[8, 16, 16]\"]", StringComparison.Ordinal)));
        Assert.Equal(2, mermaid.Split('\n').Count(l => l.Contains("[\"3x3/2 conv, 16<br/>[16, 8, 8]\"]", StringComparison.Ordinal)));
        var dot = DiagramWriter.Dot(graph);
        Assert.Contains("softmax across paths; weighted sum\\n[16, 8, 8]", dot);
        var svg = DiagramWriter.Svg(graph);
        Assert.Contains("selective kernel", svg);
        Assert.Contains("sum of the paths", svg);
    }

    [Fact]
    public void PathsThatDisagreeAreAnErrorAtThePath()
    {
        var error = Specs.Error(Specs.Wrap("""
              - name: sk
                select:
                  paths:
                    - conv: { filters: 8, k: 3, pad: 1 }
                    - conv: { filters: 8, k: 3, pad: 0 }
                  attn:
                    - adaptive_avgpool: 1
                    - conv: { filters: 16, k: 1 }
            """));
        Assert.Equal("IDSL027", error.Id);
        Assert.Contains("'paths.1': gives [8, 30, 30] but path 0 gives [8, 32, 32]", error.Message);
        Assert.Equal((9, 11), (error.Span.Line, error.Span.Column));
    }

    [Fact]
    public void AttentionWithTheWrongChannelsIsAnError()
    {
        var error = Specs.Error(Specs.Wrap("""
              - name: sk
                select:
                  paths:
                    - conv: { filters: 8, k: 3, pad: 1 }
                    - conv: { filters: 8, k: 3, pad: 1 }
                  attn:
                    - adaptive_avgpool: 1
                    - conv: { filters: 8, k: 1 }
            """));
        Assert.Equal("IDSL027", error.Id);
        Assert.Contains("'attn': gives [8, 1, 1], which cannot weight 2 paths of [8, 32, 32]: it needs 2 x 8 = 16 channels", error.Message);
        Assert.Equal(11, error.Span.Line);
    }

    [Fact]
    public void SplitNeedsChannelsDivisibleByThePaths()
    {
        var error = Specs.Error(Specs.Wrap("""
              - name: sk
                select:
                  split: true
                  paths:
                    - conv: { filters: 8, k: 3, pad: 1 }
                    - conv: { filters: 8, k: 3, pad: 1 }
                  attn:
                    - conv: { filters: 16, k: 1 }
            """));
        Assert.Equal("IDSL027", error.Id);
        Assert.Contains("split: true divides the input's 3 channels among 2 paths", error.Message);
        Assert.Equal((7, 14), (error.Span.Line, error.Span.Column));
    }

    [Theory]
    [InlineData("paths: [ { conv: { filters: 8, k: 1 } } ]", "attn: [ { conv: { filters: 8, k: 1 } } ]", "IDSL017", "select 'sk' needs at least two paths to choose between, found 1")]
    [InlineData("paths: [ { conv: { filters: 8, k: 1 } }, { conv: { filters: 8, k: 1 } } ]", "", "IDSL004", "attn")]
    [InlineData("paths: [ { conv: { filters: 8, k: 1 } }, { name: a, conv: { filters: 8, k: 1 } } ]", "attn: [ { conv: { filters: 16, k: 1 } } ]", "IDSL017", "'paths.1': a path is named by its position")]
    [InlineData("paths: [ { conv: { filters: 8, k: 1 } }, { relu: {} } ]", "attn: [ { conv: { filters: 16, k: 1 } } ]", "IDSL027", "gives [3, 32, 32] but path 0 gives [8, 32, 32]")]
    [InlineData("paths: [ { conv: { filters: 8, k: 1 } }, [ relu ] ]", "attn: [ { conv: { filters: 16, k: 1 } } ]", "IDSL017", "'paths.1': a path is one module; a chain is not one")]
    [InlineData("paths: [ { conv: { filters: 8, k: 1, act: relu } }, { conv: { filters: 8, k: 1 } } ]", "attn: [ { conv: { filters: 16, k: 1 } } ]", "IDSL017", "'paths.0' is a conv without bn")]
    [InlineData("paths: [ { conv: { filters: 8, k: 1 } }, { conv: { filters: 8, k: 1 } } ]", "attn: [ global_avgpool ]", "IDSL027", "'attn': gives [8], which cannot weight 2 paths")]
    public void MalformedSelectsGetOnePreciseError(string paths, string attn, string id, string message)
    {
        var text = Specs.Wrap($"  - name: sk\n    select:\n      {paths}" + (attn.Length > 0 ? $"\n      {attn}" : ""));
        var result = SpecCompiler.Compile("test.inception.yaml", text);
        var error = Assert.Single(result.Diagnostics, d => d.Severity == global::InceptionDsl.Diagnostics.SpecSeverity.Error);
        Assert.Equal(id, error.Id);
        Assert.Contains(message, error.Message);
        Assert.Equal("test.inception.yaml", error.Span.Path);
        Assert.InRange(error.Span.Line, 6, 8);
    }

    [Fact]
    public void AnUnknownKeyInASelectSuggestsTheNearest()
    {
        var error = Specs.Error(Specs.Wrap("""
              - select:
                  pathz: []
                  paths: [ { conv: { filters: 8, k: 1 } }, { conv: { filters: 8, k: 1 } } ]
                  attn: [ { conv: { filters: 16, k: 1 } } ]
            """));
        Assert.Contains("pathz", error.Message);
        Assert.Contains("paths", error.Message);
        Assert.Equal(6, error.Span.Line);
    }

    private static void Randomize(nn.Module module, int seed)
    {
        using var noGrad = no_grad();
        manual_seed(seed);
        foreach (var (name, parameter) in module.named_parameters())
            parameter.copy_(name.EndsWith("bn.weight", StringComparison.Ordinal) ? rand_like(parameter) + 0.5 : randn_like(parameter) * 0.3);
        foreach (var (name, buffer) in module.named_buffers())
        {
            if (name.EndsWith("running_mean", StringComparison.Ordinal))
                buffer.copy_(randn_like(buffer) * 0.1);
            else if (name.EndsWith("running_var", StringComparison.Ordinal))
                buffer.copy_(rand_like(buffer) + 0.5);
        }
    }
}
