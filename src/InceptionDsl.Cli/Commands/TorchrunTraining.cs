using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using InceptionDsl.Cli.Explain;
using InceptionDsl.Reference;
using InceptionDsl.Training;
using InceptionDsl.Training.PyTorch;
using Spectre.Console;

namespace InceptionDsl.Cli.Commands;

/// <summary>
/// <c>train --engine torchrun</c>: writes the model's PyTorch module and the training entry point
/// (<see cref="PyTorchTrainingScript"/>) into the output folder, the generated shapes dataset as an ImageFolder when no
/// --data is given, then launches the installed torchrun, which runs one rank per process with DistributedDataParallel.
/// The ranks write the .NET trainer's checkpoint folder; a failed run is one line naming the rank and what it did.
/// </summary>
public static class TorchrunTraining
{
    /// <summary>The rendezvous port when --master-addr is given without --master-port (torchrun's default).</summary>
    public const int DefaultMasterPort = 29500;

    /// <summary>The file in the output folder that keeps torchrun's own messages (tracebacks, warnings).</summary>
    public const string LogFile = "torchrun.log";

    /// <summary>The first problem of the torchrun options, or null (checked with the other options, before anything runs).</summary>
    public static string? Problem(TrainCommand.Settings s)
    {
        int nodes = s.Nodes ?? 1;
        return s.ProcessesPerNode is < 1 or > 1024 ? $"--nproc-per-node must be between 1 and 1024, not {s.ProcessesPerNode}"
            : nodes is < 1 or > 4096 ? $"--nnodes must be between 1 and 4096, not {nodes}"
            : s.NodeRank is { } rank && (rank < 0 || rank >= nodes) ? $"--node-rank must be between 0 and {nodes - 1} (--nnodes {nodes}), not {rank}"
            : nodes > 1 && s.MasterAddress is null ? $"--nnodes {nodes} needs --master-addr: the address of node 0, which every node reaches"
            : s.MasterAddress is { } host && !Regex.IsMatch(host, @"^[A-Za-z0-9]([A-Za-z0-9.:\-]{0,252}[A-Za-z0-9])?$") ? $"--master-addr must be a host name or IP address, not '{CliText.Plain(host)}'"
            : s.MasterPort is < 1 or > 65535 ? $"--master-port must be between 1 and 65535, not {s.MasterPort}"
            : s.MasterPort is not null && s.MasterAddress is null ? "--master-port goes with --master-addr"
            : s.Accumulate is < 1 or > 1024 ? $"--accumulate must be between 1 and 1024, not {s.Accumulate}"
            : s.Module is not null && SafeFiles.InputProblem(s.Module) is { } noModule ? $"--module {s.Module}: {noModule}"
            : s.Module is not null && !s.Module.EndsWith(".py", StringComparison.Ordinal) ? $"--module {s.Module}: a Python module ends in .py"
            : s.Weights is not null ? "--weights is not taken by --engine torchrun yet: start from a checkpoint folder with --resume, or train with the TorchSharp engine"
            : null;
    }

    /// <summary>Runs the training; the exit code of the command.</summary>
    public static int Run(TrainCommand.Settings settings, CancellationToken cancellation)
    {
        if (FindOnPath("torchrun") is not { } torchrun)
        {
            Console.Error.WriteLine("error: --engine torchrun: no torchrun on PATH; it comes with PyTorch (Debian/Ubuntu: apt-get install python3-torch; elsewhere: pip install torch)");
            return 1;
        }

        ResolvedModel resolved;
        try
        {
            resolved = ModelResolver.Resolve(settings.Model, settings.Variant);
        }
        catch (Exception error) when (error is ExplainException or CliInputException)
        {
            Console.Error.WriteLine("error: " + error.Message);
            return 1;
        }

        var model = resolved.Model;
        var name = model.ClassName;
        var output = Path.GetFullPath(settings.Checkpoint ?? Path.Combine("checkpoints", name));
        int channels = settings.Channels ?? (int)model.InChannels;
        int size = settings.ImageSize ?? (int)model.Height;
        if (channels is not (1 or 3))
        {
            Console.Error.WriteLine($"error: {name} takes {channels} input channels; images give 1 (--channels 1) or 3.");
            return 1;
        }

        string script, module, data;
        string[] normalisation;
        bool created = !Directory.Exists(output);
        try
        {
            Directory.CreateDirectory(output);
            module = settings.Module is { } given ? Path.GetFullPath(given) : EmitPyTorchModule(resolved, output);
            script = PyTorchTrainingScript.WriteTo(output);
            if (settings.Data is { } folder)
            {
                data = Path.GetFullPath(folder);
                normalisation = [];
            }
            else
            {
                data = Path.Combine(output, "data");
                Console.WriteLine("data: " + ShapesImageFolder.Write(data, settings.TrainSize, settings.ValidationSize, size, settings.Classes,
                    1234 + settings.Seed, settings.FirstClass) + $" (as an ImageFolder in {data})");
                var mean = string.Join(",", Enumerable.Repeat(SyntheticShapes.Mean.ToString(CultureInfo.InvariantCulture), channels));
                var std = string.Join(",", Enumerable.Repeat(SyntheticShapes.Std.ToString(CultureInfo.InvariantCulture), channels));
                normalisation = ["--mean", mean, "--std", std];
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or CliInputException or ExplainException)
        {
            Console.Error.WriteLine("error: " + error.Message);
            // No half-made output: a folder this run made and left empty goes again.
            if (created && Directory.Exists(output) && !Directory.EnumerateFileSystemEntries(output).Any())
                Directory.Delete(output);
            return 1;
        }

        var arguments = LauncherArguments(settings, output).Concat([script]).Concat(ScriptArguments(settings, name, module, data, output, size, channels)).Concat(normalisation).ToList();
        return Launch(torchrun, arguments, output, cancellation);
    }

    /// <summary>
    /// The PyTorch module of the model (emit --target pytorch) in <paramref name="folder"/>; its path. The one place this
    /// command reaches the PyTorch backend.
    /// </summary>
    private static string EmitPyTorchModule(ResolvedModel resolved, string folder)
    {
        // As `emit --target pytorch SPEC -o FOLDER/` writes it: every model of the spec in one module.
        var models = ModelResolver.FromFile(resolved.SpecPath).Select(m => m.Model).ToList();
        var path = Path.Combine(folder, InceptionDsl.Emit.PyTorch.PyTorchEmitter.FileName(resolved.SpecPath));
        CliFiles.WriteOutput(path, InceptionDsl.Emit.PyTorch.PyTorchEmitter.Emit(models, Path.GetFileName(resolved.SpecPath)));
        return path;
    }

    /// <summary>torchrun's own options: the processes, the nodes and the rendezvous, and where the ranks' stderr goes.</summary>
    private static IEnumerable<string> LauncherArguments(TrainCommand.Settings s, string output)
    {
        // Underscored spellings: torch 1.13 knows only those, 2.x both.
        yield return "--nproc_per_node";
        yield return (s.ProcessesPerNode ?? 1).ToString(CultureInfo.InvariantCulture);
        // torchrun's static rendezvous. One machine: this machine on a free port, so runs side by side never collide.
        // Not --standalone: its C10d store keeps the agent alive by heartbeats, and on a loaded machine a late one
        // ended a healthy run ("RendezvousConnectionError: The connection to the C10d store has failed").
        var address = s.MasterAddress ?? "127.0.0.1";
        var port = s.MasterPort ?? (s.MasterAddress is null ? FreeLocalPort() : DefaultMasterPort);
        foreach (var arg in new[] { "--nnodes", (s.Nodes ?? 1).ToString(CultureInfo.InvariantCulture), "--node_rank", (s.NodeRank ?? 0).ToString(CultureInfo.InvariantCulture),
            "--master_addr", address, "--master_port", port.ToString(CultureInfo.InvariantCulture) })
            yield return arg;

        // Each rank's stderr to a file (read back to explain a failure), its stdout to the console as well. Numeric values
        // other than 0 and 3: torch 1.13 on Python 3.11 parses those to nothing (a crash inside torchrun).
        foreach (var arg in new[] { "--redirects", "2", "--tee", "1", "--log_dir", Path.Combine(output, "logs") })
            yield return arg;
    }

    /// <summary>A TCP port free on this machine now (asked of the system, then released for torchrun's store to take).</summary>
    public static int FreeLocalPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>The entry point's options: the recipe of <c>train</c>, spelled as train_ddp.py spells them.</summary>
    private static IEnumerable<string> ScriptArguments(TrainCommand.Settings s, string name, string module, string data, string output, int size, int channels)
    {
        string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
        var args = new List<string>
        {
            "--module", module, "--model", name, "--data", data, "--out", output,
            "--image-size", size.ToString(CultureInfo.InvariantCulture), "--channels", channels.ToString(CultureInfo.InvariantCulture),
            "--val-fraction", Number(s.ValidationFraction),
            "--epochs", s.Epochs.ToString(CultureInfo.InvariantCulture), "--batch-size", s.BatchSize.ToString(CultureInfo.InvariantCulture),
            "--accumulate", (s.Accumulate ?? 1).ToString(CultureInfo.InvariantCulture),
            "--optimizer", s.Optimizer.ToLowerInvariant(), "--schedule", s.Schedule.ToLowerInvariant(),
            "--weight-decay", Number(s.WeightDecay), "--freeze", s.Freeze.ToString(CultureInfo.InvariantCulture),
            "--layer-decay", Number(s.LayerDecay), "--drop-path", Number(s.DropPath), "--label-smoothing", Number(s.LabelSmoothing),
            "--seed", s.Seed.ToString(CultureInfo.InvariantCulture),
        };
        if (s.LearningRate is { } lr) args.AddRange(["--lr", Number(lr)]);
        if (s.Warmup is { } warmup) args.AddRange(["--warmup", warmup.ToString(CultureInfo.InvariantCulture)]);
        if (s.Threads is { } threads) args.AddRange(["--threads", threads.ToString(CultureInfo.InvariantCulture)]);
        if (s.NoAux) args.Add("--no-aux");
        if (s.Resume) args.Add("--resume");
        return args;
    }

    // torchrun's tee prefixes each line of a rank's stdout with its role and local rank.
    private static readonly Regex RankPrefix = new(@"^\[[A-Za-z_]*\d+\]:", RegexOptions.Compiled);

    /// <summary>Starts torchrun, passes rank 0's console lines through, keeps torchrun's stderr in the log; the exit code.</summary>
    private static int Launch(string torchrun, List<string> arguments, string output, CancellationToken cancellation)
    {
        var info = new ProcessStartInfo(torchrun) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Rank 0 then prints "@progress" and "@epoch" lines, drawn here as the .NET trainer's progress bars.
        info.Environment["INCEPTIONDSL_PROGRESS"] = "1";
        foreach (var arg in arguments)
            info.ArgumentList.Add(arg);
        // One thread per rank unless --threads says otherwise is torchrun's own default; say nothing more here.
        var log = Path.Combine(output, "logs", LogFile);
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        var started = DateTime.UtcNow;
        using var process = Process.Start(info) ?? throw new IOException($"cannot start {torchrun}");
        using var logWriter = new StreamWriter(log, append: false);
        var stderr = new System.Text.StringBuilder();
        var errors = Task.Run(() =>
        {
            string? line;
            while ((line = process.StandardError.ReadLine()) is not null)
            {
                lock (stderr) stderr.AppendLine(line);
                lock (logWriter) logWriter.WriteLine(line);
            }
        });
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; };
        Console.CancelKeyPress += onCancel;
        try
        {
            AnsiConsole.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(progress =>
                {
                    var bars = new EpochBars(progress);
                    string? line;
                    while ((line = process.StandardOutput.ReadLine()) is not null)
                    {
                        line = RankPrefix.Replace(line, "");
                        if (!bars.Take(line))
                            Console.WriteLine(line);
                    }
                });
            process.WaitForExit();
            errors.Wait();
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }

        // The curves as the .NET trainer draws them (ScottPlot), from the history the ranks wrote: the same metrics.png
        // whether or not the ranks' Python has matplotlib.
        if (TryReadCheckpoint(output) is { History.Count: > 0 } saved)
        {
            try
            {
                TrainingMetrics.Write(output, saved.History);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"warning: cannot write {Path.Combine(output, TrainingMetrics.PlotFile)}: {error.Message}");
            }
        }

        if (process.ExitCode == 0)
            return 0;
        string text;
        lock (stderr) text = stderr.ToString();
        Console.Error.WriteLine(FailureLine(text, output, started, cancellation.IsCancellationRequested));
        return cancellation.IsCancellationRequested ? 130 : 1;
    }

    /// <summary>The bars of <c>train</c>'s progress table, one per epoch, fed by rank 0's machine lines.</summary>
    private sealed class EpochBars(ProgressContext progress)
    {
        private ProgressTask? task;
        private int epoch;

        /// <summary>Whether <paramref name="line"/> was a machine line (drawn, not printed).</summary>
        public bool Take(string line)
        {
            var parts = line.Split(' ');
            if (parts[0] == "@progress" && parts.Length == 8 && Numbers(parts, out var p))
            {
                if (task is null || epoch != (int)p[1])
                {
                    task?.StopTask();
                    epoch = (int)p[1];
                    task = progress.AddTask(CliText.Markup($"epoch {epoch}/{(int)p[2]}"), maxValue: p[4]);
                }
                task.Description = CliText.Markup(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}/{(int)p[2]} loss {p[5]:F3} acc {p[6] * 100:F1}% {p[7]:F0} img/s"));
                task.Value = p[3];
                return true;
            }
            if (parts[0] == "@epoch" && parts.Length == 9 && Numbers(parts, out var e))
            {
                if (task is not null)
                {
                    task.Description = CliText.Markup(string.Create(CultureInfo.InvariantCulture,
                        $"epoch {(int)e[1]}/{(int)e[2]} loss {e[3]:F3} acc {e[4] * 100:F1}% | val loss {e[5]:F3} top-1 {e[6] * 100:F1}% top-5 {e[7] * 100:F1}% | lr {e[8]:G3}"));
                    task.Value = task.MaxValue;
                    task.StopTask();
                    task = null;
                }
                return true;
            }
            return false;
        }

        private static bool Numbers(string[] parts, out double[] values)
        {
            values = new double[parts.Length];
            for (int i = 1; i < parts.Length; i++)
                if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                    return false;
            return true;
        }
    }

    /// <summary>
    /// One line for a failed run: the rank that failed first (torchrun's "Root Cause") and how (a signal, or the rank's own
    /// error line), and what the checkpoint folder holds to resume from.
    /// </summary>
    public static string FailureLine(string torchrunStderr, string output, DateTime started, bool interrupted)
    {
        var saved = TryReadCheckpoint(output);
        var resume = saved is null
            ? "no epoch had finished: nothing to resume"
            : $"{Path.Combine(output, Trainer.InfoFile)} holds epoch {saved.EpochsCompleted}; --resume continues from it";
        if (interrupted)
            return $"interrupted: {resume}.";

        // torchrun's summary lists every failed rank ("rank : 1 (local_rank: 1)", "exitcode : -9", "Signal 9 (SIGKILL)").
        // A rank killed by a signal is the cause even when a peer that lost it is listed as the first observed failure.
        var failures = Regex.Matches(torchrunStderr, @"rank\s*:\s*(\d+)[^\n]*\n\s*exitcode\s*:\s*(-?\d+)[\s\S]*?traceback\s*:([^\n]*)")
            .Select(m => (Rank: m.Groups[1].Value, ExitCode: m.Groups[2].Value,
                Signal: Regex.Match(m.Groups[3].Value, @"Signal \d+ \((SIG[A-Z]+)\)") is { Success: true } sg ? sg.Groups[1].Value : null))
            .ToList();
        var cause = failures.FirstOrDefault(f => f.Signal is not null);
        if (cause.Rank is null)
        {
            var rootCause = torchrunStderr.IndexOf("Root Cause", StringComparison.Ordinal) is var at and >= 0 ? torchrunStderr[at..] : "";
            var rootRank = Regex.Match(rootCause, @"rank\s*:\s*(\d+)").Groups[1].Value;
            cause = failures.FirstOrDefault(f => f.Rank == rootRank);
            if (cause.Rank is null && failures.Count > 0)
                cause = failures[0];
        }
        var (rank, exitCode, signal) = cause;
        var rankError = RankErrorLine(output, started, rank);
        var who = rank is null ? "a rank" : $"rank {rank}";
        if (signal is not null)
            return $"error: {who} was killed by {signal}, so torchrun stopped the run: {resume}.";
        if (rankError is not null)
            return rankError.StartsWith("error: rank ", StringComparison.Ordinal) ? $"{rankError} ({resume})" : rankError;
        var last = torchrunStderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.Contains("Error", StringComparison.Ordinal));
        return $"error: torchrun failed{(exitCode is null ? "" : $": {who} exited with code {exitCode}")}{(last is null ? "" : $" ({CliText.Plain(last)})")}; "
            + $"its messages are in {Path.Combine(output, "logs", LogFile)}: {resume}.";
    }

    /// <summary>The "error: ..." line the failed rank's script printed (torchrun keeps each rank's stderr under logs/), or null.</summary>
    private static string? RankErrorLine(string output, DateTime started, string? rank)
    {
        var logs = Path.Combine(output, "logs");
        if (!Directory.Exists(logs))
            return null;
        var files = Directory.EnumerateFiles(logs, "stderr.log", SearchOption.AllDirectories)
            .Where(f => File.GetLastWriteTimeUtc(f) >= started.AddSeconds(-1))
            .OrderBy(f => rank is not null && Path.GetFileName(Path.GetDirectoryName(f)) == rank ? 0 : 1)
            .ToList();
        foreach (var file in files)
        {
            var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith("error: ", StringComparison.Ordinal));
            if (line is not null)
                return CliText.Plain(line);
        }
        return null;
    }

    private static CheckpointInfo? TryReadCheckpoint(string output)
    {
        try
        {
            return Trainer.ReadCheckpointInfo(output);
        }
        catch (Exception error) when (error is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The executable <paramref name="name"/> in a folder of PATH, or null.</summary>
    public static string? FindOnPath(string name)
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0))
                return candidate;
        }
        return null;
    }
}
