using System.Text.Json;
using Google.Protobuf;
using InceptionDsl.Emit.PyTorch;
using InceptionDsl.Onnx;
using InceptionDsl.Tests.Onnx;
using InceptionDsl.Tests.PyTorch;
using InceptionDsl.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Language;

/// <summary>
/// <c>group_norm</c>, the first kind added through the node-kind registry (Core's Kinds/GroupNorm.cs and one line of
/// NodeKinds): shapes, counts and messages; a model that uses it at the top level, with block parameters inside a
/// residual block, and in a seq, compiled in memory and checked against GroupNorm written out with TorchSharp's
/// elementary ops; its ONNX export run in ONNX Runtime; and the PyTorch backend's module, where the kind is torch's
/// own nn.GroupNorm, run by Debian's torch on the same weights.
/// </summary>
public sealed class GroupNormTests(Xunit.Abstractions.ITestOutputHelper log)
{
    private const string Spec = """
        model: GroupNet
        input: { channels: 3, size: 8 }
        classes: 5
        blocks:
          Unit:
            params: [width, groups]
            body:
              - residual:
                  body:
                    - { name: conv1, conv: { filters: $width, k: 3, pad: 1, bias: false } }
                    - { name: gn1, group_norm: { groups: $groups, eps: 0.000001 } }
                    - relu
                    - { name: conv2, conv: { filters: $width, k: 3, pad: 1, bias: false } }
                    - { name: gn2, group_norm: $groups }
              - relu
        body:
          - { name: stem, conv: { filters: 12, k: 3, pad: 1 } }
          - { name: gn, group_norm: 4 }
          - { name: unit, use: Unit, args: { width: 12, groups: 3 } }
          - { name: s, seq: [ { conv: { filters: 12, k: 1 } }, { group_norm: 6 }, relu ] }
          - global_avgpool
          - { name: fc, linear: $classes }
        """;

    /// <summary>GroupNorm from its definition: each group's mean and (biased) variance over its channels and the map.</summary>
    private static Tensor GroupNormWrittenOut(Tensor x, long groups, Tensor weight, Tensor bias, double eps)
    {
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var grouped = x.reshape(n, groups, -1);
        var mean = grouped.mean(new long[] { 2 }, keepdim: true);
        var variance = (grouped - mean).pow(2).mean(new long[] { 2 }, keepdim: true);
        var normalised = ((grouped - mean) / (variance + eps).sqrt()).reshape(n, c, h, w);
        return normalised * weight.reshape(1, c, 1, 1) + bias.reshape(1, c, 1, 1);
    }

    [Fact]
    public void ShapesKeepTheMapAndEachGroupNormHasTwoParametersPerChannel()
    {
        var ir = Specs.Model(Spec);
        Assert.Equal(12, Specs.Row(ir, "gn").Shape.Channels);
        Assert.Equal(24, Specs.Row(ir, "gn").Parameters);
        long convs = 3 * 12 * 9 + 12 + 2 * 12 * 12 * 9 + 12 * 12 + 12;
        Assert.Equal(convs + 4 * 2 * 12 + 12 * 5 + 5, ir.Parameters);
        Assert.Equal(new[] { "conv", "group_norm", "relu" }, ir.Body.Members.Single(m => m.StateName == "s").Children.Select(c => c.Kind));
    }

    [Fact]
    public void ForwardEqualsGroupNormWrittenOutAndOnnxRuntimeAgrees()
    {
        using var module = InMemoryModels.Load(("groupnet.inception.yaml", Spec))("GroupNet");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        manual_seed(23);
        foreach (var (_, parameter) in module.named_parameters())
            parameter.copy_(randn_like(parameter) * 0.5);
        module.eval();
        var input = randn(2, 3, 8, 8);

        var p = module.state_dict();
        // nn.GroupNorm's names: weight and bias, no buffers.
        Assert.Equal(new[] { "gn.bias", "gn.weight" }, p.Keys.Where(k => k.StartsWith("gn.", StringComparison.Ordinal)).Order());
        var x = nn.functional.conv2d(input, p["stem.weight"], p["stem.bias"], padding: new long[] { 1, 1 });
        x = GroupNormWrittenOut(x, 4, p["gn.weight"], p["gn.bias"], 1e-5);
        var r = nn.functional.conv2d(x, p["unit.conv1.weight"], padding: new long[] { 1, 1 });
        r = nn.functional.relu(GroupNormWrittenOut(r, 3, p["unit.gn1.weight"], p["unit.gn1.bias"], 1e-6));
        r = nn.functional.conv2d(r, p["unit.conv2.weight"], padding: new long[] { 1, 1 });
        x = nn.functional.relu(x + GroupNormWrittenOut(r, 3, p["unit.gn2.weight"], p["unit.gn2.bias"], 1e-5));
        x = nn.functional.conv2d(x, p["s.0.weight"], p["s.0.bias"]);
        x = nn.functional.relu(GroupNormWrittenOut(x, 6, p["s.1.weight"], p["s.1.bias"], 1e-5));
        var expected = nn.functional.linear(x.mean(new long[] { 2, 3 }), p["fc.weight"], p["fc.bias"]);

        var output = module.forward(input);
        Assert.True(expected.allclose(output, rtol: 1e-5, atol: 1e-5), $"max |diff| {(expected - output).abs().max().item<float>()}");

        var proto = OnnxExport.ToModelProto((IOnnxExportable)module);
        OnnxFileChecks.AssertWellFormed(proto, "GroupNet");
        Assert.Contains(proto.Graph.Node, n => n.OpType == "InstanceNormalization" && n.Name == "gn.norm");
        Assert.Contains(proto.Graph.Initializer, i => i.Name == "unit.gn1.weight");
        using var session = new OnnxModelSession(proto.ToByteArray());
        var onnx = tensor(session.RunAll(input.data<float>().ToArray(), new[] { 2, 3, 8, 8 })[0].Values).reshape(2, 5);
        var difference = (expected - onnx).abs().max().item<float>();
        log.WriteLine($"ONNX Runtime vs GroupNorm written out: max |diff| {difference:E2}");
        Assert.True(expected.allclose(onnx, rtol: 1e-4, atol: 1e-4), $"ONNX: max |diff| {difference}");
    }

    [Theory]
    [InlineData("  - { name: c, conv: { filters: 6, k: 1 } }\n  - group_norm: 4", "IDSL027", "must divide its input's 6 channels")]
    [InlineData("  - { name: c, conv: { filters: 6, k: 1 } }\n  - group_norm: { eps: 0.001 }", "IDSL004", "groups")]
    [InlineData("  - global_avgpool\n  - group_norm: 2", "IDSL027", "needs a feature map")]
    public void GroupsThatDoNotDivideTheChannelsAreAPreciseError(string body, string id, string text)
    {
        var error = Specs.Error(Specs.Wrap(body + "\n  - global_avgpool\n  - { name: fc, linear: $classes }"));
        Assert.Equal(id, error.Id);
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }

    private const string Script = """
        import importlib.util, json, sys
        import torch
        module_path, weights, out = sys.argv[1:4]
        spec = importlib.util.spec_from_file_location("emitted", module_path)
        emitted = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(emitted)
        tensors = read_safetensors(weights)
        x = tensors.pop("__input__")
        model = emitted.create("GroupNet").double()
        model.load_state_dict(tensors, strict=True)
        model.eval()
        norms = [type(m).__name__ for m in model.modules() if isinstance(m, torch.nn.GroupNorm)]
        with torch.no_grad():
            y = model(x)
        json.dump({"group_norms": len(norms), "logits": y.flatten().tolist()}, open(out, "w"))
        """;

    [PyTorchTheory]
    [InlineData(23)]
    public void ThePyTorchModuleUsesTorchsGroupNormAndComputesTheSame(int seed)
    {
        var compiled = SpecCompiler.Compile("groupnet.inception.yaml", Spec);
        Assert.False(compiled.HasErrors, string.Join("\n", compiled.Diagnostics));
        using var module = InMemoryModels.Load(("groupnet.inception.yaml", Spec))("GroupNet");
        using var scope = NewDisposeScope();
        module.to(ScalarType.Float64);
        manual_seed(seed);
        using (no_grad())
        {
            foreach (var (_, parameter) in module.named_parameters())
                parameter.copy_(randn_like(parameter) * 0.5);
        }

        module.eval();
        var input = randn(2, 3, 8, 8, dtype: ScalarType.Float64);
        Tensor logits;
        using (no_grad())
            logits = module.call(input);

        var folder = Directory.CreateTempSubdirectory("idsl-gn-");
        try
        {
            var emitted = Path.Combine(folder.FullName, PyTorchEmitter.FileName("groupnet.inception.yaml"));
            File.WriteAllText(emitted, PyTorchEmitter.Emit(compiled.Models, "groupnet.inception.yaml"));
            var weights = Path.Combine(folder.FullName, "model.safetensors");
            SafetensorsFile.Write(weights, module.state_dict().Select(p => (p.Key, p.Value)).Append(("__input__", input)), float64: true);
            var script = Path.Combine(folder.FullName, "run.py");
            File.WriteAllText(script, SafetensorsFile.PythonReader + "\n" + Script);
            var output = Path.Combine(folder.FullName, "out.json");
            DebianPython.Run("the emitted PyTorch module", script, emitted, weights, output);

            using var result = JsonDocument.Parse(File.ReadAllText(output));
            Assert.Equal(4, result.RootElement.GetProperty("group_norms").GetInt32());
            var python = tensor(result.RootElement.GetProperty("logits").EnumerateArray().Select(v => v.GetDouble()).ToArray(), ScalarType.Float64).reshape(logits.shape);
            var relative = ((python - logits).abs().max() / logits.abs().max()).item<double>();
            log.WriteLine($"PyTorch nn.GroupNorm module vs TorchSharp, float64: relative max difference {relative:E2}");
            Assert.True(relative <= 1e-10, $"relative max difference {relative}");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
