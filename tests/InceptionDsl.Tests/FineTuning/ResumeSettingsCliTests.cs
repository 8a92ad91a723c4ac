using InceptionDsl.Tests.Support;
using InceptionDsl.Training;
using Xunit;

namespace InceptionDsl.Tests.FineTuning;

/// <summary>
/// <c>train --resume</c> through the command line: settings that shape the model or the optimizer's parameter groups must
/// be the checkpoint's (a one-line error naming each, stored and given, and nothing touched); the number of epochs may
/// grow, to extend a run.
/// </summary>
public sealed class ResumeSettingsCliTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "inceptiondsl-resume-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    private (int Exit, string Stdout, string Stderr) Train(params string[] args) =>
        CliProcess.Run(new[] { "train", "MiniInception", "--out", root, "--image-size", "16", "--train-size", "32", "--val-size", "16", "--batch", "16",
            "--threads", "1" }.Concat(args).ToArray());

    [Fact]
    public void ResumingWithOtherFineTuningSettingsNamesEachAndTouchesNothingWhileMoreEpochsExtendTheRun()
    {
        var first = Train("--classes", "4", "--epochs", "1", "--freeze", "1", "--layer-decay", "0.75", "--drop-path", "0.1");
        Assert.True(first.Exit == 0, first.Stdout + first.Stderr);
        var written = File.ReadAllText(Path.Combine(root, Trainer.InfoFile));

        var changed = Train("--epochs", "2", "--resume", "--freeze", "2", "--layer-decay", "1", "--drop-path", "0.1", "--channels", "1", "--classes", "3");
        Assert.Equal(1, changed.Exit);
        var line = Assert.Single(changed.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal($"error: --resume: the checkpoint in '{root}' was trained with --classes 4 (this run: 3), --channels 3 (this run: 1), "
            + "--freeze 1 (this run: 2), --layer-decay 0.75 (this run: 1); give the checkpoint's values to continue it, or another --out folder to start a new run", line);
        Assert.Equal(written, File.ReadAllText(Path.Combine(root, Trainer.InfoFile)));

        var noAux = Train("--classes", "4", "--epochs", "2", "--resume", "--freeze", "1", "--layer-decay", "0.75", "--drop-path", "0", "--no-aux");
        Assert.Equal(1, noAux.Exit);
        Assert.Contains("was trained with aux heads (--no-aux) aux1 (this run: none), --drop-path 0.1 (this run: 0);", noAux.Stderr);

        var extended = Train("--classes", "4", "--epochs", "2", "--resume", "--freeze", "1", "--layer-decay", "0.75", "--drop-path", "0.1");
        Assert.True(extended.Exit == 0, extended.Stdout + extended.Stderr);
        Assert.Contains("epoch 2/2:", extended.Stdout);
        var info = Trainer.ReadCheckpointInfo(root)!;
        Assert.Equal(2, info.EpochsCompleted);
        Assert.Equal(new ResumeSettings(4, 3, "aux1", 1, 0.75, 0.1, 5e-4), info.Settings);
    }
}
