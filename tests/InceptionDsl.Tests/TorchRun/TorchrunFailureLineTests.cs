using InceptionDsl.Cli.Commands;
using Xunit;

namespace InceptionDsl.Tests.TorchRun;

/// <summary>
/// How <c>train --engine torchrun</c> turns torchrun's failure summary (copied from torch 1.13's output on this machine)
/// and the ranks' own error lines into one line. No PyTorch needed.
/// </summary>
public sealed class TorchrunFailureLineTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("torchrun-failure-").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    private static string Summary(string first, string rootCause) => $"""
        torch.distributed.elastic.multiprocessing.errors.ChildFailedError:
        ============================================================
        /tmp/k2/train_ddp.py FAILED
        ------------------------------------------------------------
        Failures:
        {first}
        ------------------------------------------------------------
        Root Cause (first observed failure):
        {rootCause}
        ============================================================
        """;

    private const string KilledRank1 = """
        [1]:
          time      : 2026-12-03_19:57:31
          host      : localhost
          rank      : 1 (local_rank: 1)
          exitcode  : -9 (pid: 17844)
          error_file: <N/A>
          traceback : Signal 9 (SIGKILL) received by PID 17844
        """;

    private const string FailedRank0 = """
        [0]:
          time      : 2026-12-03_19:57:31
          host      : localhost
          rank      : 0 (local_rank: 0)
          exitcode  : 1 (pid: 17843)
          error_file: <N/A>
          traceback : To enable traceback see: https://pytorch.org/docs/stable/elastic/errors.html
        """;

    [Fact]
    public void ARankKilledByASignalIsTheCauseEvenWhenItsPeerFailedFirst()
    {
        var line = TorchrunTraining.FailureLine(Summary(KilledRank1, FailedRank0), output, DateTime.UtcNow, interrupted: false);
        Assert.Equal("error: rank 1 was killed by SIGKILL, so torchrun stopped the run: no epoch had finished: nothing to resume.", line);
    }

    [Fact]
    public void AFailedRanksOwnErrorLineIsShownAsItIs()
    {
        var rankLog = Directory.CreateDirectory(Path.Combine(output, "logs", "none_abc", "attempt_0", "0")).FullName;
        File.WriteAllText(Path.Combine(rankLog, "stderr.log"), "warning: something\nerror: --data /x: folder not found\n");
        var line = TorchrunTraining.FailureLine(Summary(FailedRank0, FailedRank0), output, DateTime.UtcNow.AddMinutes(-1), interrupted: false);
        Assert.Equal("error: --data /x: folder not found", line);
    }

    [Fact]
    public void TheLastCheckpointIsNamedForResume()
    {
        File.WriteAllText(Path.Combine(output, "checkpoint.json"), """
            { "Model": "MiniInception", "EpochsCompleted": 2, "Epochs": 3, "Optimizer": "sgd", "Steps": 10, "BestValidationTop1": 0.5,
              "History": [], "ModelFile": "model-epoch002.safetensors", "OptimizerFile": "optimizer-epoch002.pt" }
            """);
        var line = TorchrunTraining.FailureLine(Summary(KilledRank1, FailedRank0), output, DateTime.UtcNow, interrupted: false);
        Assert.EndsWith($"{Path.Combine(output, "checkpoint.json")} holds epoch 2; --resume continues from it.", line);
        Assert.Equal($"interrupted: {Path.Combine(output, "checkpoint.json")} holds epoch 2; --resume continues from it.",
            TorchrunTraining.FailureLine("", output, DateTime.UtcNow, interrupted: true));
    }

    [Fact]
    public void WithoutASummaryTheLineSaysWhereTorchrunsMessagesAre()
    {
        var line = TorchrunTraining.FailureLine("RuntimeError: address already in use\n", output, DateTime.UtcNow, interrupted: false);
        Assert.StartsWith("error: torchrun failed (RuntimeError: address already in use); its messages are in ", line);
        Assert.DoesNotContain('\n', line);
    }
}
