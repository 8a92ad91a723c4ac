using InceptionDsl.Models;
using InceptionDsl.Reference;
using InceptionDsl.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.FineTuning;

/// <summary>Tests that compare runs exactly: torch's global generator (dropout, drop-path) must not be shared with tests running alongside.</summary>
[CollectionDefinition(nameof(GlobalRandomCollection), DisableParallelization = true)]
public sealed class GlobalRandomCollection;

/// <summary>Resuming gives what not stopping gives; a run cancelled mid-epoch leaves the last epoch's checkpoint whole.</summary>
[Collection(nameof(GlobalRandomCollection))]
public sealed class ResumeTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "inceptiondsl-resume-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    private static DatasetSplits Data() => SyntheticShapes.Create(trainCount: 96, validationCount: 32, size: 16, classes: 4, seed: 11);

    // Dropout (MiniInception has two), momentum, label smoothing, a warm-up and the cosine schedule all carry state across epochs.
    private TrainingOptions Options(string name, string schedule) => new()
    {
        Epochs = 2, BatchSize = 32, Optimizer = "sgd", LearningRate = 0.05, Schedule = schedule, WarmupSteps = 2, LabelSmoothing = 0.1,
        Seed = 4, CheckpointDir = Path.Combine(root, name),
    };

    private static MiniInception NewModel()
    {
        manual_seed(0);
        return new MiniInception(numClasses: 4);
    }

    private static void AssertSameWeights(nn.Module expected, nn.Module actual)
    {
        var a = expected.state_dict();
        var b = actual.state_dict();
        Assert.Equal(a.Keys, b.Keys);
        foreach (var key in a.Keys)
            Assert.True(a[key].allclose(b[key], rtol: 0, atol: 1e-6), $"{key}: max |diff| {(a[key].to_type(ScalarType.Float64) - b[key].to_type(ScalarType.Float64)).abs().max().item<double>():E3}");
    }

    [Fact]
    public void OneEpochThenResumingOneEqualsTwoStraight()
    {
        using var data = Data();
        using var straight = NewModel();
        var straightHistory = new Trainer(straight, Options("straight", "constant")).Fit(data.Train, data.Validation);

        using (var first = NewModel())
            new Trainer(first, Options("split", "constant") with { Epochs = 1 }).Fit(data.Train, data.Validation);
        using var resumed = NewModel();
        var history = new Trainer(resumed, Options("split", "constant") with { Resume = true }).Fit(data.Train, data.Validation);

        AssertSameWeights(straight, resumed);
        Assert.Equal(straightHistory[1].ValidationTop1, history[1].ValidationTop1);
        Assert.Equal(straightHistory[1].TrainLoss, history[1].TrainLoss, 6);
    }

    [Fact]
    public void CancellingMidEpochLeavesTheLastEpochsCheckpointAndResumingFinishesTheSameRun()
    {
        using var data = Data();
        using var straight = NewModel();
        new Trainer(straight, Options("straight", "cosine")).Fit(data.Train, data.Validation);

        var dir = Options("cancelled", "cosine").CheckpointDir!;
        using (var interrupted = NewModel())
        {
            using var cancel = new CancellationTokenSource();
            var observer = new CancelAt(epoch: 2, batch: 2, cancel);
            Assert.ThrowsAny<OperationCanceledException>(() => new Trainer(interrupted, Options("cancelled", "cosine")).Fit(data.Train, data.Validation, observer, cancel.Token));
        }

        // The folder holds epoch 1, whole: its weights load strictly, as safetensors with the peer's names and dtypes.
        var info = Trainer.ReadCheckpointInfo(dir)!;
        Assert.Equal((1, 3L), (info.EpochsCompleted, info.Steps));
        Assert.Equal(new[] { TrainingMetrics.CsvFile, TrainingMetrics.PlotFile, Trainer.InfoFile, info.ModelFile, info.OptimizerFile }.Order(),
            Directory.GetFiles(dir).Select(Path.GetFileName).Order());
        using (var check = new MiniInception(numClasses: 4))
            Assert.Equal(check.state_dict().Count, CheckpointLoader.Load(check, Path.Combine(dir, info.ModelFile)).Entries);
        var dtypes = SafetensorsDTypes(Path.Combine(dir, info.ModelFile));
        Assert.Equal("I64", dtypes["conv1.bn.num_batches_tracked"]);
        Assert.Equal("F32", dtypes["conv1.conv.weight"]);

        using var resumed = NewModel();
        new Trainer(resumed, Options("cancelled", "cosine") with { Resume = true }).Fit(data.Train, data.Validation);
        AssertSameWeights(straight, resumed);
        Assert.Equal(2, Trainer.ReadCheckpointInfo(dir)!.EpochsCompleted);
        Assert.False(File.Exists(Path.Combine(dir, info.ModelFile)), "the previous epoch's weights are removed once the next is committed");
    }

    [Fact]
    public void MetricsAreACsvRowPerEpochAndAPlot()
    {
        using var data = Data();
        using var model = NewModel();
        var history = new Trainer(model, Options("metrics", "cosine")).Fit(data.Train, data.Validation);
        var dir = Options("metrics", "cosine").CheckpointDir!;
        var lines = File.ReadAllLines(Path.Combine(dir, TrainingMetrics.CsvFile));
        Assert.Equal(TrainingMetrics.Header, lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.Equal(history[1].ValidationTop1, double.Parse(lines[2].Split(',')[4], System.Globalization.CultureInfo.InvariantCulture), 5);
        var png = File.ReadAllBytes(Path.Combine(dir, TrainingMetrics.PlotFile));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png.Take(4));
        Assert.True(png.Length > 5000, $"{png.Length} bytes");
    }

    private static Dictionary<string, string> SafetensorsDTypes(string path)
    {
        var bytes = File.ReadAllBytes(path);
        long length = BitConverter.ToInt64(bytes, 0);
        using var header = System.Text.Json.JsonDocument.Parse(bytes.AsMemory(8, (int)length));
        return header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__")
            .ToDictionary(p => p.Name, p => p.Value.GetProperty("dtype").GetString()!);
    }

    private sealed class CancelAt(int epoch, int batch, CancellationTokenSource cancel) : ITrainingObserver
    {
        public void BatchCompleted(int e, int b, int batches, double loss, double top1)
        {
            if (e == epoch && b == batch)
                cancel.Cancel();
        }
    }
}
