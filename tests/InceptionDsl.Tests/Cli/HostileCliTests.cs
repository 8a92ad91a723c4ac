using System.Text.Json.Nodes;
using InceptionDsl.Reference;
using InceptionDsl.Tests.Support;
using Xunit;

namespace InceptionDsl.Tests.Cli;

/// <summary>
/// Bad input through the built CLI, as the user meets it: a one-line error and a non-zero exit code,
/// never a stack trace, a libtorch backtrace, or an output file left behind.
/// </summary>
public sealed class HostileCliTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("idsl-hostile-cli-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static void AssertNoTrace(string output)
    {
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("frame #", output);
        Assert.DoesNotContain("Exception raised from", output);
    }

    [Fact]
    public void AMisspeltOptionIsAnErrorNotIgnored()
    {
        var (exit, stdout, stderr) = CliProcess.Run("zoo", "--modle", "ResNet18");
        Assert.NotEqual(0, exit);
        Assert.Contains("Unknown option", stdout + stderr);
        Assert.DoesNotContain("InceptionDsl zoo", stdout);
    }

    [Fact]
    public void CheckOfAFolderWithoutSpecsFails()
    {
        var (exit, stdout, _) = CliProcess.Run("check", dir);
        Assert.Equal(1, exit);
        Assert.Contains($"{dir}(1,1): error IDSL001: the folder holds no spec files (*.inception.yaml)", stdout);
    }

    [Fact]
    public void SummaryOfASpecThatIsNotUtf8NamesTheByte()
    {
        var spec = Path.Combine(dir, "latin1.inception.yaml");
        File.WriteAllBytes(spec, [.. "model: Caf"u8, 0xE9, .. "Net\n"u8]);
        var (exit, _, stderr) = CliProcess.Run("summary", spec);
        Assert.Equal(1, exit);
        Assert.Contains($"error: {spec}(1,11): the file is not UTF-8 text (byte 0xE9)", stderr);
    }

    [Fact]
    public void DiagramIntoAMissingFolderWritesNothing()
    {
        var output = Path.Combine(dir, "missing", "googlenet.svg");
        var (exit, _, stderr) = CliProcess.Run("diagram", "GoogLeNet", "-o", output);
        Assert.Equal(1, exit);
        Assert.Contains($"error: {output}: cannot write: the folder {Path.GetDirectoryName(output)} does not exist", stderr);
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    [ReferenceFact]
    public void VerifyOfAReferenceWithANegativeInputFailsBeforeLibtorch()
    {
        var json = JsonNode.Parse(File.ReadAllText(ReferencePaths.ModelFile("resnet18")))!;
        json["input"] = new JsonArray(2, -3, 224, 224);
        var path = Path.Combine(dir, "negative.json");
        File.WriteAllText(path, json.ToJsonString());
        var (exit, stdout, stderr) = CliProcess.Run("verify", "--model", "ResNet18", "--reference", path);
        Assert.Equal(1, exit);
        Assert.Equal($"FAIL {path}: 'input' must be [batch, channels, height, width] with every size at least 1, found [2, -3, 224, 224]", stdout.Trim());
        AssertNoTrace(stdout + stderr);
    }

    [ReferenceFact("checkpoints")]
    public void VerifyOnAnInputTooSmallForTheNetworkIsOneLine()
    {
        var logits = JsonNode.Parse(File.ReadAllText(ReferencePaths.CheckpointFile(CheckpointLogits.GoogLeNetFp16FileName)))!;
        logits["input"] = new JsonArray(2, 3, 8, 8);
        var path = Path.Combine(dir, "tiny.logits.json");
        File.WriteAllText(path, logits.ToJsonString());
        var (exit, stdout, stderr) = CliProcess.Run("verify", "--model", "GoogLeNet", "--weights", ReferencePaths.CheckpointFile("googlenet_det_fp16.safetensors"), "--logits", path);
        Assert.Equal(1, exit);
        Assert.StartsWith("FAIL GoogLeNet cannot run on the input [2, 3, 8, 8] of tiny.logits.json: libtorch: ", stdout.Trim().Split('\n')[^1]);
        AssertNoTrace(stdout + stderr);
    }

    [Fact]
    public void AnUnhandledErrorIsOneLineWithExitCode1()
    {
        // An ImageFolder without class subfolders: the training library throws; the CLI's handler prints it.
        var (exit, stdout, stderr) = CliProcess.Run("train", "MiniInception", "--data", dir, "--checkpoint", Path.Combine(dir, "ck"));
        Assert.Equal(1, exit);
        Assert.Equal($"error: '{dir}' needs at least two class subfolders (found 0).", stderr.Trim());
        AssertNoTrace(stdout + stderr);
    }
}
