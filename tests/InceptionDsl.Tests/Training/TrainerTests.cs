using InceptionDsl.Models;
using InceptionDsl.Training;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Training;

/// <summary>A short real training run of MiniInception on the generated shapes, and checkpoint resume.</summary>
public sealed class TrainerTests
{
    // Small enough for CI: 16x16 images, 4 classes (chance 25 %), the easy setting (little noise, strong contrast), 45 steps.
    private static DatasetSplits SmallData() =>
        SyntheticShapes.Create(trainCount: 480, validationCount: 160, size: 16, classes: 4, seed: 5, maxNoise: 0.1f, minContrast: 0.35f, shading: 0);

    private static TrainingOptions Options(string? checkpoint = null, int epochs = 3) => new()
    {
        Epochs = epochs, BatchSize = 32, Optimizer = "adam", LearningRate = 0.003, WeightDecay = 0, Schedule = "constant",
        CheckpointDir = checkpoint, Seed = 0,
    };

    [Fact]
    public void TrainingLowersTheLossAndBeatsChance()
    {
        using var data = SmallData();
        manual_seed(0);
        using var model = new MiniInception(numClasses: 4);
        var trainer = new Trainer(model, Options());
        var (initialLoss, initialTop1, _) = trainer.Evaluate(data.Validation, 64);

        var history = trainer.Fit(data.Train, data.Validation);

        Assert.Equal(3, history.Count);
        Assert.True(history[^1].TrainLoss < history[0].TrainLoss, $"train loss {history[0].TrainLoss:F3} -> {history[^1].TrainLoss:F3}");
        Assert.True(history[^1].ValidationTop1 > 0.40, $"validation top-1 {history[^1].ValidationTop1:P1} (chance 25 %, before training {initialTop1:P1}); " +
            $"validation loss {initialLoss:F3} -> {history[^1].ValidationLoss:F3}");
        Assert.Equal(1.0, history[^1].ValidationTop5); // 4 classes: the top 5 hold every class
    }

    [Fact]
    public void CheckpointIsWrittenEveryEpochAndResumed()
    {
        var dir = Path.Combine(Path.GetTempPath(), "inceptiondsl-ckpt-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var data = SyntheticShapes.Create(trainCount: 64, validationCount: 32, size: 16, classes: 4, seed: 6);
            manual_seed(0);
            using (var model = new MiniInception(numClasses: 4))
                new Trainer(model, Options(dir, epochs: 1)).Fit(data.Train, data.Validation);
            var info = Trainer.ReadCheckpointInfo(dir);
            Assert.NotNull(info);
            Assert.Equal(("MiniInception", 1, 2L), (info!.Model, info.EpochsCompleted, info.Steps));
            Assert.True(File.Exists(Path.Combine(dir, info.ModelFile)) && File.Exists(Path.Combine(dir, info.OptimizerFile)));

            // A new model resumes: the saved weights give the saved validation figures, and only epoch 2 runs.
            manual_seed(123);
            using var resumed = new MiniInception(numClasses: 4);
            var trainer = new Trainer(resumed, Options(dir, epochs: 2) with { Resume = true });
            var history = trainer.Fit(data.Train, data.Validation);
            Assert.Equal(new[] { 1, 2 }, history.Select(h => h.Epoch));
            Assert.Equal(info.History[0], history[0]);
            Assert.Equal((2, 4L), (Trainer.ReadCheckpointInfo(dir)!.EpochsCompleted, Trainer.ReadCheckpointInfo(dir)!.Steps));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
