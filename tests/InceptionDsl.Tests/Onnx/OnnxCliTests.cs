using InceptionDsl.Onnx;
using InceptionDsl.Tests.Support;
using Onnx;
using Xunit;

namespace InceptionDsl.Tests.Onnx;

/// <summary><c>inceptiondsl export</c> and <c>verify --onnx</c> as a user runs them.</summary>
public sealed class OnnxCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("onnx-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void ExportWritesAFileOnnxRuntimeRuns()
    {
        var path = Path.Combine(_folder, "mini.onnx");
        var (exit, stdout, stderr) = CliProcess.Run("export", "MiniInception", "-o", path, "--reference-weights");
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("reference deterministic weights", stdout, StringComparison.Ordinal);
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        OnnxFileChecks.AssertWellFormed(model, "MiniInception");
        using var session = new OnnxModelSession(path);
        Assert.Equal("MiniInception", session.Metadata["model_name"]);
        Assert.Single(Directory.EnumerateFiles(_folder));
    }

    [Fact]
    public void ExportWithAuxAddsTheHeadsAsOutputs()
    {
        var path = Path.Combine(_folder, "googlenet.onnx");
        var (exit, stdout, stderr) = CliProcess.Run("export", "GoogLeNet", "-o", path, "--aux");
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("  outputs: logits float32[N, 1000], aux1 float32[N, 1000], aux2 float32[N, 1000]", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NoSuchNet", "x.onnx", "unknown model 'NoSuchNet'")]
    [InlineData("ResNet18", "missing/x.onnx", "does not exist")]
    public void ABadModelOrPathIsOneLineAndLeavesNoFile(string model, string output, string expected)
    {
        var (exit, stdout, stderr) = CliProcess.RunIn(_folder, "export", model, "-o", output);
        Assert.NotEqual(0, exit);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_folder));
    }

    [Fact]
    public void AnUnreadableCheckpointIsOneLineAndLeavesNoFile()
    {
        var weights = Path.Combine(_folder, "broken.safetensors");
        File.WriteAllText(weights, "not a checkpoint");
        var (exit, stdout, stderr) = CliProcess.RunIn(_folder, "export", "ResNet18", "-o", "r.onnx", "--weights", weights);
        Assert.NotEqual(0, exit);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "r.onnx")));
    }

    [Fact]
    public void VerifyOnnxEndsWithPass()
    {
        var reference = InceptionDsl.Reference.ReferencePaths.ModelFile("resnet18");
        var (exit, stdout, stderr) = CliProcess.Run("verify", "--reference", reference, "--onnx");
        Assert.True(exit == 0, stdout + stderr);
        var last = stdout.Trim().Split('\n').Last();
        Assert.Equal("PASS ResNet18: ONNX Runtime, TorchSharp and resnet18 agree within 1e-04", last);
        Assert.Contains("onnx runtime vs TorchSharp: max rel diff ", stdout);
    }
}
