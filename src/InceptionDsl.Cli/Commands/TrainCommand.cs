using System.ComponentModel;
using InceptionDsl.Models;
using InceptionDsl.Reference;
using InceptionDsl.Training;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace InceptionDsl.Cli.Commands;

/// <summary>
/// Trains a zoo model (or a spec file's model) on the generated shapes dataset or an ImageFolder, with aux-head loss,
/// SGD/Adam and a learning-rate schedule, a checkpoint per epoch (resumable), and validation top-1/top-5.
/// </summary>
public sealed class TrainCommand : Command<TrainCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<MODEL>")]
        [Description("A zoo model name (e.g. MiniInception) or a spec file (*.inception.yaml).")]
        public string Model { get; init; } = "";

        // --variant: the option's name before every command took --model.
        [CommandOption("--model|--variant <NAME>")]
        [Description("The model of a spec file that declares several.")]
        public string? Variant { get; init; }

        [CommandOption("--data <DIR>")]
        [Description("An ImageFolder (one subfolder per class; or train/ and val/ holding those). Default: the generated shapes dataset.")]
        public string? Data { get; init; }

        [CommandOption("--val-fraction <F>")]
        [Description("ImageFolder without train/ and val/: fraction of each class held out for validation (default 0.2).")]
        public double ValidationFraction { get; init; } = 0.2;

        [CommandOption("--train-size <N>")]
        [Description("Generated dataset: training images (default 5000).")]
        public int TrainSize { get; init; } = 5000;

        [CommandOption("--val-size <N>")]
        [Description("Generated dataset: validation images (default 1000).")]
        public int ValidationSize { get; init; } = 1000;

        [CommandOption("--classes <N>")]
        [Description("Generated dataset: number of classes, 2..10 (default 10).")]
        public int Classes { get; init; } = 10;

        [CommandOption("--image-size <PX>")]
        [Description("Input size (default: the model's input size from its spec).")]
        public int? ImageSize { get; init; }

        [CommandOption("--epochs <N>")]
        [Description("Epochs (default 10).")]
        public int Epochs { get; init; } = 10;

        [CommandOption("--batch-size|--batch <N>")]
        [Description("Batch size (default 64).")]
        public int BatchSize { get; init; } = 64;

        [CommandOption("--optimizer <NAME>")]
        [Description("sgd (momentum 0.9, Nesterov), adam or adamw (default sgd).")]
        public string Optimizer { get; init; } = "sgd";

        [CommandOption("--lr <RATE>")]
        [Description("Peak learning rate (default 0.05 for sgd, 0.002 for adam).")]
        public double? LearningRate { get; init; }

        [CommandOption("--schedule <NAME>")]
        [Description("cosine (default), step (x0.1 at 50% and 75%) or constant.")]
        public string Schedule { get; init; } = "cosine";

        [CommandOption("--warmup <STEPS>")]
        [Description("Linear warm-up steps (default: a tenth of the run, at most 100).")]
        public int? Warmup { get; init; }

        [CommandOption("--weight-decay|--wd <W>")]
        [Description("Weight decay of weights (default 5e-4); norms and biases never decay.")]
        public double WeightDecay { get; init; } = 5e-4;

        [CommandOption("--no-aux")]
        [Description("Build the model without its auxiliary heads.")]
        public bool NoAux { get; init; }

        [CommandOption("--checkpoint|--out <DIR>")]
        [Description("Output folder: weights (safetensors) and optimizer state after every epoch, checkpoint.json, metrics.csv and metrics.png (default checkpoints/<model>).")]
        public string? Checkpoint { get; init; }

        [CommandOption("--resume")]
        [Description("Continue from the checkpoint in the checkpoint folder.")]
        public bool Resume { get; init; }

        [CommandOption("--weights <FILE>")]
        [Description("Start from these weights (safetensors or torch.save state_dict, e.g. a peer's pretrained file): another class count re-initialises the head, other input channels adapt the first convolution as timm does. NAME=FILE takes an entry of the model's weights catalogue (inceptiondsl weights MODEL): the file must have its SHA-256, and an image folder gets its preprocessing.")]
        public string? Weights { get; init; }

        [CommandOption("--weights-sha256 <HEX>")]
        [Description("Refuse --weights unless its SHA-256 starts with these hex digits (8 to 64).")]
        public string? WeightsSha256 { get; init; }

        [CommandOption("--channels <N>")]
        [Description("Input channels of the model: 3 (RGB) or 1 (gray: images are converted to luma). Default: the spec's.")]
        public int? Channels { get; init; }

        [CommandOption("--first-class <K>")]
        [Description("Generated dataset: use shapes K .. K + classes - 1, a task with other classes (default 0).")]
        public int FirstClass { get; init; }

        [CommandOption("--freeze <N>")]
        [Description("Freeze the first N stages (1 = the stem; stages as the model's feature stages): no gradients, BatchNorms kept in eval (default 0).")]
        public int Freeze { get; init; }

        [CommandOption("--layer-decay <F>")]
        [Description("Layer-wise learning-rate decay: each stage below the head trains at F times the rate of the one above (default 1: off).")]
        public double LayerDecay { get; init; } = 1.0;

        [CommandOption("--drop-path <R>")]
        [Description("Stochastic depth on residual additions: rate rising linearly from 0 to R at the last residual block, off in evaluation (default 0).")]
        public double DropPath { get; init; }

        [CommandOption("--label-smoothing <S>")]
        [Description("Label smoothing of the training loss, 0 to below 1 (default 0).")]
        public double LabelSmoothing { get; init; }

        [CommandOption("--seed <N>")]
        [Description("Seed of the weights, the shuffling and the generated dataset (default 0).")]
        public int Seed { get; init; }

        [CommandOption("--threads <N>")]
        [Description("Torch CPU threads (default: torch's choice).")]
        public int? Threads { get; init; }

        [CommandOption("--engine <NAME>")]
        [Description("torchsharp (default: this process, TorchSharp) or torchrun: emit the PyTorch module and train_ddp.py into the output folder and launch the installed torchrun (DistributedDataParallel; docs/training.md).")]
        public string Engine { get; init; } = "torchsharp";

        [CommandOption("--nproc-per-node <N>")]
        [Description("--engine torchrun: processes (ranks) on this machine, one per GPU on CUDA (default 1).")]
        public int? ProcessesPerNode { get; init; }

        [CommandOption("--nnodes <N>")]
        [Description("--engine torchrun: machines in the run (default 1); each runs the same command with its --node-rank.")]
        public int? Nodes { get; init; }

        [CommandOption("--node-rank <R>")]
        [Description("--engine torchrun: this machine's place, 0 .. nnodes - 1 (default 0; node 0 hosts the rendezvous).")]
        public int? NodeRank { get; init; }

        [CommandOption("--master-addr <HOST>")]
        [Description("--engine torchrun: address of node 0, which every node reaches (default: this machine alone, a free port).")]
        public string? MasterAddress { get; init; }

        [CommandOption("--master-port <PORT>")]
        [Description("--engine torchrun: port of the rendezvous on node 0 (default 29500 with --master-addr).")]
        public int? MasterPort { get; init; }

        [CommandOption("--module <FILE>")]
        [Description("--engine torchrun: train this PyTorch module (as emit --target pytorch writes it, e.g. an edited copy) instead of emitting one from the spec.")]
        public string? Module { get; init; }

        [CommandOption("--accumulate <N>")]
        [Description("--engine torchrun: micro-batches per optimizer step, gradients accumulated (default 1); N ranks with --accumulate A step as N x A ranks would.")]
        public int? Accumulate { get; init; }

        /// <summary>Whether training runs in PyTorch under torchrun rather than in this process.</summary>
        public bool UsesTorchrun => string.Equals(Engine, "torchrun", StringComparison.OrdinalIgnoreCase);

        // Ranges of the numeric options, checked before anything is built or read (a learning rate of 1e308 is finite
        // but turns every weight into NaN at the first step; docs/cli.md lists them).
        public const int MaxEpochs = 100_000, MaxBatchSize = 65_536, MaxWarmup = 10_000_000, MaxThreads = 1024;
        public const double MaxLearningRate = 10;

        /// <summary>The largest --image-size.</summary>
        public const int MaxImageSize = 1024;

        /// <summary>The most memory the generated dataset may take (float32 pixels of both splits).</summary>
        public const long MaxGeneratedBytes = 4L << 30;

        /// <summary>The first option given that only the torchrun engine takes, or null.</summary>
        private string? TorchrunOnlyOption() =>
            ProcessesPerNode is not null ? "--nproc-per-node" : Nodes is not null ? "--nnodes" : NodeRank is not null ? "--node-rank"
            : MasterAddress is not null ? "--master-addr" : MasterPort is not null ? "--master-port" : Module is not null ? "--module"
            : Accumulate is not null ? "--accumulate" : null;

        /// <summary>Every option checked before anything is built: the first bad one, with its range.</summary>
        public override ValidationResult Validate()
        {
            static bool Finite(double value) => double.IsFinite(value);
            string? error =
                Engine.ToLowerInvariant() is not ("torchsharp" or "torchrun") ? $"--engine must be torchsharp or torchrun, not '{Engine}'"
                : !UsesTorchrun && TorchrunOnlyOption() is { } only ? $"{only} goes with --engine torchrun"
                : UsesTorchrun && TorchrunTraining.Problem(this) is { } torchrun ? torchrun
                : Epochs is < 1 or > MaxEpochs ? $"--epochs must be between 1 and {MaxEpochs}, not {Epochs}"
                : BatchSize is < 1 or > MaxBatchSize ? $"--batch-size must be between 1 and {MaxBatchSize}, not {BatchSize}"
                : TrainSize is < 1 or > 1_000_000 ? $"--train-size must be between 1 and 1000000, not {TrainSize}"
                : ValidationSize is < 1 or > 1_000_000 ? $"--val-size must be between 1 and 1000000, not {ValidationSize}"
                : Classes is < 2 or > 10 ? $"--classes must be between 2 and 10 (the generated shapes), not {Classes}"
                : FirstClass < 0 || FirstClass + Classes > 10 ? $"--first-class {FirstClass} with --classes {Classes} goes past the 10 generated shapes"
                : Channels is not (null or 1 or 3) ? $"--channels must be 1 or 3, not {Channels}"
                : Freeze < 0 ? $"--freeze must be 0 or more, not {Freeze}"
                : !Finite(LayerDecay) || LayerDecay <= 0 || LayerDecay > 1 ? $"--layer-decay must be above 0 and at most 1, not {LayerDecay}"
                : !Finite(DropPath) || DropPath < 0 || DropPath >= 1 ? $"--drop-path must be at least 0 and below 1, not {DropPath}"
                : !Finite(LabelSmoothing) || LabelSmoothing < 0 || LabelSmoothing >= 1 ? $"--label-smoothing must be at least 0 and below 1, not {LabelSmoothing}"
                : Weights is not null && SafeFiles.InputProblem(TrainWeights.Parse(Weights).Path) is { } noWeights ? $"--weights {Weights}: {noWeights}"
                : WeightsSha256 is not null && Weights is null ? "--weights-sha256 needs --weights"
                : WeightsSha256 is not null && TrainWeights.Parse(Weights!).EntryName is not null ? "--weights-sha256 goes with a plain file: a catalogue entry (NAME=FILE) has its own SHA-256"
                : ImageSize is < 8 or > MaxImageSize ? $"--image-size must be between 8 and {MaxImageSize}, not {ImageSize}"
                : !Finite(ValidationFraction) || ValidationFraction <= 0 || ValidationFraction >= 1 ? $"--val-fraction must be between 0 and 1 (exclusive), not {ValidationFraction}"
                : LearningRate is { } lr && (!Finite(lr) || lr <= 0 || lr > MaxLearningRate) ? $"--lr must be above 0 and at most {MaxLearningRate}, not {lr}"
                : Warmup is < 0 or > MaxWarmup ? $"--warmup must be between 0 and {MaxWarmup}, not {Warmup}"
                : !Finite(WeightDecay) || WeightDecay < 0 || WeightDecay > 1 ? $"--weight-decay must be between 0 and 1, not {WeightDecay}"
                : Threads is < 1 or > MaxThreads ? $"--threads must be between 1 and {MaxThreads}, not {Threads}"
                : Optimizer.ToLowerInvariant() is not ("sgd" or "adam" or "adamw") ? $"--optimizer must be sgd, adam or adamw, not '{Optimizer}'"
                : Schedule.ToLowerInvariant() is not ("cosine" or "step" or "constant") ? $"--schedule must be cosine, step or constant, not '{Schedule}'"
                : Data is not null && !Directory.Exists(Data) ? $"--data {Data}: {(File.Exists(Data) ? "is a file; give an ImageFolder (one subfolder per class)" : "folder not found")}"
                : Checkpoint is not null && SafeFiles.FolderProblem(Checkpoint) is { } notFolder ? $"--checkpoint {Checkpoint}: {notFolder} (the checkpoint is a folder)"
                : Data is null && (TrainSize + (long)ValidationSize) * 3 * 4 * (long)(ImageSize ?? 32) * (ImageSize ?? 32) > MaxGeneratedBytes
                    ? $"the generated dataset ({TrainSize} + {ValidationSize} images of {ImageSize ?? 32}x{ImageSize ?? 32}) would take more than {MaxGeneratedBytes >> 30} GiB; lower --train-size or --image-size"
                : null;
            return error is null ? ValidationResult.Success() : ValidationResult.Error(error);
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.UsesTorchrun)
            return TorchrunTraining.Run(settings, cancellationToken);
        if (settings.Threads is { } threads) set_num_threads(threads);
        if (!TryResolveModel(settings, out var name, out var inChannels, out var size, out var hasAux, out var create))
            return 1;
        int imageSize = settings.ImageSize ?? size;
        var checkpointDir = settings.Checkpoint ?? Path.Combine("checkpoints", name);
        inChannels = settings.Channels ?? inChannels;
        if (inChannels is not (1 or 3))
        {
            Console.Error.WriteLine($"error: {name} takes {inChannels} input channels; images give 1 (--channels 1) or 3.");
            return 1;
        }

        var weights = settings.Weights is null ? null : TrainWeights.Parse(settings.Weights);
        string? entryError = null;
        var entry = weights?.Resolve(name, out entryError);
        if (entryError is not null)
        {
            Console.Error.WriteLine("error: " + entryError);
            return 1;
        }

        DatasetSplits loaded;
        try
        {
            // An image folder gets the catalogue entry's preprocessing (size, crop, interpolation, mean, std) unless --image-size overrides.
            var preprocessing = entry is not null && settings.ImageSize is null
                ? entry.ImagePreprocessing((int)inChannels)
                : ImagePreprocessing.ImageNet(imageSize, imageSize, (int)inChannels);
            loaded = settings.Data is null
                ? SyntheticShapes.Create(settings.TrainSize, settings.ValidationSize, imageSize, settings.Classes, seed: 1234 + settings.Seed, firstClass: settings.FirstClass)
                : ImageFolder.LoadSplits(settings.Data, preprocessing, settings.ValidationFraction, seed: 1234 + settings.Seed);
        }
        catch (Exception error) when (error is InvalidDataException or DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine("error: " + error.Message);
            return 1;
        }

        if (settings.Data is null && inChannels == 1)
        {
            var gray = SyntheticShapes.ToGray(loaded);
            loaded.Dispose();
            loaded = gray;
        }

        using var data = loaded;
        if (data.Train.Count == 0 || data.Validation.Count == 0)
        {
            AnsiConsole.MarkupLine("[red]The dataset has no training or no validation images.[/]");
            return 1;
        }

        try
        {
            // Made before training (after the data is read), not after the first epoch: a place that cannot hold it fails before any training.
            Directory.CreateDirectory(checkpointDir);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: cannot create the checkpoint folder {checkpointDir}: {error.Message}");
            return 1;
        }

        manual_seed(settings.Seed);
        using var model = create(data.Train.Classes.Count, inChannels, hasAux && !settings.NoAux);
        if (weights is not null && !TryLoadWeights(model, weights.Path, entry?.Sha256 ?? settings.WeightsSha256, entry))
            return 1;
        var stages = InceptionDsl.Training.FineTuning.ModelStages.Of(model);
        if (settings.Freeze > stages.Count - 1)
        {
            Console.Error.WriteLine($"error: --freeze {settings.Freeze}: {name} has {stages.Count - 1} stages below its head ({string.Join(", ", stages.Take(stages.Count - 1).Select(g => g.Name))})");
            return 1;
        }
        var options = new TrainingOptions
        {
            Epochs = settings.Epochs,
            BatchSize = settings.BatchSize,
            Optimizer = settings.Optimizer,
            LearningRate = settings.LearningRate ?? (settings.Optimizer.StartsWith("adam", StringComparison.OrdinalIgnoreCase) ? 0.002 : 0.05),
            Schedule = settings.Schedule,
            WarmupSteps = settings.Warmup ?? Math.Min(100, data.Train.BatchCount(settings.BatchSize) * settings.Epochs / 10),
            WeightDecay = settings.WeightDecay,
            Seed = settings.Seed,
            CheckpointDir = checkpointDir,
            Resume = settings.Resume,
            FreezeStages = settings.Freeze,
            LayerDecay = settings.LayerDecay,
            DropPath = settings.DropPath,
            LabelSmoothing = settings.LabelSmoothing,
        };
        long parameters = model.parameters().Sum(p => p.numel());
        var heads = model is InceptionDsl.Contracts.IGeneratedModel m && m.ModelInfo.AuxHeads.Count > 0 && hasAux && !settings.NoAux
            ? string.Join(", ", m.ModelInfo.AuxHeads.Select(h => $"{h.Name} x {h.LossWeight}"))
            : "none";
        Console.WriteLine($"{name}: {parameters:N0} parameters, aux heads: {heads}");
        Console.WriteLine($"data: {CliText.Plain(data.Description)}");
        Console.WriteLine(($"{options.Optimizer} lr {options.LearningRate} ({options.Schedule}, warm-up {options.WarmupSteps} steps), batch {options.BatchSize}, " +
            $"{options.Epochs} epochs, checkpoint {CliText.Plain(options.CheckpointDir)}{(options.Resume ? " (resume)" : "")}"));

        var residualBlocks = InceptionDsl.Training.FineTuning.DropPathSchedule.Sites(model).Count;
        Console.WriteLine($"fine-tuning: stages {string.Join(" | ", stages.Select(g => g.Name))}; frozen: {(settings.Freeze == 0 ? "none" : string.Join(", ", stages.Take(settings.Freeze).Select(g => g.Name)))}; "
            + $"layer decay {settings.LayerDecay}; drop-path {settings.DropPath} over {residualBlocks} residual block{(residualBlocks == 1 ? "" : "s")}; label smoothing {settings.LabelSmoothing}");

        var trainer = new Trainer(model, options);
        if (settings.Weights is not null && !settings.Resume)
        {
            var (beforeLoss, beforeTop1, beforeTop5) = trainer.Evaluate(data.Validation, options.BatchSize);
            Console.WriteLine($"validation top-1 before training: {beforeTop1 * 100:F2}%, top-5 {beforeTop5 * 100:F2}%, loss {beforeLoss:F3}");
        }

        List<EpochResult> history = new();
        // Ctrl-C stops at the next batch; the last completed epoch's checkpoint stays whole (checkpoint.json is written last).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            AnsiConsole.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(progress =>
                {
                    history = trainer.Fit(data.Train, data.Validation, new ProgressObserver(progress, options.BatchSize), stop.Token);
                });
        }
        catch (ResumeSettingsException error)
        {
            Console.Error.WriteLine(ResumeSettingsMessage.Of(error));
            return 1;
        }
        catch (OperationCanceledException)
        {
            var saved = Trainer.ReadCheckpointInfo(checkpointDir);
            Console.Error.WriteLine(saved is null
                ? "interrupted before the first epoch ended: no checkpoint written."
                : $"interrupted: {Path.Combine(checkpointDir, Trainer.InfoFile)} holds epoch {saved.EpochsCompleted} ({saved.ModelFile}); --resume continues from it.");
            return 130;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }

        if (history.Count == 0)
        {
            AnsiConsole.MarkupLine("Nothing to do: the checkpoint has already completed every epoch.");
            return 0;
        }
        var last = history[^1];
        var time = TimeSpan.FromSeconds(history.Sum(h => h.Elapsed.TotalSeconds));
        Console.WriteLine($"{name}: validation top-1 {last.ValidationTop1 * 100:F2}%, top-5 {last.ValidationTop5 * 100:F2}% after {last.Epoch} epoch{(last.Epoch == 1 ? "" : "s")} " +
            $"({data.Validation.Count} images, {time.TotalSeconds:F0} s of training)");
        Console.WriteLine($"metrics: {Path.Combine(checkpointDir, TrainingMetrics.CsvFile)}, {Path.Combine(checkpointDir, TrainingMetrics.PlotFile)}");
        return 0;
    }

    /// <summary>Loads --weights into the model, fitting head and input channels; prints what changed, or the mismatch.</summary>
    private static bool TryLoadWeights(nn.Module model, string path, string? sha256, PretrainedWeights? entry)
    {
        try
        {
            if (entry is not null)
                Console.WriteLine(TrainWeights.Describe(entry));
            var result = CheckpointLoader.Load(model, path, CheckpointLoadOptions.FineTune with { Sha256 = sha256 });
            Console.WriteLine($"weights: {result.Entries} entries from {CliText.Plain(path)} ({result.Format}, {string.Join("/", result.DTypes)})");
            foreach (var change in result.Adaptations)
                Console.WriteLine("weights: " + change.Description);
            return true;
        }
        catch (Exception error) when (error is CheckpointMismatchException or CheckpointHashException or ReferenceFormatException or InvalidDataException
            or NotSupportedException or ArgumentException or IOException)
        {
            // A mismatch lists one key per line (each escaped where it is made); the console filter escapes the rest.
            Console.Error.WriteLine($"error: --weights {error.Message}");
            return false;
        }
    }

    /// <summary>A zoo model by name, or a spec file (its model compiled now from the file, so edits count without a rebuild).</summary>
    private static bool TryResolveModel(Settings settings, out string name, out long inChannels, out int size, out bool hasAux,
        out Func<long, long, bool, nn.Module<Tensor, Tensor>> create)
    {
        name = settings.Model;
        inChannels = 3;
        size = 32;
        hasAux = false;
        create = (_, _, _) => throw new InvalidOperationException();
        ZooEntry entry;
        try
        {
            // The resolver every command shares: a zoo name, or a spec file compiled now.
            entry = RunnableModels.Resolve(settings.Model, settings.Variant);
        }
        catch (Exception error) when (error is Explain.ExplainException or CliInputException)
        {
            Console.Error.WriteLine("error: " + error.Message);
            return false;
        }

        name = entry.Name;
        inChannels = entry.InChannels;
        size = (int)entry.Height;
        hasAux = entry.HasAux;
        create = entry.Create;
        return true;
    }

    /// <summary>One progress bar per epoch: running loss and accuracy while it runs, then validation top-1/top-5.</summary>
    private sealed class ProgressObserver(ProgressContext progress, int batchSize) : ITrainingObserver
    {
        private ProgressTask? task;
        private int epochs;
        private readonly System.Diagnostics.Stopwatch watch = new();

        public void Resumed(int epoch, string checkpointDir) =>
            Console.WriteLine($"resumed from {checkpointDir} after epoch {epoch}");

        public void EpochStarted(int epoch, int epochs, int batches)
        {
            this.epochs = epochs;
            task = progress.AddTask(CliText.Markup($"epoch {epoch}/{epochs}"), maxValue: batches);
            watch.Restart();
        }

        public void BatchCompleted(int epoch, int batch, int batches, double loss, double top1)
        {
            if (task is null) return;
            double throughput = batch * (double)batchSize / Math.Max(1e-9, watch.Elapsed.TotalSeconds);
            task.Description = CliText.Markup($"epoch {epoch}/{epochs} loss {loss:F3} acc {top1 * 100:F1}% {throughput:F0} img/s");
            task.Value = batch;
        }

        public void EpochCompleted(EpochResult r)
        {
            if (task is null) return;
            task.Description = CliText.Markup($"epoch {r.Epoch}/{r.Epochs} loss {r.TrainLoss:F3} acc {r.TrainTop1 * 100:F1}% | val loss {r.ValidationLoss:F3} top-1 {r.ValidationTop1 * 100:F1}% top-5 {r.ValidationTop5 * 100:F1}% | lr {r.LearningRate:G3}");
            task.Value = task.MaxValue;
            task.StopTask();
            // A plain line as well: it stays in logs where the live bars are not rendered.
            Console.WriteLine($"epoch {r.Epoch}/{r.Epochs}: train loss {r.TrainLoss:F3} acc {r.TrainTop1 * 100:F1}%, validation loss {r.ValidationLoss:F3} " +
                $"top-1 {r.ValidationTop1 * 100:F2}% top-5 {r.ValidationTop5 * 100:F2}%, lr {r.LearningRate:G3}, {r.Elapsed.TotalSeconds:F0} s");
        }
    }
}
