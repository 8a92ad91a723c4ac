using System.Text.Json.Nodes;
using InceptionDsl.Onnx;
using InceptionDsl.Reference;
using InceptionDsl.Tests.Explain;
using InceptionDsl.Tests.Support;
using Xunit;

namespace InceptionDsl.Tests.Cli;

/// <summary>
/// A user's own spec in every command that takes a model, run as the user runs the tool: from a folder outside the
/// repository (no specs/ above it), the spec compiled at run time, <c>--model NAME</c> picking in a file of several.
/// </summary>
public sealed class SpecFileCommandsTests : IDisposable
{
    private const string TinySpec = """
        model: TinyNet
        input: { channels: 3, size: [32, 32] }
        classes: 10
        defaults:
          conv: { bias: false, bn: true, act: relu }
        body:
          - { name: stem, conv: { filters: 16, k: 3, pad: 1 } }
          - maxpool: { k: 2 }
          - { name: features, conv: { filters: 32, k: 3, pad: 1 } }
          - global_avgpool
          - { name: fc, linear: $classes }

        """;

    private readonly string _work = Path.Combine(Path.GetTempPath(), $"idsl-specfile-{Guid.NewGuid():N}");

    public SpecFileCommandsTests()
    {
        Directory.CreateDirectory(_work);
        File.WriteAllText(Path.Combine(_work, "tiny.inception.yaml"), TinySpec);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private (int Exit, string Stdout, string Stderr) Run(params string[] args) => CliProcess.RunIn(_work, args);

    /// <summary>
    /// The port of a peer proven equal to PyTorch without touching the repository: the ResNet family's spec copied out
    /// and its ResNet18 renamed (so no class compiled into the tool can answer), verified against the peer's file; the
    /// model is the one whose spec declares the file's id.
    /// </summary>
    [ReferenceFact]
    public void VerifyReferenceOfASpecOutsideTheRepositoryPasses()
    {
        var spec = File.ReadAllText(Path.Combine(ReferencePaths.RepoRoot, "specs", "resnet.inception.yaml"))
            .Replace("  - model: ResNet18\n", "  - model: PortedResNet18\n", StringComparison.Ordinal);
        Assert.Contains("model: PortedResNet18", spec);
        File.WriteAllText(Path.Combine(_work, "resnet.inception.yaml"), spec);

        var (exit, stdout, stderr) = Run("verify", "--reference", ReferencePaths.ModelFile("resnet18"), "resnet.inception.yaml");
        Assert.True(exit == 0, stdout + stderr);
        var lines = stdout.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal("model: PortedResNet18 from resnet.inception.yaml", lines[0]);
        Assert.StartsWith("PASS resnet18: 122 entries, params 11689512", lines[^1]);
    }

    [Fact]
    public void ExportOfASpecOutsideTheRepositoryWritesAndDescribesTheFile()
    {
        var (exit, stdout, stderr) = Run("export", "tiny.inception.yaml", "-o", "tiny.onnx");
        Assert.True(exit == 0, stdout + stderr);
        var file = Path.Combine(_work, "tiny.onnx");
        Assert.True(File.Exists(file));
        Assert.StartsWith($"wrote {file} ({new FileInfo(file).Length:N0} bytes): TinyNet, opset {OnnxGraphBuilder.Opset}, ", stdout);
        Assert.Contains("  inputs:  input float32[N, 3, H, W]", stdout);
        Assert.Contains("  outputs: logits float32[N, 10]", stdout);
        using var session = new OnnxModelSession(file);
        Assert.Equal(2 * 10, session.Run(new float[2 * 3 * 32 * 32], [2, 3, 32, 32]).Length);
    }

    [Fact]
    public void AFileOfSeveralModelsAsksForModelAndWritesNothing()
    {
        File.Copy(Path.Combine(ReferencePaths.RepoRoot, "specs", "resnet.inception.yaml"), Path.Combine(_work, "resnet.inception.yaml"));
        var (exit, _, stderr) = Run("export", "resnet.inception.yaml", "-o", "r.onnx");
        Assert.Equal(1, exit);
        Assert.Contains("resnet.inception.yaml declares 16 models (ResNet18, ResNet34, ", stderr);
        Assert.Contains("choose one with --model NAME", stderr);
        Assert.False(File.Exists(Path.Combine(_work, "r.onnx")));

        var (summaryExit, summary, summaryErr) = Run("summary", "resnet.inception.yaml", "--model", "ResNet34", "--depth", "0");
        Assert.True(summaryExit == 0, summaryErr);
        Assert.StartsWith("ResNet34: input [3, 224, 224]", summary);

        // diff takes --model for each file: a spec against itself differs in nothing.
        var (diffExit, diff, diffErr) = Run("diff", "resnet.inception.yaml", "resnet.inception.yaml", "--model", "ResNet50", "--json");
        Assert.True(diffExit == 0, diffErr);
        Assert.Equal(0, (long)JsonNode.Parse(diff)!["params_without_aux_delta"]!);
    }

    [Fact]
    public void ZooAndBenchRunASpecFile()
    {
        var (exit, stdout, stderr) = Run("zoo", "tiny.inception.yaml");
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("TinyNet", stdout);
        Assert.Contains("5,466", stdout);

        var (benchExit, bench, benchErr) = Run("bench", "tiny.inception.yaml", "--rounds", "1", "--batches", "1");
        Assert.True(benchExit == 0, bench + benchErr);
        foreach (var variant in new[] { "generated", "fused", "fused-nchw", "onnx" })
            Assert.Matches($@"(?m)^{variant}\s+1\s+\d", bench);
    }

    [Fact]
    public void AnUnknownNameSaysBothWhatItIsNot()
    {
        var (exit, _, stderr) = Run("export", "NoSuchNet", "-o", "x.onnx");
        Assert.Equal(1, exit);
        Assert.Contains("unknown model 'NoSuchNet': not a zoo model (known: ", stderr);
        Assert.Contains("GoogLeNet, ", stderr);
        Assert.Contains("and not a spec file", stderr);
    }

    /// <summary>Every layer path of the model appears whole in the table: a long one on a line of its own, or with --wide in a wider column.</summary>
    [Fact]
    public void SummaryNeverCutsALayerPath()
    {
        var (_, json, _) = CliProcess.Run("summary", "SKResNet18", "--json");
        var paths = JsonNode.Parse(json)!["layers"]!.AsArray().Select(l => (string)l!["path"]!).ToList();
        Assert.Contains(paths, p => p.Length > 27);
        foreach (var wide in new[] { false, true })
        {
            var (exit, text, stderr) = CliProcess.Run(wide ? ["summary", "SKResNet18", "--depth", "9", "--wide"] : ["summary", "SKResNet18", "--depth", "9"]);
            Assert.True(exit == 0, stderr);
            var words = text.Split([' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            foreach (var path in paths)
                Assert.Contains(path, words);
            if (!wide)
                ExplainModels.AssertFits(text);
        }
    }

    [Fact]
    public void VersionNamesToolGeneratorAndTorchSharp()
    {
        var (exit, stdout, _) = Run("--version");
        Assert.Equal(0, exit);
        var lines = stdout.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^inceptiondsl \d+\.\d+\.\d+", lines[0]);
        Assert.Matches(@"^generator \d+\.\d+\.\d+", lines[1]);
        Assert.Equal($"TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version!.ToString(3)}", lines[2]);
    }

    [Fact]
    public void EmitOutputSaysWhatItWrote()
    {
        Directory.CreateDirectory(Path.Combine(_work, "gen"));
        var (exit, stdout, stderr) = Run("emit", "tiny.inception.yaml", "--support", "-o", "gen");
        Assert.True(exit == 0, stderr);
        foreach (var name in new[] { "TinyNet.g.cs", "InceptionDsl.Support.g.cs", "ModelZoo.g.cs" })
        {
            var file = Path.Combine(_work, "gen", name);
            Assert.Contains($"wrote {file} ({new FileInfo(file).Length:N0} bytes)", stdout);
        }

        var (one, single, _) = Run("emit", "tiny.inception.yaml", "-o", "tiny.g.cs");
        Assert.Equal(0, one);
        Assert.Contains("1 model(s) in namespace InceptionDsl.Models: TinyNet", single);
        Assert.Contains("public sealed partial class TinyNet", File.ReadAllText(Path.Combine(_work, "tiny.g.cs")));
    }
}
