using System.Text.Json.Nodes;
using InceptionDsl.Analysis;
using InceptionDsl.Cli.Explain;
using Xunit;

namespace InceptionDsl.Tests.Explain;

public class ExplainDiffTests
{
    [Fact]
    public void ExplainWalksInceptionV4()
    {
        var text = Explainer.Explain(ExplainModels.Graph("InceptionV4"));
        ExplainModels.AssertFits(text);
        Assert.Contains("Szegedy et al. 2017", text);
        Assert.Contains("top-1 80.14%", text);
        Assert.Contains("stem", text);
        Assert.Contains("4 x InceptionA", text);
        Assert.Contains("7 x InceptionB", text);
        Assert.Contains("3 x InceptionC", text);
        Assert.Contains("grid -> 17x17", text);
        Assert.Contains("grid -> 8x8", text);
        Assert.Contains("1x7 then 7x1 = a factorized 7x7", text);
        Assert.Contains("branch1: 1x1 conv, 192 > 1x7 conv, 224 > 7x1 conv, 256", text);
        Assert.Contains("Classifier head: global average pool > dropout p=0 > linear 1536 -> 1000", text);
        Assert.Contains("42,679,816 parameters", text);
    }

    [Fact]
    public void ExplainShowsResidualScalesAndAuxHeads()
    {
        var resnet = Explainer.Explain(ExplainModels.Graph("InceptionResNetV2"));
        Assert.Contains("residual connection: output = 0.17 * body(x) + x (identity)", resnet);
        Assert.Contains("residual connection: output = 0.1 * body(x) + x (identity)", resnet);
        var googlenet = Explainer.Explain(ExplainModels.Graph("GoogLeNet"));
        Assert.Contains("aux1: on inception4a, loss weight 0.3", googlenet);
        Assert.Contains("+ auxiliary head aux2 reads inception4d", googlenet);
        Assert.Contains("13,004,888 with aux heads", googlenet);
        var resnet50 = Explainer.Explain(ExplainModels.Graph("ResNet50"));
        Assert.Contains("shortcut:", resnet50);
    }

    [Theory]
    [MemberData(nameof(ExplainModels.Names), MemberType = typeof(ExplainModels))]
    public void ExplainWorksOnEveryModel(string name)
    {
        var text = Explainer.Explain(ExplainModels.Graph(name));
        ExplainModels.AssertFits(text);
        Assert.StartsWith(name, text);
    }

    [Fact]
    public void DiffOfV3AndV4AnswersWhatChanged()
    {
        var diff = new ModelDiff(ExplainModels.Graph("InceptionV3"), ExplainModels.Graph("InceptionV4"));
        var text = diff.ToText();
        ExplainModels.AssertFits(text);
        Assert.Contains("+18,845,248", text);                       // parameters without aux
        Assert.Contains("Mixed3a", text);                           // v4's new stem blocks
        Assert.Equal(new[] { "Mixed3a", "Mixed4a", "Mixed5a" }, diff.Added);
        Assert.Empty(diff.Removed);
        // Blocks are paired by role, not by name: torchvision's InceptionB is v4's Reduction-A.
        Assert.Contains(diff.Changed, c => c.NameA == "InceptionB" && c.NameB == "ReductionA" && c.Role == "35x35 -> 17x17");
        Assert.Contains(diff.Changed, c => c.NameA == "InceptionC" && c.NameB == "InceptionB" && c.CountA == 4 && c.CountB == 7);
        Assert.Contains(diff.Changed, c => c.NameA == "InceptionE" && c.NameB == "InceptionC");
        Assert.Contains("- 1x1 conv, 48 > 5x5 conv, 64", text);
        Assert.Contains("+ 1x1 conv, 64 > 3x3 conv, 96", text);
        var grid = Assert.Single(diff.Grids, g => g.Grid == "35x35");
        Assert.Contains("4 x InceptionA [384]", grid.B);
        // Grids hold the trunk: their deltas add up to the totals without aux heads (v3 has AuxLogits).
        Assert.Equal(diff.SummaryB.ParametersWithoutAux - diff.SummaryA.ParametersWithoutAux, diff.Grids.Sum(g => g.ParamsB - g.ParamsA));
        Assert.Equal(diff.SummaryB.Flops - diff.SummaryA.Flops, diff.Grids.Sum(g => g.FlopsB - g.FlopsA));
    }

    [Fact]
    public void DiffOfV4AndInceptionResNetV2ShowsTheResiduals()
    {
        var diff = new ModelDiff(ExplainModels.Graph("InceptionV4"), ExplainModels.Graph("InceptionResNetV2"));
        var text = diff.ToText();
        ExplainModels.AssertFits(text);
        Assert.Contains("Residual connections:", text);
        Assert.Contains("InceptionV4: none", text);
        Assert.Contains("10 x Block35 (scale 0.17), 20 x Block17 (scale 0.1)", text);
        Assert.Contains(diff.Changed, c => c.NameA == "InceptionA" && c.NameB == "Block35" && c.CountB == 10);
        Assert.Contains("+ 0.17 * body + identity", text);
        Assert.Contains("+13,163,648", text);

        var json = diff.ToJson();
        Assert.Equal(diff.SummaryB.Parameters - diff.SummaryA.Parameters, (long)json["params_delta"]!);
        Assert.Contains(json["blocks_changed"]!.AsArray(), c => (string)c!["block_b"]! == "Block17");
        Assert.NotNull(JsonNode.Parse(LayerSummary.Json(json)));
    }

    [Fact]
    public void DiffOfAModelWithItselfIsEmpty()
    {
        var diff = new ModelDiff(ExplainModels.Graph("ResNet50"), ExplainModels.Graph("ResNet50"));
        Assert.Empty(diff.Added);
        Assert.Empty(diff.Removed);
        Assert.Empty(diff.Changed);
        Assert.EndsWith("total params (no aux) 0 flops 0", diff.ToText().TrimEnd());
    }

    [Fact]
    public void ResolvesByNameAndByFileWithVariant()
    {
        _ = ExplainModels.All;
        Assert.Equal("InceptionV4", ModelResolver.Resolve("inceptionv4").Model.ClassName);
        var file = Path.Combine(ExplainModels.SpecsDir, "resnet.inception.yaml");
        // A file of several models names them and asks for --model; never the first one silently.
        var several = Assert.Throws<ExplainException>(() => ModelResolver.Resolve(file));
        Assert.Contains("choose one with --model NAME", several.Message);
        Assert.Contains("ResNet18, ResNet34", several.Message);
        Assert.Equal("ResNet50", ModelResolver.Resolve(file, "ResNet50").Model.ClassName);
        // verify --reference: the model whose spec declares the reference's id.
        Assert.Equal("ResNet34", ModelResolver.Resolve(file, referenceId: "resnet34").Model.ClassName);
        Assert.Throws<ExplainException>(() => ModelResolver.Resolve(file, "NoSuchNet"));
        Assert.Throws<ExplainException>(() => ModelResolver.Resolve("NoSuchNet"));
    }
}
