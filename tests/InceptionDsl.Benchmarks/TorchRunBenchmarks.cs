using System.Diagnostics;
using System.Globalization;
using InceptionDsl.Models;
using InceptionDsl.Reference;
using InceptionDsl.Training;
using InceptionDsl.Training.PyTorch;
using static TorchSharp.torch;

namespace InceptionDsl.Benchmarks;

/// <summary>
/// `-- --torchrun [--train-size N] [--batch B] [--module FILE]`: training throughput of MiniInception on the generated
/// shapes (32x32), two epochs per configuration, the second one timed (training and its validation pass, as
/// checkpoint.json records an epoch): torchrun with 2 ranks x 1 thread against 1 PyTorch process x 2 threads (same
/// global batch), and the PyTorch entry point against the .NET trainer (TorchSharp) at 1 and 2 threads. Needs
/// /usr/bin/python3 with torch and torchrun on PATH; the module is the one `emit --target pytorch` writes, or --module
/// (default: the one emit --target pytorch writes).
/// </summary>
public static class TorchRunBenchmarks
{
    private const string Python = "/usr/bin/python3";
    private const int Size = 32, Classes = 10, Validation = 64;

    public static int Run(string[] args)
    {
        int trainSize = args.SkipWhile(a => a != "--train-size").Skip(1).Select(int.Parse).FirstOrDefault(2048);
        int batch = args.SkipWhile(a => a != "--batch").Skip(1).Select(int.Parse).FirstOrDefault(64);
        var given = args.SkipWhile(a => a != "--module").Skip(1).FirstOrDefault();
        if (!File.Exists(Python) || !File.Exists("/usr/bin/torchrun") && InceptionDslTorchrun() is null)
        {
            Console.Error.WriteLine("torchrun benchmark: needs /usr/bin/python3 with torch and torchrun on PATH (apt-get install python3-torch)");
            return 1;
        }

        var root = Directory.CreateTempSubdirectory("torchrun-bench-").FullName;
        try
        {
            var data = Path.Combine(root, "data");
            ShapesImageFolder.Write(data, trainSize, Validation, Size, Classes, seed: 1234);
            var script = PyTorchTrainingScript.WriteTo(root);
            // The module emit --target pytorch writes for MiniInception's spec, unless --module gives one.
            var spec = Path.Combine(ReferencePaths.RepoRoot, "specs", "mini_inception.inception.yaml");
            var module = given ?? Path.Combine(root, InceptionDsl.Emit.PyTorch.PyTorchEmitter.FileName(spec));
            if (given is null)
                File.WriteAllText(module, InceptionDsl.Emit.PyTorch.PyTorchEmitter.Emit(
                    InceptionDsl.SpecCompiler.Compile(spec, File.ReadAllText(spec)).Models.ToList(), Path.GetFileName(spec)));
            Console.WriteLine($"torchrun benchmark: MiniInception, {trainSize} training images {Size}x{Size}, global batch {batch}, epoch 2 of 2 timed, "
                + $"{Environment.ProcessorCount} cores, load average {LoadAverage()} before");
            var rows = new List<(string Name, double Seconds)>
            {
                ("PyTorch, torchrun 2 ranks x 1 thread", PyTorch(root, script, module, data, "ddp2x1", ranks: 2, threads: 1, batch / 2)),
                ("PyTorch, 1 process x 2 threads", PyTorch(root, script, module, data, "py1x2", ranks: 1, threads: 2, batch)),
                ("PyTorch, 1 process x 1 thread", PyTorch(root, script, module, data, "py1x1", ranks: 1, threads: 1, batch)),
                (".NET trainer (TorchSharp), 2 threads", DotNet(trainSize, batch, threads: 2)),
                (".NET trainer (TorchSharp), 1 thread", DotNet(trainSize, batch, threads: 1)),
            };
            Console.WriteLine();
            Console.WriteLine("| configuration | epoch seconds | samples/s |");
            Console.WriteLine("| --- | ---: | ---: |");
            foreach (var (name, seconds) in rows)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {seconds:F1} | {trainSize / seconds:F0} |"));
            Console.WriteLine($"load average {LoadAverage()} after");
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string? InceptionDslTorchrun() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "torchrun")).FirstOrDefault(File.Exists);

    /// <summary>Seconds of the second epoch of the entry point run with <paramref name="ranks"/> processes.</summary>
    private static double PyTorch(string root, string script, string module, string data, string name, int ranks, int threads, int batchPerRank)
    {
        var output = Path.Combine(root, name);
        var options = new List<string>
        {
            script, "--module", module, "--model", "MiniInception", "--data", data, "--out", output, "--image-size", Size.ToString(CultureInfo.InvariantCulture),
            "--mean", "0.5,0.5,0.5", "--std", "0.25,0.25,0.25", "--epochs", "2", "--batch-size", batchPerRank.ToString(CultureInfo.InvariantCulture),
            "--threads", threads.ToString(CultureInfo.InvariantCulture),
        };
        var (program, arguments) = ranks == 1
            ? (Python, options)
            : (InceptionDslTorchrun() ?? "/usr/bin/torchrun", new List<string> { "--master_addr", "127.0.0.1", "--master_port", FreePort().ToString(CultureInfo.InvariantCulture), "--nproc_per_node", ranks.ToString(CultureInfo.InvariantCulture),
                "--redirects", "2", "--tee", "1", "--log_dir", Path.Combine(output + "-logs") }.Concat(options).ToList());
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{name} failed: {stdout}{stderr.Result}");
        return Trainer.ReadCheckpointInfo(output)!.History[^1].Elapsed.TotalSeconds;
    }

    /// <summary>Seconds of the second epoch of the .NET trainer on the same generated images (in memory, not decoded from PNG).</summary>
    private static double DotNet(int trainSize, int batch, int threads)
    {
        set_num_threads(threads);
        using var data = SyntheticShapes.Create(trainSize, Validation, Size, Classes, seed: 1234);
        manual_seed(0);
        using var model = new MiniInception(Classes);
        var trainer = new Trainer(model, new TrainingOptions { Epochs = 2, BatchSize = batch, Optimizer = "sgd", LearningRate = 0.05 });
        var history = trainer.Fit(data.Train, data.Validation);
        return history[^1].Elapsed.TotalSeconds;
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
