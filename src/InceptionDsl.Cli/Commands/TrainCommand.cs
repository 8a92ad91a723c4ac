using System.ComponentModel;
using InceptionDsl.Models;
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

        [CommandOption("--variant <NAME>")]
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

        [CommandOption("--batch-size <N>")]
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

        [CommandOption("--weight-decay <W>")]
        [Description("Weight decay (default 5e-4).")]
        public double WeightDecay { get; init; } = 5e-4;

        [CommandOption("--no-aux")]
        [Description("Build the model without its auxiliary heads.")]
        public bool NoAux { get; init; }

        [CommandOption("--checkpoint <DIR>")]
        [Description("Checkpoint folder, written after every epoch (default checkpoints/<model>).")]
        public string? Checkpoint { get; init; }

        [CommandOption("--resume")]
        [Description("Continue from the checkpoint in the checkpoint folder.")]
        public bool Resume { get; init; }

        [CommandOption("--seed <N>")]
        [Description("Seed of the weights, the shuffling and the generated dataset (default 0).")]
        public int Seed { get; init; }

        [CommandOption("--threads <N>")]
        [Description("Torch CPU threads (default: torch's choice).")]
        public int? Threads { get; init; }

        /// <summary>The largest --image-size.</summary>
        public const int MaxImageSize = 1024;

        /// <summary>The most memory the generated dataset may take (float32 pixels of both splits).</summary>
        public const long MaxGeneratedBytes = 4L << 30;

        /// <summary>Every option checked before anything is built: the first bad one, with its range.</summary>
        public override ValidationResult Validate()
        {
            static bool Finite(double value) => double.IsFinite(value);
            string? error =
                Epochs < 1 ? $"--epochs must be at least 1, not {Epochs}"
                : BatchSize < 1 ? $"--batch-size must be at least 1, not {BatchSize}"
                : TrainSize is < 1 or > 1_000_000 ? $"--train-size must be between 1 and 1000000, not {TrainSize}"
                : ValidationSize is < 1 or > 1_000_000 ? $"--val-size must be between 1 and 1000000, not {ValidationSize}"
                : Classes is < 2 or > 10 ? $"--classes must be between 2 and 10 (the generated shapes), not {Classes}"
                : ImageSize is < 8 or > MaxImageSize ? $"--image-size must be between 8 and {MaxImageSize}, not {ImageSize}"
                : !Finite(ValidationFraction) || ValidationFraction <= 0 || ValidationFraction >= 1 ? $"--val-fraction must be between 0 and 1 (exclusive), not {ValidationFraction}"
                : LearningRate is { } lr && (!Finite(lr) || lr <= 0) ? $"--lr must be a positive number, not {lr}"
                : Warmup < 0 ? $"--warmup must be 0 or more, not {Warmup}"
                : !Finite(WeightDecay) || WeightDecay < 0 ? $"--weight-decay must be 0 or more, not {WeightDecay}"
                : Threads < 1 ? $"--threads must be at least 1, not {Threads}"
                : Optimizer.ToLowerInvariant() is not ("sgd" or "adam" or "adamw") ? $"--optimizer must be sgd, adam or adamw, not '{Optimizer}'"
                : Schedule.ToLowerInvariant() is not ("cosine" or "step" or "constant") ? $"--schedule must be cosine, step or constant, not '{Schedule}'"
                : Data is not null && !Directory.Exists(Data) ? $"--data {Data}: {(File.Exists(Data) ? "is a file; give an ImageFolder (one subfolder per class)" : "folder not found")}"
                : Checkpoint is not null && File.Exists(Checkpoint) ? $"--checkpoint {Checkpoint}: is a file; the checkpoint is a folder"
                : Data is null && (TrainSize + (long)ValidationSize) * 3 * 4 * (long)(ImageSize ?? 32) * (ImageSize ?? 32) > MaxGeneratedBytes
                    ? $"the generated dataset ({TrainSize} + {ValidationSize} images of {ImageSize ?? 32}x{ImageSize ?? 32}) would take more than {MaxGeneratedBytes >> 30} GiB; lower --train-size or --image-size"
                : null;
            return error is null ? ValidationResult.Success() : ValidationResult.Error(error);
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Threads is { } threads) set_num_threads(threads);
        if (!TryResolveModel(settings, out var name, out var inChannels, out var size, out var hasAux, out var create))
            return 1;
        int imageSize = settings.ImageSize ?? size;
        var checkpointDir = settings.Checkpoint ?? Path.Combine("checkpoints", name);

        using var data = settings.Data is null
            ? SyntheticShapes.Create(settings.TrainSize, settings.ValidationSize, imageSize, settings.Classes, seed: 1234 + settings.Seed)
            : ImageFolder.LoadSplits(settings.Data, imageSize, imageSize, settings.ValidationFraction, seed: 1234 + settings.Seed);
        if (inChannels != 3)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(name)} takes {inChannels} input channels; the datasets are RGB.[/]");
            return 1;
        }
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
        };
        long parameters = model.parameters().Sum(p => p.numel());
        var heads = model is IInceptionDslModel m && m.AuxHeads.Count > 0 && hasAux && !settings.NoAux
            ? string.Join(", ", m.AuxHeads.Select(h => $"{h.Name} x {h.LossWeight}"))
            : "none";
        Console.WriteLine($"{name}: {parameters:N0} parameters, aux heads: {heads}");
        Console.WriteLine($"data: {data.Description}");
        Console.WriteLine(($"{options.Optimizer} lr {options.LearningRate} ({options.Schedule}, warm-up {options.WarmupSteps} steps), batch {options.BatchSize}, " +
            $"{options.Epochs} epochs, checkpoint {options.CheckpointDir}{(options.Resume ? " (resume)" : "")}"));

        var trainer = new Trainer(model, options);
        List<EpochResult> history = new();
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(progress =>
            {
                history = trainer.Fit(data.Train, data.Validation, new ProgressObserver(progress), cancellationToken);
            });

        if (history.Count == 0)
        {
            AnsiConsole.MarkupLine("Nothing to do: the checkpoint has already completed every epoch.");
            return 0;
        }
        var last = history[^1];
        var time = TimeSpan.FromSeconds(history.Sum(h => h.Elapsed.TotalSeconds));
        Console.WriteLine($"{name}: validation top-1 {last.ValidationTop1 * 100:F2}%, top-5 {last.ValidationTop5 * 100:F2}% after {last.Epoch} epoch{(last.Epoch == 1 ? "" : "s")} " +
            $"({data.Validation.Count} images, {time.TotalSeconds:F0} s of training)");
        return 0;
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
        var zoo = ModelZoo.Entries.FirstOrDefault(e => string.Equals(e.Name, settings.Model, StringComparison.OrdinalIgnoreCase));
        if (zoo is null && (File.Exists(settings.Model) || Directory.Exists(settings.Model) || settings.Model.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)))
        {
            SpecModels.Result spec;
            try
            {
                spec = SpecModels.Read(settings.Model, CliFiles.ReadSpec(settings.Model));
            }
            catch (CliInputException error)
            {
                Console.Error.WriteLine("error: " + error.Message);
                return false;
            }

            foreach (var error in spec.Errors) Console.WriteLine(error);
            if (spec.Errors.Count > 0) return false;
            var model = settings.Variant is null && spec.Models.Count == 1
                ? spec.Models[0]
                : spec.Models.FirstOrDefault(m => string.Equals(m.ClassName, settings.Variant, StringComparison.OrdinalIgnoreCase));
            if (model is null)
            {
                AnsiConsole.MarkupLine(Markup.Escape($"{settings.Model} declares {string.Join(", ", spec.Models.Select(m => m.ClassName))}: choose one with --variant."));
                return false;
            }
            name = model.ClassName;
            inChannels = model.InChannels;
            size = (int)model.Height;
            hasAux = model.Aux.Count > 0;
            var ir = model;
            create = (classes, channels, aux) => SpecModels.Create(ir, classes, channels, aux);
            return true;
        }
        if (zoo is null)
        {
            AnsiConsole.MarkupLine($"[red]No model or spec file '{Markup.Escape(settings.Model)}'[/]. Known: {string.Join(", ", ModelZoo.Entries.Select(e => e.Name))}");
            return false;
        }
        name = zoo.Name;
        inChannels = zoo.InChannels;
        size = (int)zoo.Height;
        hasAux = zoo.HasAux;
        create = zoo.Create;
        return true;
    }

    /// <summary>One progress bar per epoch: running loss and accuracy while it runs, then validation top-1/top-5.</summary>
    private sealed class ProgressObserver(ProgressContext progress) : ITrainingObserver
    {
        private ProgressTask? task;
        private int epochs;

        public void Resumed(int epoch, string checkpointDir) =>
            Console.WriteLine($"resumed from {checkpointDir} after epoch {epoch}");

        public void EpochStarted(int epoch, int epochs, int batches)
        {
            this.epochs = epochs;
            task = progress.AddTask(Markup.Escape($"epoch {epoch}/{epochs}"), maxValue: batches);
        }

        public void BatchCompleted(int epoch, int batch, int batches, double loss, double top1)
        {
            if (task is null) return;
            task.Description = Markup.Escape($"epoch {epoch}/{epochs} loss {loss:F3} acc {top1 * 100:F1}%");
            task.Value = batch;
        }

        public void EpochCompleted(EpochResult r)
        {
            if (task is null) return;
            task.Description = Markup.Escape($"epoch {r.Epoch}/{r.Epochs} loss {r.TrainLoss:F3} acc {r.TrainTop1 * 100:F1}% | val loss {r.ValidationLoss:F3} top-1 {r.ValidationTop1 * 100:F1}% top-5 {r.ValidationTop5 * 100:F1}% | lr {r.LearningRate:G3}");
            task.Value = task.MaxValue;
            task.StopTask();
            // A plain line as well: it stays in logs where the live bars are not rendered.
            Console.WriteLine($"epoch {r.Epoch}/{r.Epochs}: train loss {r.TrainLoss:F3} acc {r.TrainTop1 * 100:F1}%, validation loss {r.ValidationLoss:F3} " +
                $"top-1 {r.ValidationTop1 * 100:F2}% top-5 {r.ValidationTop5 * 100:F2}%, lr {r.LearningRate:G3}, {r.Elapsed.TotalSeconds:F0} s");
        }
    }
}
