using InceptionDsl.Tests.Support;
using InceptionDsl.Training;
using Xunit;

namespace InceptionDsl.Tests.FineTuning;

/// <summary>
/// docs/fine-tuning.md in miniature, through the command line: MiniInception trained on shapes 0-4 (RGB), then
/// fine-tuned on shapes 5-8 (other classes, another count) in gray with the stem frozen, drop-path and label smoothing.
/// </summary>
public sealed class FineTuneDemoTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "inceptiondsl-demo-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void PretrainThenFineTuneOnOtherClassesInGray()
    {
        string[] common = { "--image-size", "16", "--train-size", "256", "--val-size", "96", "--batch", "32", "--optimizer", "adam", "--lr", "0.003", "--threads", "2" };
        var a = CliProcess.Run(new[] { "train", "MiniInception", "--classes", "5", "--epochs", "2", "--out", Path.Combine(root, "a") }.Concat(common).ToArray());
        Assert.True(a.Exit == 0, a.Stdout + a.Stderr);
        var weights = Path.Combine(root, "a", Trainer.ReadCheckpointInfo(Path.Combine(root, "a"))!.ModelFile);

        var b = CliProcess.Run(new[] { "train", "MiniInception", "--classes", "4", "--epochs", "3", "--out", Path.Combine(root, "b"), "--first-class", "5", "--channels", "1",
            "--weights", weights, "--freeze", "1", "--drop-path", "0.1", "--label-smoothing", "0.1", "--wd", "0.01" }.Concat(common).ToArray());
        Assert.True(b.Exit == 0, b.Stdout + b.Stderr);
        Assert.Contains("weights: conv1.conv adapted from 3 to 1 input channel(s)", b.Stdout);
        Assert.Contains("weights: fc re-initialised: the module has 4 classes, the file 5", b.Stdout);
        Assert.Contains("validation top-1 before training:", b.Stdout);
        Assert.Contains("frozen: stem", b.Stdout);
        Assert.Contains("generated shapes: 4 classes from horizontal-stripes", b.Stdout);
        var info = Trainer.ReadCheckpointInfo(Path.Combine(root, "b"))!;
        Assert.Equal(3, info.History.Count);
        // Four classes: chance is 25 %; the fine-tuned model must be well above it.
        Assert.True(info.History[^1].ValidationTop1 > 0.35, $"top-1 {info.History[^1].ValidationTop1:P1}\n{b.Stdout}");
        Assert.True(File.Exists(Path.Combine(root, "b", TrainingMetrics.PlotFile)));
    }
}
