using InceptionDsl.Models;
using InceptionDsl.Reference;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Inference;

/// <summary>PyTorch checkpoints (safetensors, torch.save) load into generated models; mismatches are named; saving round-trips.</summary>
public sealed class CheckpointTests
{
    public static TheoryData<string> CheckpointFiles => new() { "googlenet_det_fp16.safetensors", "googlenet_det_fp16.pt" };

    [ReferenceTheory("checkpoints")]
    [MemberData(nameof(CheckpointFiles))]
    public void Float16CheckpointReproducesTheLogitsFile(string file)
    {
        var path = ReferencePaths.CheckpointFile(file);
        var expected = CheckpointLogits.LoadGoogLeNetFp16();
        using var model = new GoogLeNet(auxLogits: false);
        var report = CheckpointVerification.Verify(model, path, expected);
        Assert.Equal(expected.Keys, report.Load.Entries);
        Assert.Contains("Float16", report.Load.DTypes);
        Assert.True(report.Passed, string.Join("\n", report.ToLines()));
        Assert.True(report.MaxAbsDiff < 1e-5, report.MaxAbsDiff.ToString("E3"));
        // The float32 forward drifts only by float32 summation (about 4e-7 of the largest logit).
        Assert.True(report.Float32MaxAbsDiff / report.LogitsAbsMax < 1e-6, report.Float32MaxAbsDiff.ToString("E3"));
        Assert.NotEqual(false, report.Top5Matches);
        Assert.Equal(ScalarType.Float32, model.parameters().First().dtype);
    }

    [Theory]
    [InlineData(2e-5, 8e-6, true)]
    [InlineData(1.5, 8e-6, false)] // the issue-22 machine: float32 wrong by 6.5e-2 relative, float64 right
    [InlineData(double.NaN, 8e-6, false)]
    [InlineData(2e-5, 2e-5, false)]
    public void AFloat64PassNeedsARightFloat32ForwardToo(double float32Diff, double float64Diff, bool passes)
    {
        var load = new CheckpointLoadResult("w.safetensors", CheckpointFormat.Safetensors, 344, new[] { "Float16" });
        var report = new CheckpointVerificationReport(load, float64Diff, 22.7, 1e-5, true, ScalarType.Float64, float32Diff);
        Assert.Equal(passes, report.Passed);
        var lines = report.ToLines().ToList();
        Assert.StartsWith(passes ? "PASS" : "FAIL", lines[^1], StringComparison.Ordinal);
        Assert.EndsWith(report.Float32Passed ? "right" : "WRONG", lines[1], StringComparison.Ordinal);
    }

    [ReferenceFact("checkpoints")]
    public void PyBridgeExtensionMethodsLoadTheSameFiles()
    {
        using var fromSafetensors = new GoogLeNet(auxLogits: false);
        using var fromPickle = new GoogLeNet(auxLogits: false);
        TorchSharp.PyBridge.PyBridgeModuleExtensions.load_safetensors(fromSafetensors, ReferencePaths.CheckpointFile("googlenet_det_fp16.safetensors"));
        TorchSharp.PyBridge.PyBridgeModuleExtensions.load_py(fromPickle, ReferencePaths.CheckpointFile("googlenet_det_fp16.pt"));
        var a = fromSafetensors.state_dict();
        var b = fromPickle.state_dict();
        Assert.Equal(a.Keys, b.Keys);
        foreach (var key in a.Keys)
            Assert.True(a[key].eq(b[key]).all().item<bool>(), key);
    }

    [ReferenceFact("checkpoints")]
    public void MissingKeysAreNamed()
    {
        // The checkpoint has no aux heads: a GoogLeNet with aux heads misses aux1.* and aux2.*.
        using var model = new GoogLeNet();
        var error = Assert.Throws<CheckpointMismatchException>(() => CheckpointLoader.Load(model, ReferencePaths.CheckpointFile("googlenet_det_fp16.safetensors")));
        Assert.Contains("aux1.fc2.weight", error.Missing);
        Assert.Contains("aux2.conv.bn.running_var", error.Missing);
        Assert.Empty(error.Unexpected);
        Assert.Empty(error.MisShaped);
        Assert.Contains("missing in the file: aux1.fc2.weight", error.Message);
    }

    [ReferenceFact("checkpoints")]
    public void MisShapedAndUnexpectedKeysAreNamed()
    {
        using var tenClasses = new GoogLeNet(numClasses: 10, auxLogits: false);
        var shaped = Assert.Throws<CheckpointMismatchException>(() => CheckpointLoader.Load(tenClasses, ReferencePaths.CheckpointFile("googlenet_det_fp16.pt")));
        Assert.Equal(new[] { "fc.weight", "fc.bias" }, shaped.MisShaped.Select(m => m.Name));
        Assert.Contains("mis-shaped: fc.weight: module [10, 1024], file [1000, 1024]", shaped.Message);

        using var headless = new GoogLeNet(numClasses: 0, auxLogits: false);
        var unexpected = Assert.Throws<CheckpointMismatchException>(() => CheckpointLoader.Load(headless, ReferencePaths.CheckpointFile("googlenet_det_fp16.pt")));
        Assert.Equal(new[] { "fc.bias", "fc.weight" }, unexpected.Unexpected);
        Assert.Contains("unexpected (not in the module): fc.weight", unexpected.Message);
    }

    [Theory]
    [InlineData(".safetensors", false)]
    [InlineData(".pt", false)]
    [InlineData(".safetensors", true)]
    [InlineData(".pt", true)]
    public void SavingAndReloadingRoundTripsExactly(string extension, bool fused)
    {
        var path = Path.Combine(Path.GetTempPath(), $"inceptiondsl-roundtrip-{Guid.NewGuid():N}{extension}");
        try
        {
            torch.manual_seed(7);
            using var original = new ResNet18(numClasses: 10);
            RandomizeBatchNorm(original);
            // A fused model's weights are channels-last in memory; the file holds them row-major.
            if (fused)
                original.Fuse();
            CheckpointLoader.Save(original, path);
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.*.partial"));
            using var reloaded = new ResNet18(numClasses: 10);
            if (fused)
                reloaded.Fuse();
            var result = CheckpointLoader.Load(reloaded, path);
            Assert.Equal(original.state_dict().Count, result.Entries);
            var a = original.state_dict();
            var b = reloaded.state_dict();
            Assert.Equal(a.Keys.OrderBy(k => k), b.Keys.OrderBy(k => k));
            foreach (var key in a.Keys)
            {
                Assert.Equal(a[key].dtype, b[key].dtype);
                Assert.True(a[key].eq(b[key]).all().item<bool>(), key);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Non-trivial BatchNorm statistics, so that loading and folding are exercised.</summary>
    internal static void RandomizeBatchNorm(nn.Module model)
    {
        using var noGrad = no_grad();
        foreach (var (_, module) in model.named_modules())
        {
            if (module is not TorchSharp.Modules.BatchNorm2d bn)
                continue;
            var c = bn.num_features;
            bn.running_mean!.copy_(randn(c) * 0.1);
            bn.running_var!.copy_(rand(c) * 0.5 + 0.5);
            bn.weight!.copy_(rand(c) * 0.5 + 0.5);
            bn.bias!.copy_(randn(c) * 0.1);
        }
    }
}
