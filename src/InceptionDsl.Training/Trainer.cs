using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Threading;
using InceptionDsl.Contracts;
using InceptionDsl.Reference;
using InceptionDsl.Training.FineTuning;
using TorchSharp;
using static TorchSharp.torch;

namespace InceptionDsl.Training;

/// <summary>Optimizer, schedule and checkpointing of a training run.</summary>
public sealed record TrainingOptions
{
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 64;
    /// <summary>"sgd" (momentum, Nesterov) or "adam".</summary>
    public string Optimizer { get; init; } = "sgd";
    public double LearningRate { get; init; } = 0.05;
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 5e-4;
    /// <summary>"cosine" (per step, to 0 over the run), "step" (x0.1 at 50% and 75% of the epochs) or "constant".</summary>
    public string Schedule { get; init; } = "cosine";
    /// <summary>Linear warm-up steps at the start of the run.</summary>
    public int WarmupSteps { get; init; }
    public int Seed { get; init; } = 0;
    /// <summary>Folder of the checkpoint written after every epoch (weights as safetensors, optimizer state, checkpoint.json, metrics.csv and metrics.png); null: none.</summary>
    public string? CheckpointDir { get; init; }
    /// <summary>Continue from the checkpoint in <see cref="CheckpointDir"/> when there is one.</summary>
    public bool Resume { get; init; }
    /// <summary>Stop after this many optimizer steps in total (tests); null: run all epochs.</summary>
    public int? MaxSteps { get; init; }
    /// <summary>Freeze the first N stages (<see cref="ModelStages"/>: 1 = the stem): no gradients, BatchNorms kept in eval.</summary>
    public int FreezeStages { get; init; }
    /// <summary>Layer-wise learning-rate decay: the head trains at the scheduled rate, each stage below at this factor more (1: off).</summary>
    public double LayerDecay { get; init; } = 1.0;
    /// <summary>Largest drop-path (stochastic depth) rate, reached by the last residual block; rising linearly from 0 (0: off).</summary>
    public double DropPath { get; init; }
    /// <summary>Label smoothing of the training loss (0: off).</summary>
    public double LabelSmoothing { get; init; }
}

/// <summary>Figures of one epoch (accuracies 0..1).</summary>
public sealed record EpochResult(int Epoch, int Epochs, double TrainLoss, double TrainTop1, double ValidationLoss, double ValidationTop1, double ValidationTop5,
    double LearningRate, TimeSpan Elapsed);

/// <summary>What the trainer reports while it runs.</summary>
public interface ITrainingObserver
{
    void EpochStarted(int epoch, int epochs, int batches) { }
    /// <summary>After every batch: running mean loss and top-1 of the epoch so far.</summary>
    void BatchCompleted(int epoch, int batch, int batches, double loss, double top1) { }
    void EpochCompleted(EpochResult result) { }
    void Resumed(int epoch, string checkpointDir) { }
}

/// <summary>The saved state: the epochs completed so far and the run it belongs to.</summary>
public sealed record CheckpointInfo(string Model, int EpochsCompleted, int Epochs, string Optimizer, long Steps, double BestValidationTop1, List<EpochResult> History)
{
    /// <summary>The weights of the last completed epoch in this folder: a safetensors file with the peer's state_dict names and dtypes.</summary>
    public string ModelFile { get; init; } = "";

    /// <summary>The optimizer state of the last completed epoch in this folder (TorchSharp's optimizer state format).</summary>
    public string OptimizerFile { get; init; } = "";

    /// <summary>The settings a resumed run must have (null in checkpoints written before they were recorded: not checked).</summary>
    public ResumeSettings? Settings { get; init; }
}

/// <summary>
/// Trains a generated model: forward with aux heads in training mode, loss = main + declared weight x each aux loss,
/// SGD or Adam with a warm-up and cosine or step schedule, evaluation (eval mode, logits only) after every epoch, and a
/// checkpoint written after every epoch that a later run resumes from.
/// </summary>
public sealed class Trainer
{
    // Runtime entry point: decide about libtorch's oneDNN on this CPU before the first convolution (docs/platform.md).
    static Trainer() => global::InceptionDsl.Platform.LibTorchGuard.EnsureApplied();

    private readonly nn.Module<Tensor, Tensor> model;
    private readonly string modelName;
    private readonly TrainingOptions options;

    public Trainer(nn.Module<Tensor, Tensor> model, TrainingOptions options)
    {
        this.model = model;
        this.options = options;
        modelName = model is IGeneratedModel m ? m.ModelInfo.Name : model.GetName();
    }

    /// <summary>The epochs of this run (resumed epochs are included from the checkpoint's history).</summary>
    public List<EpochResult> Fit(ImageDataset train, ImageDataset validation, ITrainingObserver? observer = null, CancellationToken cancellation = default)
    {
        observer ??= new NullObserver();
        manual_seed(options.Seed);
        var shuffle = new Generator((ulong)options.Seed);
        // Fine-tuning controls, derived from the model's own stages and residual blocks.
        // Read before anything changes the model: what a resumed run must match.
        var settings = ResumeSettings.Of(model, options);
        var stages = ModelStages.Of(model);
        var freezer = new StageFreezer(model, stages, options.FreezeStages);
        DropPathSchedule.SetLinear(model, options.DropPath);
        var groups = ParameterGroups.Build(model, stages, options.WeightDecay, options.LayerDecay);
        var optimizer = ParameterGroups.CreateOptimizer(options.Optimizer, groups, options.LearningRate, options.Momentum);
        int batches = train.BatchCount(options.BatchSize);
        long totalSteps = (long)batches * options.Epochs;
        int startEpoch = 1;
        long step = 0;
        var history = new List<EpochResult>();
        double best = 0;
        if (options.Resume && options.CheckpointDir is not null && TryLoadCheckpoint(options.CheckpointDir, optimizer, settings) is { } info)
        {
            startEpoch = info.EpochsCompleted + 1;
            step = info.Steps;
            history.AddRange(info.History);
            best = info.BestValidationTop1;
            // Replay the shuffles of the completed epochs so a resumed run sees the batches an uninterrupted one would.
            for (int e = 1; e < startEpoch; e++) randperm(train.Count, generator: shuffle).Dispose();
            observer.Resumed(info.EpochsCompleted, options.CheckpointDir);
        }

        for (int epoch = startEpoch; epoch <= options.Epochs; epoch++)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            // Dropout and drop-path draw from a generator seeded per epoch: a resumed run draws what an uninterrupted one would.
            manual_seed(options.Seed * 1_000_003L + epoch);
            model.train();
            freezer.KeepFrozenNormsInEval();
            observer.EpochStarted(epoch, options.Epochs, batches);
            double lossSum = 0;
            long correct = 0, seen = 0;
            int batch = 0;
            double lr = options.LearningRate;
            foreach (var (images, labels) in train.Batches(options.BatchSize, shuffle))
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                lr = LearningRateAt(step, totalSteps, batches);
                int g = 0;
                foreach (var group in optimizer.ParamGroups) group.LearningRate = lr * groups[g++].LearningRateScale;
                optimizer.zero_grad();
                var (loss, logits) = TrainingStepLoss(images, labels);
                loss.backward();
                optimizer.step();
                step++;
                batch++;
                long n = labels.shape[0];
                lossSum += loss.item<float>() * n;
                correct += Accuracy.CorrectTopK(logits, labels, 1);
                seen += n;
                observer.BatchCompleted(epoch, batch, batches, lossSum / seen, (double)correct / seen);
                if (options.MaxSteps is { } max && step >= max) break;
            }
            var (valLoss, top1, top5) = Evaluate(validation, options.BatchSize);
            var result = new EpochResult(epoch, options.Epochs, lossSum / Math.Max(1, seen), (double)correct / Math.Max(1, seen), valLoss, top1, top5, lr, watch.Elapsed);
            history.Add(result);
            best = Math.Max(best, top1);
            if (options.CheckpointDir is not null)
            {
                SaveCheckpoint(options.CheckpointDir, optimizer, new CheckpointInfo(modelName, epoch, options.Epochs, options.Optimizer, step, best, history) { Settings = settings });
                TrainingMetrics.Write(options.CheckpointDir, history);
            }
            observer.EpochCompleted(result);
            if (options.MaxSteps is { } maxSteps && step >= maxSteps) break;
        }
        return history;
    }

    /// <summary>The loss of one training batch (aux heads included when the model has them; labels smoothed as the options say) and the main logits.</summary>
    public (Tensor Loss, Tensor Logits) TrainingStepLoss(Tensor images, Tensor labels)
    {
        Func<Tensor, Tensor, Tensor> criterion = options.LabelSmoothing > 0
            ? (logits, target) => nn.functional.cross_entropy(logits, target, label_smoothing: options.LabelSmoothing)
            : AuxiliaryLoss.CrossEntropy;
        if (model is IGeneratedModel generated)
        {
            var output = generated.ForwardHeads(images, computeAux: true);
            var loss = AuxiliaryLoss.Compute(generated, output, labels, criterion);
            return (loss.Total, output.Logits);
        }
        var logits = model.forward(images);
        return (criterion(logits, labels), logits);
    }

    /// <summary>Mean loss, top-1 and top-5 of the main classifier in eval mode (aux heads not computed).</summary>
    public (double Loss, double Top1, double Top5) Evaluate(ImageDataset data, int batchSize)
    {
        model.eval();
        using var noGrad = no_grad();
        double lossSum = 0;
        long top1 = 0, top5 = 0;
        foreach (var (images, labels) in data.Batches(batchSize))
        {
            using var scope = NewDisposeScope();
            var logits = model.forward(images);
            lossSum += AuxiliaryLoss.CrossEntropy(logits, labels).item<float>() * labels.shape[0];
            top1 += Accuracy.CorrectTopK(logits, labels, 1);
            top5 += Accuracy.CorrectTopK(logits, labels, 5);
        }
        double count = Math.Max(1, data.Count);
        return (lossSum / count, top1 / count, top5 / count);
    }

    /// <summary>Warm-up, then the schedule: cosine to 0 per step, or x0.1 at half and three quarters of the run.</summary>
    public double LearningRateAt(long step, long totalSteps, int stepsPerEpoch)
    {
        double lr = options.LearningRate;
        if (options.WarmupSteps > 0 && step < options.WarmupSteps)
            return lr * (step + 1) / options.WarmupSteps;
        switch (options.Schedule.ToLowerInvariant())
        {
            case "cosine":
                long span = Math.Max(1, totalSteps - options.WarmupSteps);
                double t = Math.Min(1.0, (double)(step - options.WarmupSteps) / span);
                return lr * 0.5 * (1 + Math.Cos(Math.PI * t));
            case "step":
                double epoch = (double)step / Math.Max(1, stepsPerEpoch);
                if (epoch >= options.Epochs * 0.75) return lr * 0.01;
                if (epoch >= options.Epochs * 0.5) return lr * 0.1;
                return lr;
            case "constant":
                return lr;
            default:
                throw new ArgumentException($"Unknown schedule '{options.Schedule}' (cosine, step, constant).");
        }
    }

    /// <summary>The checkpoint description in a checkpoint folder; written last, it names the epoch's weights and optimizer files.</summary>
    public const string InfoFile = "checkpoint.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>
    /// Writes the epoch's weights (safetensors, the peer's names and dtypes) and optimizer state under names of their own,
    /// then checkpoint.json naming them (moved into place: the commit), then removes the previous epoch's files. Stopped at
    /// any point, the folder's checkpoint.json names a complete pair.
    /// </summary>
    private void SaveCheckpoint(string dir, optim.Optimizer optimizer, CheckpointInfo info)
    {
        Directory.CreateDirectory(dir);
        var previous = ReadCheckpointInfo(dir);
        string tag = $"epoch{info.EpochsCompleted:D3}";
        info = info with { ModelFile = $"model-{tag}.safetensors", OptimizerFile = $"optimizer-{tag}.dat" };
        CheckpointLoader.Save(model, Path.Combine(dir, info.ModelFile));
        SafeFiles.WriteWhole(Path.Combine(dir, info.OptimizerFile), (string temporary) => ((TorchSharp.Modules.OptimizerHelper)optimizer).save_state_dict(temporary));
        SafeFiles.WriteWhole(Path.Combine(dir, InfoFile), (string temporary) => File.WriteAllText(temporary, JsonSerializer.Serialize(info, Json)));
        if (previous is not null)
            foreach (var stale in new[] { previous.ModelFile, previous.OptimizerFile })
                if (stale.Length > 0 && stale != info.ModelFile && stale != info.OptimizerFile && Path.GetFileName(stale) == stale)
                    File.Delete(Path.Combine(dir, stale));
    }

    /// <summary>Reads checkpoint.json of a folder, or null when there is none.</summary>
    public static CheckpointInfo? ReadCheckpointInfo(string dir)
    {
        var path = Path.Combine(dir, InfoFile);
        if (!File.Exists(path))
            return null;
        try
        {
            SafeFiles.RequireInput(path);
            return JsonSerializer.Deserialize<CheckpointInfo>(File.ReadAllText(path))
                ?? throw new InvalidDataException($"{path}: holds null, not a checkpoint description");
        }
        catch (JsonException error)
        {
            // Where and what, without System.Text.Json's 0-based position suffix.
            var message = error.Message;
            int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
            if (cut > 0) message = message.Substring(0, cut);
            throw new InvalidDataException($"{path}({(error.LineNumber ?? 0) + 1},{(error.BytePositionInLine ?? 0) + 1}): not a checkpoint.json written by train{(error.Path is null ? "" : $" (at {error.Path})")}: {message}", error);
        }
    }

    private CheckpointInfo? TryLoadCheckpoint(string dir, optim.Optimizer optimizer, ResumeSettings settings)
    {
        var info = ReadCheckpointInfo(dir);
        if (info is null) return null;
        // Every difference at once, before anything is loaded.
        var changes = new List<ResumeSettingChange>();
        if (info.Model != modelName)
            changes.Add(new ResumeSettingChange("Model", info.Model, modelName));
        if (info.Settings is { } stored)
            changes.AddRange(stored.ChangesTo(settings));
        if (changes.Count > 0)
            throw new ResumeSettingsException(dir, changes);
        if (info.ModelFile.Length == 0 || Path.GetFileName(info.ModelFile) != info.ModelFile || Path.GetFileName(info.OptimizerFile) != info.OptimizerFile)
            throw new InvalidDataException($"{Path.Combine(dir, InfoFile)}: names no weights file of this folder (ModelFile '{info.ModelFile}')");
        var modelPath = Path.Combine(dir, info.ModelFile);
        try
        {
            CheckpointLoader.Load(model, modelPath);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            var reason = error.Message.Split('\n')[0].Trim();
            throw new InvalidDataException($"{modelPath}: cannot load the checkpoint's weights into {modelName}: {reason}", error);
        }

        var optimizerPath = Path.Combine(dir, info.OptimizerFile);
        // A checkpoint of the torchrun engine holds PyTorch's optimizer state (optimizer-*.pt), which TorchSharp cannot read:
        // the weights continue and the optimizer's moments restart, as when the optimizer changes.
        if (File.Exists(optimizerPath) && string.Equals(info.Optimizer, options.Optimizer, StringComparison.OrdinalIgnoreCase)
            && optimizerPath.EndsWith(".dat", StringComparison.Ordinal))
            ((TorchSharp.Modules.OptimizerHelper)optimizer).load_state_dict(optimizerPath);
        return info;
    }

    private sealed class NullObserver : ITrainingObserver { }
}
