using InceptionDsl.Emit;
using InceptionDsl.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Language;

/// <summary>
/// What a seq can hold since issue 15's last gaps closed: a conv's activation at the position after it
/// (torchvision's VGG without BN), an inline block's members spliced in at consecutive positions, and a
/// repeat counted by a block parameter, built by a loop of the block's constructor. Checked at build
/// time and, compiled in memory, in TorchSharp (state_dict names, shapes, counts, a hand-written forward).
/// </summary>
public sealed class SeqCompositionTests
{
    /// <summary>torchvision's vgg11 (configuration "A", no BN), and a narrow copy small enough to run.</summary>
    private const string Vgg = """
        params: [width: 64, hidden: 4096]
        variants:
          - { model: Vgg11 }
          - { model: Vgg11Tiny, args: { width: 4, hidden: 16 }, classes: 10, input: { channels: 3, size: 32 } }
        input: { channels: 3, size: 224 }
        classes: 1000
        defaults:
          conv: { k: 3, pad: 1, act: relu }
        body:
          - name: features
            seq:
              - conv: $width
              - maxpool: { k: 2, stride: 2 }
              - conv: $width * 2
              - maxpool: { k: 2, stride: 2 }
              - { conv: $width * 4, repeat: 2 }
              - maxpool: { k: 2, stride: 2 }
              - { conv: $width * 8, repeat: 2 }
              - maxpool: { k: 2, stride: 2 }
              - { conv: $width * 8, repeat: 2 }
              - maxpool: { k: 2, stride: 2 }
          - { name: avgpool, adaptive_avgpool: 7 }
          - flatten
          - name: classifier
            seq:
              - linear: $hidden
              - relu
              - dropout: 0.5
              - linear: $hidden
              - relu
              - dropout: 0.5
              - linear: $classes
        """;

    /// <summary>torchvision's cfgs['A']: filters, or "M" for a max pool.</summary>
    private static readonly object[] CfgA = { 64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M" };

    /// <summary>
    /// The state_dict names torchvision's make_layers(cfgs['A']) and VGG.classifier give: each conv is
    /// followed by its ReLU (two positions), each "M" is one max pool; the classifier is Linear, ReLU,
    /// Dropout twice, then Linear. With the parameters each holds, for widths scaled by <paramref name="scale"/>.
    /// </summary>
    private static List<(string Name, long Parameters)> TorchvisionVgg11(int scale, long hidden, long classes, long pooled)
    {
        var names = new List<(string, long)>();
        int position = 0;
        long channels = 3;
        foreach (var v in CfgA)
        {
            if (v is int filters)
            {
                long f = filters / scale;
                names.Add(($"features.{position}.weight", f * channels * 9));
                names.Add(($"features.{position}.bias", f));
                channels = f;
                position += 2;
            }
            else
            {
                position += 1;
            }
        }

        var features = channels * pooled;
        foreach (var (index, inputs, outputs) in new[] { (0, features, hidden), (3, hidden, hidden), (6, hidden, classes) })
        {
            names.Add(($"classifier.{index}.weight", inputs * outputs));
            names.Add(($"classifier.{index}.bias", outputs));
        }

        return names;
    }

    private static readonly Lazy<Func<string, nn.Module<Tensor, Tensor>>> CompiledVgg = new(() => InMemoryModels.Load(("vgg.inception.yaml", Vgg)));

    [Fact]
    public void Vgg11WithoutBnHasTorchvisionsPositionsAndParameterCount()
    {
        var result = SpecCompiler.Compile("vgg.inception.yaml", Vgg);
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        var model = result.Models.Single(m => m.ClassName == "Vgg11");
        var expected = TorchvisionVgg11(1, 4096, 1000, 7 * 7);
        Assert.Equal(expected.Sum(p => p.Parameters), model.Parameters);  // 132,863,336 as torchvision's vgg11
        // Convs at 0, 3, 6, 8, 11, 13, 16, 18, each followed by its ReLU; pools at 2, 5, 10, 15, 20.
        var convs = model.Layers.Where(l => l.Path.StartsWith("features.", StringComparison.Ordinal) && l.Kind == "conv").Select(l => l.Path).ToList();
        Assert.Equal(new[] { 0, 3, 6, 8, 11, 13, 16, 18 }.Select(i => $"features.{i}"), convs);
        Assert.All(convs, path => Assert.Equal("relu", Specs.Row(model, $"features.{int.Parse(path.Split('.')[1]) + 1}").Kind));
        Assert.Equal("maxpool", Specs.Row(model, "features.20").Kind);
        Assert.Equal("[512, 7, 7]", Specs.Row(model, "features").OutputShape);
        Assert.Equal(new[] { "linear", "relu", "dropout", "linear", "relu", "dropout", "linear" },
            Enumerable.Range(0, 7).Select(i => Specs.Row(model, $"classifier.{i}").Kind));
    }

    [Fact]
    public void Vgg11StateDictAndForwardPutTheActivationAfterItsConv()
    {
        using var module = CompiledVgg.Value("Vgg11Tiny");
        var expected = TorchvisionVgg11(16, 16, 10, 7 * 7);
        var state = module.state_dict();
        Assert.Equal(expected.Select(p => p.Name), state.Keys);
        Assert.All(expected, p => Assert.Equal(p.Parameters, state[p.Name].numel()));
        var kinds = module.named_modules().ToDictionary(m => m.name, m => m.module.GetType().Name);
        Assert.Equal("Conv2d", kinds["features.0"]);
        Assert.Equal("ReLU", kinds["features.1"]);
        Assert.Equal("MaxPool2d", kinds["features.2"]);

        module.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        manual_seed(11);
        foreach (var (_, parameter) in module.named_parameters())
            parameter.copy_(randn_like(parameter) * 0.2);
        var input = randn(2, 3, 32, 32);
        var output = module.forward(input);

        // torchvision's VGG.forward, written out: conv, ReLU (or max pool) in cfg order, then the classifier.
        var x = input;
        int position = 0;
        foreach (var v in CfgA)
        {
            if (v is int)
            {
                x = nn.functional.conv2d(x, state[$"features.{position}.weight"], state[$"features.{position}.bias"], padding: new long[] { 1, 1 }).relu();
                position += 2;
            }
            else
            {
                x = nn.functional.max_pool2d(x, new long[] { 2, 2 }, new long[] { 2, 2 });
                position += 1;
            }
        }

        x = nn.functional.adaptive_avg_pool2d(x, new long[] { 7, 7 }).flatten(1);
        x = nn.functional.linear(x, state["classifier.0.weight"], state["classifier.0.bias"]).relu();
        x = nn.functional.linear(x, state["classifier.3.weight"], state["classifier.3.bias"]).relu();
        x = nn.functional.linear(x, state["classifier.6.weight"], state["classifier.6.bias"]);
        Assert.True(x.allclose(output, rtol: 1e-4, atol: 1e-5), $"max |diff| {(x - output).abs().max().item<float>()}");
    }

    [Fact]
    public void ANamedConvWithActInASeqIsReportedAtItsAct()
    {
        var error = Specs.Error(Specs.Wrap("""
              - name: features
                seq:
                  - { name: c, conv: { filters: 8, k: 3, act: relu } }
            """));
        Assert.Equal("IDSL017", error.Id);
        Assert.Equal(7, error.Span.Line);
        Assert.Contains("'features.c' is a named conv without bn", error.Message);
        Assert.Contains("leave the conv unnamed", error.Message);
    }

    /// <summary>Inline blocks spliced into seqs, and repeats counted by block parameters (timm's Xception Block, in small).</summary>
    private const string Spliced = """
        model: Spliced
        input: { channels: 3, size: 16 }
        classes: 5
        defaults:
          conv: { bias: false }
        blocks:
          Unit:
            doc: ReLU where relu holds, conv, BatchNorm
            inline: true
            params: [filters, relu: true]
            body:
              - { relu: {}, if: $relu }
              - conv: { filters: $filters, k: 3, pad: 1 }
              - bn: {}
          Stack:
            params: [filters, reps: 2, first_relu: true]
            body:
              - name: rep
                seq:
                  - use: Unit
                    repeat: $reps
                    args: { filters: "$i == $reps - 1 ? $filters : $in_channels", relu: "$first_relu || $i > 0" }
                  - { maxpool: { k: 3, stride: 1, pad: 1 }, if: $reps > 2 }
          Named:
            params: [n]
            body:
              - name: layers
                seq:
                  - { name: "conv{i+1}", conv: { filters: 8, k: 1 }, repeat: $n }
        body:
          - name: stem
            seq:
              - { use: Unit, args: { filters: 8, relu: false } }
              - { use: Unit, args: { filters: 8 } }
          - { name: s1, use: Stack, args: { filters: 8, first_relu: false } }
          - { name: s2, use: Stack, args: { filters: 16, reps: 3 } }
          - { name: n1, use: Named, args: { n: 1 } }
          - { name: n3, use: Named, args: { n: 3 } }
          - global_avgpool
          - { name: fc, linear: $classes }
        """;

    private static readonly Lazy<Func<string, nn.Module<Tensor, Tensor>>> CompiledSpliced = new(() => InMemoryModels.Load(("spliced.inception.yaml", Spliced)));

    [Fact]
    public void AnInlineBlockInASeqTakesConsecutivePositions()
    {
        var model = Specs.Model(Spliced);
        // The first use leaves its ReLU out (a model-level false): conv 0, bn 1, then relu 2, conv 3, bn 4.
        Assert.Equal(new[] { "conv", "bn", "relu", "conv", "bn" }, Enumerable.Range(0, 5).Select(i => Specs.Row(model, $"stem.{i}").Kind));
        var stem = model.Body.Members.Single(m => m.StateName == "stem");
        Assert.StartsWith("global::TorchSharp.torch.nn.Sequential(", stem.Init());
        // Each use of Stack with its own count: s1 has 2 copies without the first ReLU, s2 3 copies and the pool.
        Assert.Equal("bn", Specs.Row(model, "s1.rep.4").Kind);
        Assert.DoesNotContain(model.Layers, l => l.Path == "s1.rep.5");
        Assert.Equal("[16, 16, 16]", Specs.Row(model, "s2.rep.8").OutputShape);
        Assert.Equal("maxpool", Specs.Row(model, "s2.rep.9").Kind);
        Assert.Equal("conv", Specs.Row(model, "n3.layers.conv3").Kind);
    }

    [Fact]
    public void ARepeatCountedByABlockParameterIsALoopOfTheConstructor()
    {
        var model = Specs.Model(Spliced);
        var stack = model.Blocks.Single(b => b.Name == "Stack");
        var rep = stack.Members.Single(m => m.StateName == "rep");
        Assert.Contains("InceptionDslModules.SequentialOf(members =>", rep.Init());
        Assert.Contains("for (long i = 0; i < reps; i++)", rep.Init());
        Assert.Contains("firstRelu || i > 0", rep.Init());
        // The channels flowing from one copy to the next are a local of the constructor.
        Assert.Contains(stack.Lets, l => l.Name == "repChannels" && CSharpExpressions.Render(l.Value) == "inChannels");
        Assert.Contains("repChannels = i == reps - 1 ? filters : inChannels;", rep.Init());
        var named = model.Blocks.Single(b => b.Name == "Named").Members.Single(m => m.StateName == "layers");
        Assert.Contains("\"conv\" + (i + 1).ToString(global::System.Globalization.CultureInfo.InvariantCulture)", named.Init());
    }

    [Fact]
    public void EachUseOfTheLoopBuildsItsOwnCopiesInTorchSharp()
    {
        var model = Specs.Model(Spliced);
        using var module = CompiledSpliced.Value("Spliced");
        Assert.Equal(model.Parameters, module.parameters().Sum(p => p.numel()));
        var state = module.state_dict();
        var names = state.Keys.ToList();
        Assert.Equal(new[] { "s1.rep.0.weight", "s1.rep.1.weight", "s1.rep.3.weight", "s1.rep.4.weight" },
            names.Where(n => n.StartsWith("s1.", StringComparison.Ordinal) && n.EndsWith(".weight", StringComparison.Ordinal)));
        Assert.Equal(new long[] { 8, 8, 3, 3 }, state["s2.rep.4.weight"].shape);
        Assert.Equal(new long[] { 16, 8, 3, 3 }, state["s2.rep.7.weight"].shape);
        Assert.Equal(new long[] { 16 }, state["s2.rep.8.running_mean"].shape);
        Assert.Equal(new[] { "n1.layers.conv1.weight", "n3.layers.conv1.weight", "n3.layers.conv2.weight", "n3.layers.conv3.weight" },
            names.Where(n => n.StartsWith("n", StringComparison.Ordinal)));
        var kinds = module.named_modules().ToDictionary(m => m.name, m => m.module.GetType().Name);
        Assert.Equal("ReLU", kinds["s2.rep.0"]);
        Assert.Equal("ReLU", kinds["s1.rep.2"]);
        Assert.Equal("MaxPool2d", kinds["s2.rep.9"]);
        Assert.False(kinds.ContainsKey("s1.rep.5"));

        module.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Assert.Equal(new long[] { 2, 5 }, module.forward(randn(2, 3, 16, 16)).shape);
    }

    [Fact]
    public void AnErrorInsideASplicedBlockPointsAtTheUseWithItsArguments()
    {
        var error = Specs.Error(Specs.Wrap("""
              - name: features
                seq:
                  - { use: Down, args: { k: 3 } }
                  - { use: Down, args: { k: 40 } }
            """, """
              Down:
                inline: true
                params: [k]
                body:
                  - maxpool: { k: $k, stride: 2 }
            """));
        Assert.Equal("IDSL023", error.Id);
        Assert.Contains("'features.1'", error.Message);
        var use = Assert.Single(error.Related);
        Assert.Equal(14, use.Span.Line);
        Assert.Equal("in block 'Down' used as 'features.1' with k: 40", use.Message);
    }

    [Fact]
    public void ANamedUseOfAnInlineBlockInASeqIsAnError()
    {
        var error = Specs.Error(Specs.Wrap("""
              - name: features
                seq:
                  - { name: unit, use: U }
            """, """
              U:
                inline: true
                body: [ relu ]
            """));
        Assert.Equal("IDSL017", error.Id);
        Assert.Equal(11, error.Span.Line);
        Assert.Contains("take the next positions themselves", error.Message);
    }

    [Fact]
    public void AFlatRepeatCountedByABlockParameterAsksForASeq()
    {
        var error = Specs.Error(Specs.Wrap("  - { name: b, use: B, args: { n: 2 } }", """
              B:
                params: [n]
                body:
                  - { relu: {}, repeat: $n }
            """));
        Assert.Equal("IDSL014", error.Id);
        Assert.Equal(8, error.Span.Line);
        Assert.Contains("put the repeated node in a seq", error.Message);
        Assert.Equal("in block 'B' used as 'b' with n: 2", Assert.Single(error.Related).Message);
    }

    [Fact]
    public void LoopCopiesWhoseSamePaddingFollowsTheirKernelAreOneLoop()
    {
        // 'pad: same' of a kernel computed from $i is computed in the loop as well, so the copies differ only
        // through $i (this spec was refused while the padding was the first copy's number).
        var model = Specs.Model(Specs.Wrap("  - { name: b, use: B, args: { n: 2 } }", """
              B:
                params: [n]
                body:
                  - seq:
                      - { conv: { filters: 8, k: "$i == 0 ? 3 : 1", pad: same }, repeat: $n }
            """));
        var block = Assert.Single(model.Blocks, c => c.Name == "B");
        Assert.Contains(" - 1) / 2", string.Join("\n", block.Members.Select(m => m.Init())));
    }

    [Theory]
    [InlineData("  - { name: blk, conv: { filters: 8, k: 1 }, repeat: 2 }", "blk")]
    [InlineData("  - { name: s, seq: [ { name: r, conv: { filters: 8, k: 1 }, repeat: 2 } ] }", "r")]
    public void ARepeatedNameWithoutTheIndexSaysSoInsteadOfPointingAtItself(string body, string name)
    {
        var error = Specs.Error(Specs.Wrap(body));
        Assert.Equal("IDSL006", error.Id);
        Assert.Equal(5, error.Span.Line);
        Assert.Equal($"Every copy of this repeated node is named '{name}': put {{i}} (the copy's index) or an expression of it in the name, e.g. '{name}{{i}}'", error.Message);
    }

    [Fact]
    public void ANameThatDependsOnABlockParameterOutsideALoopSaysWhy()
    {
        var error = Specs.Error(Specs.Wrap("  - { name: b, use: B, args: { k: 2 } }", """
              B:
                params: [k]
                body:
                  - { name: "c{$k}", conv: { filters: 8, k: 1 } }
            """));
        Assert.Equal("IDSL014", error.Id);
        Assert.Contains("depends on block parameters (k)", error.Message);
        Assert.Contains("except in a seq's repeat counted by a block parameter", error.Message);
    }
}
