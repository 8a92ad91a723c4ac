using System.Text.Json.Nodes;
using InceptionDsl.Cli.Commands;
using InceptionDsl.Models;
using InceptionDsl.Reference;
using InceptionDsl.Tests.Support;
using Xunit;

namespace InceptionDsl.Tests.Cli;

/// <summary>
/// <c>verify --reference FILE</c> without <c>--model</c>: the model is the one whose spec declares the
/// file's <c>id</c> as its <c>reference:</c>; an id no spec declares is a one-line FAIL naming the declared ids.
/// </summary>
public sealed class VerifyCommandTests
{
    [Theory]
    [InlineData("googlenet", "GoogLeNet")]
    [InlineData("inception_v3", "InceptionV3")]
    [InlineData("timm_inception_resnet_v2", "InceptionResNetV2")]
    [InlineData("resnet18", "ResNet18")]
    [InlineData("resnext101_64x4d", "ResNeXt101_64x4d")]
    [InlineData("wide_resnet50_2", "WideResNet50_2")]
    public void TheZooResolvesAReferenceIdToTheModelThatDeclaresIt(string id, string model)
    {
        var entry = ModelVerification.FindByReference(id, ModelZoo.Entries, out var error);
        Assert.Equal("", error);
        Assert.Equal(model, entry?.Name);
    }

    [Fact]
    public void ReferenceNoneIsNoId()
    {
        Assert.Null(ModelZoo.Find("InceptionV2")!.Reference);
        Assert.Null(ModelZoo.Find("InceptionResNetV1")!.Reference);
        Assert.Null(ModelVerification.FindByReference("none", ModelZoo.Entries, out _));
    }

    [Fact]
    public void AnUndeclaredIdNamesTheDeclaredOnesAndTheClosest()
    {
        Assert.Null(ModelVerification.FindByReference("resnet_18", ModelZoo.Entries, out var error));
        Assert.StartsWith("no model declares reference id 'resnet_18' (did you mean 'resnet18'?); declared ids: ", error);
        Assert.Contains("googlenet, inception_v3, ", error);
        Assert.DoesNotContain('\n', error);

        Assert.Null(ModelVerification.FindByReference("mnasnet0_5", ModelZoo.Entries, out var far));
        Assert.DoesNotContain("did you mean", far);
        Assert.Contains("declared ids: ", far);
        Assert.Contains("googlenet,", far);
    }

    [Fact]
    public void AnIdDeclaredTwiceAsksForModel()
    {
        var googLeNet = ModelZoo.Entries.Where(e => e.Name == "GoogLeNet").ToList();
        var entries = googLeNet.Concat(googLeNet.Select(e => e with { Name = e.Name + "Copy" }));
        Assert.Null(ModelVerification.FindByReference("googlenet", entries, out var error));
        Assert.Equal("reference id 'googlenet' is declared by GoogLeNet, GoogLeNetCopy; give --model", error);
    }

    [ReferenceFact]
    public void VerifyWithoutModelPicksItFromTheReferenceFile()
    {
        var (exit, stdout, stderr) = CliProcess.Run("verify", "--reference", ReferencePaths.ModelFile("resnet18"));
        Assert.True(exit == 0, stdout + stderr);
        var lines = stdout.TrimEnd().Split('\n');
        Assert.Equal("model: ResNet18 (declares reference 'resnet18')", lines[0].TrimEnd('\r'));
        Assert.StartsWith("PASS resnet18: 122 entries, params 11689512", lines[^1]);
    }

    [ReferenceFact]
    public void VerifyWithoutModelFailsInOneLineForAnUndeclaredId()
    {
        var json = JsonNode.Parse(File.ReadAllText(ReferencePaths.ModelFile("resnet18")))!;
        json["id"] = "resnet_18";
        var path = Path.Combine(Path.GetTempPath(), $"idsl-verify-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json.ToJsonString());
        try
        {
            var (exit, stdout, stderr) = CliProcess.Run("verify", "--reference", path);
            Assert.Equal(1, exit);
            Assert.Equal("", stderr);
            Assert.StartsWith("FAIL no model declares reference id 'resnet_18' (did you mean 'resnet18'?); declared ids: ", stdout);
            Assert.Single(stdout.TrimEnd().Split('\n'));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>resnet18's structure file turned into a 10-class peer: its classifier has 10 rows, and no logits.</summary>
    private static ReferenceModel TenClassResNet18()
    {
        var json = JsonNode.Parse(File.ReadAllText(ReferencePaths.ModelFile("resnet18")))!.AsObject();
        foreach (var key in json.Select(p => p.Key).Where(k => k.Contains("logits") || k.Contains("trail") || k.Contains("top5")).ToList())
            json.Remove(key);
        foreach (var entry in json["state_dict"]!.AsArray())
            if ((string)entry![0]! is "fc.weight" or "fc.bias")
                entry[1]![0] = 10;
        long removed = (1000 - 10) * (512 + 1);
        json["params"] = (long)json["params"]! - removed;
        json["params_without_aux"] = (long)json["params_without_aux"]! - removed;
        return ReferenceModel.Parse(json.ToJsonString());
    }

    [Fact]
    public void VerifyBuildsTheModelWithTheReferencesClasses()
    {
        var reference = TenClassResNet18();
        var entry = ModelZoo.Find("ResNet18")!;
        Assert.Equal(10, ModelVerification.ReferenceClasses(entry, reference, 3));
        var report = ModelVerification.Run(entry, reference);
        Assert.True(report.Passed, string.Join("\n", report.ToLines()));
        // The spec's own reference keeps the spec's classes (and builds nothing to find them).
        Assert.Equal(1000, ModelVerification.ReferenceClasses(entry, ReferenceModel.LoadById("resnet18"), 3));
    }

    [Fact]
    public void VerifyWithNeitherModelNorReferenceSaysWhatToGive()
    {
        var (exit, stdout, stderr) = CliProcess.Run("verify");
        Assert.NotEqual(0, exit);
        Assert.Contains("give --model, or --reference", stdout + stderr);
    }
}
