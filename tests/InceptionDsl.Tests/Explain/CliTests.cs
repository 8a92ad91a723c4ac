using System.Text.Json.Nodes;
using System.Xml.Linq;
using InceptionDsl.Tests.Support;
using Xunit;

namespace InceptionDsl.Tests.Explain;

/// <summary>The explain commands run as the user runs them: the built CLI, in the repository root.</summary>
public class CliTests
{
    private static (int Exit, string Stdout, string Stderr) Run(params string[] args) => CliProcess.Run(args);

    [Fact]
    public void SummaryPrintsTheTotalLineLastAndProgressOnStderr()
    {
        var (exit, stdout, stderr) = Run("summary", "GoogLeNet", "--depth", "0");
        Assert.Equal(0, exit);
        Assert.Equal("total params=13004888 flops=2996752384", stdout.TrimEnd().Split('\n')[^1]);
        Assert.Contains("compiling GoogLeNet", stderr);
        ExplainModels.AssertFits(stdout);
    }

    [Fact]
    public void DiffJsonSpecFileAndVariant()
    {
        var (exit, stdout, _) = Run("diff", "specs/inception_v3.inception.yaml", "InceptionV4", "--json");
        Assert.Equal(0, exit);
        var json = JsonNode.Parse(stdout)!;
        Assert.Equal("InceptionV3", (string)json["a"]!["model"]!);
        Assert.Equal(42679816 - 23834568, (long)json["params_without_aux_delta"]!);

        var (exit2, svg, _) = Run("diagram", "specs/resnet.inception.yaml", "--variant", "ResNet18");
        Assert.Equal(0, exit2);
        Assert.Contains(XDocument.Parse(svg).Descendants().Select(e => e.Value), v => v == "ResNet18");
    }

    [Fact]
    public void EveryCommandHasHelpAndUnknownModelsFailCleanly()
    {
        foreach (var command in new[] { "summary", "explain", "diff", "diagram", "schema" })
        {
            var (exit, stdout, _) = Run(command, "--help");
            Assert.Equal(0, exit);
            Assert.Contains("USAGE", stdout, StringComparison.OrdinalIgnoreCase);
        }

        var (failed, _, stderr) = Run("explain", "NoSuchNet");
        Assert.Equal(1, failed);
        Assert.Contains("no model 'NoSuchNet'", stderr);
    }
}
