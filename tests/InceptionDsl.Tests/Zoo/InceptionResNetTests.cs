using InceptionDsl.Tests.Language;
using InceptionDsl.Emit;
using InceptionDsl.Models;
using InceptionDsl.Reference;
using InceptionDsl.Semantics;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Zoo;

/// <summary>
/// The generated Inception-ResNet-v2 (timm layout): its residual blocks scale their branch sum by
/// 0.17 (Block35 x10), 0.10 (Block17 x20), 0.20 (Block8 x9) and 1.0 (the last block8, without ReLU).
/// </summary>
public sealed class InceptionResNetTests
{
    private static readonly (string Prefix, int Count, double Scale, bool Relu)[] ExpectedStages =
    {
        ("repeat.", 10, 0.17, true),
        ("repeat_1.", 20, 0.10, true),
        ("repeat_2.", 9, 0.20, true),
        ("block8", 1, 1.0, false),
    };

    /// <summary>
    /// Observes each residual block of a built model: with its projection conv2d zeroed except a
    /// bias of +1 (or -1) and a zero input, the block returns act(0 + scale * bias), so the output is
    /// the scale itself (and -scale without ReLU, 0 with it).
    /// </summary>
    [Fact]
    public void ResidualBlocksApplyTheirScalesInOrder()
    {
        using var model = new InceptionResNetV2();
        model.eval();
        // The residual blocks in the order forward runs them (TorchSharp lists modules by name).
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        var names = ExpectedStages.SelectMany(s => s.Count == 1 ? new[] { s.Prefix } : Enumerable.Range(0, s.Count).Select(i => s.Prefix + i)).ToList();
        var residualNames = modules.Keys.Where(n => n == "block8" || System.Text.RegularExpressions.Regex.IsMatch(n, @"^repeat(_\d)?\.\d+$"));
        Assert.Equal(names.Order(), residualNames.Order());

        var expected = ExpectedStages.SelectMany(s => Enumerable.Repeat((s.Scale, s.Relu), s.Count)).ToList();
        var observed = new List<(double Scale, bool Relu)>();
        foreach (var name in names)
        {
            var module = modules[name];
            var block = Assert.IsAssignableFrom<nn.Module<Tensor, Tensor>>(module);
            var parameters = block.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            var channels = parameters["conv2d.bias"].shape[0];
            using var scope = NewDisposeScope();
            using (no_grad())
            {
                parameters["conv2d.weight"].zero_();
                var x = zeros(1, channels, 5, 5);
                parameters["conv2d.bias"].fill_(1.0);
                var up = block.forward(x);
                parameters["conv2d.bias"].fill_(-1.0);
                var down = block.forward(x);
                double scale = up.mean().item<float>();
                double negative = down.mean().item<float>();
                Assert.Equal(scale, up.max().item<float>(), 6);
                Assert.Equal(scale, up.min().item<float>(), 6);
                bool relu = negative == 0.0;
                if (!relu)
                    Assert.Equal(-scale, negative, 6);
                observed.Add((System.Math.Round(scale, 6), relu));
            }
        }

        Assert.Equal(expected.Select(e => (System.Math.Round(e.Scale, 6), e.Relu)).ToList(), observed);
    }

    /// <summary>The lowered IR: one block class per residual kind, its scale a constructor parameter, and
    /// each instance built with the stage's scale in the order of the trunk.</summary>
    [Fact]
    public void LoweredSpecPassesTheScalesToItsResidualBlocks()
    {
        var path = Path.Combine(ReferencePaths.RepoRoot, "specs", "inception_resnet_v2.inception.yaml");
        var result = SpecCompiler.Compile(path, File.ReadAllText(path));
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        var model = Assert.Single(result.Models);
        Assert.Equal("InceptionResNetV2", model.ClassName);

        foreach (var blockName in new[] { "Block35", "Block17", "Block8" })
        {
            var block = model.Blocks.Single(b => b.Name == blockName);
            var residual = Assert.Single(block.Forward.OfType<ResidualStep>());
            Assert.Equal("scale", CSharpExpressions.Render(residual.Scale!));
            Assert.Contains(block.Params, p => p.Name == "scale" && p.Type == InceptionDsl.Expressions.SymType.Float);
            // Only Block8 can skip its ReLU, at run time.
            var relu = block.Forward.OfType<FunctionalStep>().Single(s => s.Comment == "relu" || s.Operation is ActivationNode { Kind: "relu" });
            Assert.Equal(blockName == "Block8", relu.Condition is not null);
        }

        var inits = model.Body.Members.ToDictionary(m => m.StateName, m => m.Init());
        var scales = new List<string>();
        foreach (var member in new[] { "repeat", "repeat_1", "repeat_2", "block8" })
            scales.AddRange(System.Text.RegularExpressions.Regex.Matches(inits[member], @"new Block\d+\(\d+(?<args>[^)]*)\)")
                .Select(m => System.Text.RegularExpressions.Regex.Match(m.Groups["args"].Value, @"scale: (?<s>[0-9.]+)") is { Success: true } s ? s.Groups["s"].Value : "1.0"));
        var expected = ExpectedStages.SelectMany(s => Enumerable.Repeat(s.Scale, s.Count)).ToList();
        Assert.Equal(expected, scales.Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToList());
        Assert.Contains("noRelu: true", inits["block8"]);
    }
}
