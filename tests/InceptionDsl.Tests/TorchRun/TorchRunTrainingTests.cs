using System.Globalization;
using System.Text.Json;
using InceptionDsl.Models;
using InceptionDsl.Onnx;
using InceptionDsl.Reference;
using InceptionDsl.Training;
using InceptionDsl.Training.PyTorch;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.TorchRun;

/// <summary>
/// The runs the torchrun tests share, each made once per model (a short epoch, 32x32 generated shapes): a 2-rank
/// torchrun run (gloo, one thread per rank), a 1-process run accumulating the same two per-rank micro-batches per step
/// (--accumulate 2), and a 1-process run of one micro-batch per step (the control: a different run).
/// </summary>
public sealed class TorchRunFixture : IDisposable
{
    public const int Steps = 3, BatchSize = 8, Classes = 10, Size = 32;

    private readonly Dictionary<string, Lazy<ModelRuns>> runs = new();

    public TorchRunFixture()
    {
        Folder = Directory.CreateTempSubdirectory("torchrun-tests-").FullName;
        foreach (var model in new[] { "MiniInception", "ResNet18" })
            runs[model] = new Lazy<ModelRuns>(() => Train(model), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Folder { get; }

    private readonly object dataLock = new();
    private string? dataFolder;

    /// <summary>The generated shapes as an ImageFolder (written once).</summary>
    public string Data
    {
        get
        {
            lock (dataLock)
            {
                if (dataFolder is null)
                {
                    var folder = Path.Combine(Folder, "data");
                    ShapesImageFolder.Write(folder, trainCount: 64, validationCount: 32, Size, Classes, seed: 1234);
                    dataFolder = folder;
                }
                return dataFolder;
            }
        }
    }

    public ModelRuns For(string model) => runs[model].Value;

    /// <summary>The script's options common to every run of <paramref name="model"/>.</summary>
    public List<string> Options(string model, string module, string output, int accumulate) =>
    [
        "--module", module, "--model", model, "--data", Data, "--out", output, "--image-size", Size.ToString(CultureInfo.InvariantCulture),
        "--mean", "0.5,0.5,0.5", "--std", "0.25,0.25,0.25", "--epochs", "1", "--batch-size", BatchSize.ToString(CultureInfo.InvariantCulture),
        "--max-steps", Steps.ToString(CultureInfo.InvariantCulture), "--threads", "1", "--accumulate", accumulate.ToString(CultureInfo.InvariantCulture),
        "--optimizer", "sgd", "--lr", "0.05", "--label-smoothing", "0.1",
    ];

    private ModelRuns Train(string model)
    {
        var root = Path.Combine(Folder, model);
        Directory.CreateDirectory(root);
        var script = TorchRunEnvironment.Script(root);
        var module = TorchRunEnvironment.Module(model, root);
        string Out(string name) => Path.Combine(root, name);
        var distributed = TorchRunEnvironment.Run("torchrun",
            new[] { "--master_addr", "127.0.0.1", "--master_port", InceptionDsl.Cli.Commands.TorchrunTraining.FreeLocalPort().ToString(CultureInfo.InvariantCulture), "--nproc_per_node", "2", "--redirects", "2", "--tee", "1", "--log_dir", Out("logs"), script }.Concat(Options(model, module, Out("ddp"), 1)));
        Assert.True(distributed.Exit == 0, distributed.Stdout + distributed.Stderr + Logs(Out("logs")));
        var accumulated = TorchRunEnvironment.Run(TorchRunEnvironment.Python, new[] { script }.Concat(Options(model, module, Out("accumulated"), 2)));
        Assert.True(accumulated.Exit == 0, accumulated.Stdout + accumulated.Stderr);
        var single = TorchRunEnvironment.Run(TorchRunEnvironment.Python, new[] { script }.Concat(Options(model, module, Out("single"), 1)));
        Assert.True(single.Exit == 0, single.Stdout + single.Stderr);
        return new ModelRuns(model, script, module, Out("ddp"), Out("accumulated"), Out("single"), distributed.Stdout);
    }

    private static string Logs(string folder) => Directory.Exists(folder)
        ? string.Concat(Directory.EnumerateFiles(folder, "*.log", SearchOption.AllDirectories).Select(File.ReadAllText))
        : "";

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

/// <summary>The checkpoint folders of one model's runs, and the 2-rank run's console.</summary>
public sealed record ModelRuns(string Model, string Script, string Module, string Distributed, string Accumulated, string Single, string Console)
{
    /// <summary>The weights file a run's checkpoint.json names, read by .NET.</summary>
    public static string Weights(string folder)
    {
        var info = Trainer.ReadCheckpointInfo(folder) ?? throw new InvalidOperationException($"{folder}: no checkpoint.json");
        return Path.Combine(folder, info.ModelFile);
    }
}

/// <summary>
/// <c>train --engine torchrun</c>'s entry point on this machine (CPU, gloo, 2 ranks): DistributedDataParallel equals a
/// single process accumulating the ranks' micro-batches, and its checkpoint is the .NET trainer's: the generated
/// TorchSharp model loads it strictly and exports it to ONNX, and PyTorch, TorchSharp and ONNX Runtime agree on its logits.
/// </summary>
public sealed class TorchRunTrainingTests(TorchRunFixture runs) : IClassFixture<TorchRunFixture>
{
    /// <summary>Parameters (not BatchNorm statistics: DDP keeps rank 0's, accumulation sees both micro-batches) of a checkpoint.</summary>
    private static Dictionary<string, Tensor> Parameters(string folder) =>
        CheckpointLoader.Read(ModelRuns.Weights(folder))
            .Where(p => !p.Key.EndsWith(".running_mean", StringComparison.Ordinal) && !p.Key.EndsWith(".running_var", StringComparison.Ordinal)
                && !p.Key.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
            .ToDictionary(p => p.Key, p => p.Value);

    /// <summary>The largest over tensors of max |a - b| / max |b|.</summary>
    private static double WorstRelative(Dictionary<string, Tensor> a, Dictionary<string, Tensor> b)
    {
        Assert.Equal(b.Keys.Order(StringComparer.Ordinal), a.Keys.Order(StringComparer.Ordinal));
        return b.Keys.Max(key => (a[key] - b[key]).abs().max().item<float>() / Math.Max(1e-12, b[key].abs().max().item<float>()));
    }

    [TorchRunTheory]
    [InlineData("MiniInception")]
    [InlineData("ResNet18")]
    public void TwoRanksEqualOneProcessAccumulatingTheirMicroBatches(string model)
    {
        var run = runs.For(model);
        Assert.Contains("distributed: 2 ranks (gloo, cpu), 8 images per rank = 16 per step", run.Console, StringComparison.Ordinal);
        var distributed = Parameters(run.Distributed);
        Assert.True(WorstRelative(Parameters(run.Accumulated), distributed) <= 1e-5, $"{model}: 2 ranks and --accumulate 2 differ");
        // The control: one micro-batch per step is another run, so the comparison above can fail.
        Assert.True(WorstRelative(Parameters(run.Single), distributed) > 1e-3, $"{model}: one micro-batch per step trained the same weights as two");
        foreach (var folder in new[] { run.Distributed, run.Accumulated })
            Assert.Equal(TorchRunFixture.Steps, Trainer.ReadCheckpointInfo(folder)!.Steps);
    }

    [TorchRunTheory]
    [InlineData("MiniInception")]
    [InlineData("ResNet18")]
    public void TheCheckpointLoadsIntoTorchSharpAndExportsToOnnxWithEqualLogits(string model)
    {
        var run = runs.For(model);
        var info = Trainer.ReadCheckpointInfo(run.Distributed)!;
        Assert.Equal((model, 1, 1), (info.Model, info.EpochsCompleted, info.History.Count));
        Assert.Equal(TrainingMetrics.Header, File.ReadLines(Path.Combine(run.Distributed, TrainingMetrics.CsvFile)).First());

        var entry = ModelZoo.Find(model)!;
        using var torchSharp = entry.Create(TorchRunFixture.Classes, 3, entry.HasAux);
        var loaded = CheckpointLoader.Load(torchSharp, ModelRuns.Weights(run.Distributed)); // strict: every name and shape
        Assert.Equal(torchSharp.state_dict().Count, loaded.Entries);
        torchSharp.eval();

        using var input = (arange(2 * 3 * 32 * 32, dtype: float32).reshape(2, 3, 32, 32) * 0.37f).sin();
        float[] mine;
        using (no_grad())
            mine = torchSharp.forward(input).data<float>().ToArray();
        using var onnx = new OnnxModelSession(OnnxExport.ToBytes((IOnnxExportable)torchSharp));
        var onnxLogits = onnx.Run(input.data<float>().ToArray(), [2, 3, 32, 32]);
        var pytorch = PyTorchLogits(run, input.data<float>().ToArray());

        double Relative(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max() / Math.Max(1e-12, b.Max(Math.Abs));
        Assert.Equal(2 * TorchRunFixture.Classes, mine.Length);
        Assert.True(Relative(mine, pytorch) <= 1e-4, $"{model}: TorchSharp vs PyTorch {Relative(mine, pytorch):E2}");
        Assert.True(Relative(onnxLogits, pytorch) <= 1e-4, $"{model}: ONNX Runtime vs PyTorch {Relative(onnxLogits, pytorch):E2}");
    }

    [TorchRunFact]
    public void TheDotNetTrainerResumesACheckpointOfTheTorchrunEngine()
    {
        var run = runs.For("MiniInception");
        var copy = Directory.CreateDirectory(Path.Combine(runs.Folder, "resumed-in-dotnet")).FullName;
        foreach (var file in Directory.EnumerateFiles(run.Distributed))
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        using var data = SyntheticShapes.Create(32, 16, TorchRunFixture.Size, TorchRunFixture.Classes, seed: 7);
        using var model = new MiniInception(TorchRunFixture.Classes);
        // The resume settings (classes, channels, aux heads, freeze, layer decay, drop-path, weight decay) were written by Python.
        var history = new Trainer(model, new TrainingOptions { Epochs = 2, BatchSize = 16, CheckpointDir = copy, Resume = true })
            .Fit(data.Train, data.Validation);
        Assert.Equal(new[] { 1, 2 }, history.Select(h => h.Epoch));
        Assert.Equal(Trainer.ReadCheckpointInfo(run.Distributed)!.History[0].TrainLoss, history[0].TrainLoss);
        Assert.Equal(2, Trainer.ReadCheckpointInfo(copy)!.EpochsCompleted);
    }

    /// <summary>The trained module's eval logits in PyTorch, the checkpoint read by the entry point's own safetensors reader.</summary>
    private static float[] PyTorchLogits(ModelRuns run, float[] input)
    {
        var folder = Path.GetDirectoryName(run.Script)!;
        var inputFile = Path.Combine(folder, "input.f32");
        File.WriteAllBytes(inputFile, input.SelectMany(BitConverter.GetBytes).ToArray());
        const string Code = """
            import json, sys, torch
            script_dir, module_path, model, weights, input_file = sys.argv[1:6]
            sys.path.insert(0, script_dir)
            import train_ddp
            module = train_ddp.import_module(module_path)
            net = module.create(model, num_classes=10, in_chans=3, aux=True)
            net.load_state_dict(train_ddp.load_safetensors(weights))
            net.eval()
            x = torch.frombuffer(bytearray(open(input_file, "rb").read()), dtype=torch.float32).reshape(2, 3, 32, 32)
            with torch.no_grad():
                print(json.dumps(net(x).flatten().tolist()))
            """;
        var (exit, stdout, stderr) = TorchRunEnvironment.Run(TorchRunEnvironment.Python,
            ["-c", Code, folder, run.Module, run.Model, ModelRuns.Weights(run.Distributed), inputFile]);
        Assert.True(exit == 0, stdout + stderr);
        return JsonSerializer.Deserialize<double[]>(stdout.Trim())!.Select(v => (float)v).ToArray();
    }
}
