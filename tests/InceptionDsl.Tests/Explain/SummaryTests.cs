using System.Text.Json.Nodes;
using InceptionDsl.Analysis;
using InceptionDsl.Models;
using InceptionDsl.Reference;
using Xunit;

namespace InceptionDsl.Tests.Explain;

public class SummaryTests
{
    [ReferenceFact]
    public void TotalsEqualTheReferenceFilesForEveryModelThatHasOne()
    {
        var checkedModels = new List<string>();
        foreach (var resolved in ExplainModels.All)
        {
            var id = resolved.Model.Metadata.Reference;
            if (id is null || !File.Exists(ReferencePaths.ModelFile(id)))
                continue;
            var reference = ReferenceModel.LoadById(id);
            var summary = new LayerSummary(resolved.Model);
            Assert.Equal(reference.Params, summary.Parameters);
            Assert.Equal(reference.ParamsWithoutAux, summary.ParametersWithoutAux);
            Assert.Equal(reference.FlopsBatch1, summary.Flops);
            var lines = summary.ToText().TrimEnd().Split('\n');
            Assert.Equal($"total params={reference.Params} flops={reference.FlopsBatch1}", lines[^1].TrimEnd('\r'));
            checkedModels.Add(resolved.Model.ClassName);
        }

        // googlenet, inception_v3, inception_v4, inception_resnet_v2 and the ResNets with files.
        Assert.True(checkedModels.Count >= 10, string.Join(", ", checkedModels));
    }

    [Theory]
    [MemberData(nameof(ExplainModels.Names), MemberType = typeof(ExplainModels))]
    public void TotalsAreTheSumOfStagesAndFitOneHundredColumns(string name)
    {
        var model = ExplainModels.Get(name).Model;
        var summary = new LayerSummary(model);
        // Stage subtotals add up to the generator's own counts.
        Assert.Equal(model.Parameters, summary.Parameters);
        Assert.Equal(model.Flops, summary.Flops);
        Assert.Equal(model.Parameters - model.AuxParameters, summary.ParametersWithoutAux);
        var text = summary.ToText(depth: 3);
        ExplainModels.AssertFits(text);
        Assert.StartsWith("total params=", text.TrimEnd().Split('\n')[^1]);

        var json = JsonNode.Parse(LayerSummary.Json(summary.ToJson()))!;
        Assert.Equal(summary.Parameters, (long)json["params"]!);
        Assert.Equal(summary.Flops, (long)json["flops"]!);
        Assert.Equal(model.Layers.Count, json["layers"]!.AsArray().Count);
        Assert.Equal(summary.Parameters, json["stages"]!.AsArray().Sum(s => (long)s!["params"]!));
    }

    [Fact]
    public void TimmFeaturesAreSplitIntoStages()
    {
        var summary = new LayerSummary(ExplainModels.Get("InceptionV4").Model);
        Assert.Contains(summary.Stages, s => s.Name == "features.10" && s.Kind == "ReductionA");
        Assert.Equal("features.6", summary.StageOf("features.6.branch1.0"));
        var resnet = new LayerSummary(ExplainModels.Get("ResNet50").Model);
        Assert.Contains(resnet.Stages, s => s.Name == "layer3" && s.Kind == "6 x Bottleneck");
    }

    /// <summary>The totals equal what the instantiated TorchSharp module holds (one model per spec file, aux heads on).</summary>
    [Fact]
    public void TotalsEqualTheInstantiatedModules()
    {
        var checkedModels = new List<string>();
        foreach (var group in ExplainModels.All.GroupBy(m => m.SpecPath))
        {
            var resolved = group.OrderBy(m => m.Model.Parameters).First();
            var entry = ModelZoo.Entries.Single(e => e.Name == resolved.Model.ClassName);
            var summary = new LayerSummary(resolved.Model);
            using (var module = entry.Create(entry.Classes, entry.InChannels, true))
                Assert.True(summary.Parameters == module.parameters().Sum(p => p.numel()), $"{entry.Name}: summary {summary.Parameters}, module {module.parameters().Sum(p => p.numel())}");
            if (resolved.Model.Aux.Count > 0)
            {
                using var withoutAux = entry.Create(entry.Classes, entry.InChannels, false);
                Assert.Equal(summary.ParametersWithoutAux, withoutAux.parameters().Sum(p => p.numel()));
            }

            Assert.Equal(entry.Flops, summary.Flops);
            checkedModels.Add(resolved.Model.ClassName);
        }

        Assert.True(checkedModels.Count >= 7, string.Join(", ", checkedModels));
    }
}
