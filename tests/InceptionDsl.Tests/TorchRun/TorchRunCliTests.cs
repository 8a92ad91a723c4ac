using System.Diagnostics;
using InceptionDsl.Tests.Support;
using InceptionDsl.Training;
using Xunit;

namespace InceptionDsl.Tests.TorchRun;

/// <summary><c>inceptiondsl train --engine torchrun</c> as a user runs it: launching, a rank that dies, resuming, bad options.</summary>
public sealed class TorchRunCliTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("torchrun-cli-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>The lines of the CLI's stderr other than the libtorch start-up note (docs/platform.md), which this machine prints.</summary>
    private static List<string> ErrorLines(string stderr) =>
        stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith("inceptiondsl: ", StringComparison.Ordinal)).ToList();

    [TorchRunFact]
    public void KillingARankMidEpochFailsInOneLineAndResumeContinuesFromTheLastCheckpoint()
    {
        var output = Path.Combine(folder, "run");
        string[] train = ["train", "MiniInception", "--engine", "torchrun", "--nproc-per-node", "2", "--train-size", "1600", "--val-size", "64",
            "--epochs", "3", "--batch-size", "16", "--threads", "1", "--out", output];

        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "inceptiondsl.dll"));
        foreach (var arg in train)
            info.ArgumentList.Add(arg);
        using var cli = Process.Start(info)!;
        var stderr = cli.StandardError.ReadToEndAsync();
        // Rank 0 prints an epoch's line after its checkpoint is written: at "epoch 1/3:", rank 1 is in epoch 2. Kill it there.
        var console = new System.Text.StringBuilder();
        var firstEpoch = new ManualResetEventSlim();
        var stdout = Task.Run(() =>
        {
            string? line;
            while ((line = cli.StandardOutput.ReadLine()) is not null)
            {
                lock (console) console.AppendLine(line);
                if (line.StartsWith("epoch 1/3:", StringComparison.Ordinal))
                    firstEpoch.Set();
            }
            firstEpoch.Set();
            lock (console) return console.ToString();
        });
        Assert.True(firstEpoch.Wait(TimeSpan.FromMinutes(3)), "no epoch ended in 3 minutes");
        Thread.Sleep(300);
        var rank1 = RankProcess(output, rank: 1);
        Assert.True(rank1 is not null, $"no process of rank 1 writing to {output} found among: {string.Join(" | ", TrainingProcesses())}; {(cli.HasExited ? "the run had ended: " + stdout.Result + stderr.Result : "")}");
        var saved = Trainer.ReadCheckpointInfo(output)!.EpochsCompleted;
        rank1!.Kill();
        Assert.True(cli.WaitForExit(TimeSpan.FromMinutes(2)), "the run did not end after a rank was killed");

        Assert.Equal(1, cli.ExitCode);
        var line = Assert.Single(ErrorLines(stderr.Result));
        Assert.StartsWith("error: rank 1 was killed by SIGKILL", line, StringComparison.Ordinal);
        Assert.Contains($"holds epoch {saved}; --resume continues from it", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Traceback", stdout.Result + stderr.Result, StringComparison.Ordinal);
        Assert.True(saved < 3, "the killed run finished every epoch");

        var (exit, resumedOut, resumedErr) = CliProcess.Run([.. train, "--resume"]);
        Assert.True(exit == 0, resumedOut + resumedErr);
        Assert.Contains($"resumed from {output} after epoch {saved}", resumedOut, StringComparison.Ordinal);
        Assert.DoesNotContain($"epoch {saved}/3:", resumedOut, StringComparison.Ordinal);
        Assert.Contains("epoch 3/3:", resumedOut, StringComparison.Ordinal);
        var done = Trainer.ReadCheckpointInfo(output)!;
        Assert.Equal((3, 3), (done.EpochsCompleted, done.History.Count));
        Assert.Equal(Enumerable.Range(1, 3), done.History.Select(h => h.Epoch));
        // The plot is drawn by the CLI from the run's history, as the .NET trainer draws it.
        Assert.True(File.Exists(Path.Combine(output, TrainingMetrics.PlotFile)));
        Assert.Equal(4, File.ReadAllLines(Path.Combine(output, TrainingMetrics.CsvFile)).Length);
    }

    /// <summary>The training process of <paramref name="rank"/> writing into <paramref name="output"/> (Linux: /proc).</summary>
    private static Process? RankProcess(string output, int rank)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
                continue;
            try
            {
                var command = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                if (!command.Any(a => a.EndsWith("train_ddp.py", StringComparison.Ordinal)) || !command.Contains(output))
                    continue;
                var environment = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0');
                if (environment.Contains($"RANK={rank}"))
                    return Process.GetProcessById(pid);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException)
            {
                // A process that ended or is not ours to read.
            }
        }
        return null;
    }

    private static IEnumerable<string> TrainingProcesses()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            string text;
            try { text = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' '); }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException) { continue; }
            if (text.Contains("train_ddp", StringComparison.Ordinal))
                yield return text;
        }
    }

    [Theory]
    [InlineData(new[] { "--nproc-per-node", "2" }, "--nproc-per-node goes with --engine torchrun")]
    [InlineData(new[] { "--engine", "horovod" }, "--engine must be torchsharp or torchrun, not 'horovod'")]
    [InlineData(new[] { "--engine", "torchrun", "--nproc-per-node", "0" }, "--nproc-per-node must be between 1 and 1024, not 0")]
    [InlineData(new[] { "--engine", "torchrun", "--nnodes", "2" }, "--nnodes 2 needs --master-addr")]
    [InlineData(new[] { "--engine", "torchrun", "--nnodes", "2", "--node-rank", "2", "--master-addr", "10.0.0.1" }, "--node-rank must be between 0 and 1 (--nnodes 2), not 2")]
    [InlineData(new[] { "--engine", "torchrun", "--master-addr", "a b" }, "--master-addr must be a host name or IP address, not 'a b'")]
    [InlineData(new[] { "--engine", "torchrun", "--master-addr", "10.0.0.1", "--master-port", "70000" }, "--master-port must be between 1 and 65535, not 70000")]
    [InlineData(new[] { "--engine", "torchrun", "--module", "missing.py" }, "--module missing.py: ")]
    [InlineData(new[] { "--engine", "torchrun", "--accumulate", "0" }, "--accumulate must be between 1 and 1024, not 0")]
    public void ABadTorchrunOptionIsOneLineAndStartsNothing(string[] options, string expected)
    {
        var (exit, stdout, stderr) = CliProcess.RunIn(folder, ["train", "MiniInception", .. options]);
        Assert.NotEqual(0, exit);
        var line = Assert.Single(ErrorLines(stdout + stderr));
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }

    [Fact]
    public void WithoutTorchrunOnPathTheErrorSaysHowToInstallIt()
    {
        var empty = Directory.CreateDirectory(Path.Combine(folder, "empty-path")).FullName;
        var (exit, stdout, stderr) = CliProcess.RunWith(folder, new Dictionary<string, string?> { ["PATH"] = empty },
            "train", "MiniInception", "--engine", "torchrun", "--out", Path.Combine(folder, "out"));
        Assert.Equal(1, exit);
        var line = Assert.Single(ErrorLines(stderr));
        Assert.Equal("error: --engine torchrun: no torchrun on PATH; it comes with PyTorch (Debian/Ubuntu: apt-get install python3-torch; elsewhere: pip install torch)", line);
        Assert.Equal("", stdout);
        Assert.False(Directory.Exists(Path.Combine(folder, "out")));
    }
}
