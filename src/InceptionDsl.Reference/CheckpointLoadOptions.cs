using System.Collections.Generic;

namespace InceptionDsl.Reference;

/// <summary>
/// How <see cref="CheckpointLoader.Load(TorchSharp.torch.nn.Module, string, CheckpointLoadOptions)"/> fits a
/// checkpoint to a module built for another task. The defaults load strictly: any difference is an error.
/// </summary>
public sealed record CheckpointLoadOptions
{
    /// <summary>Strict loading: every key, shape and dtype must fit.</summary>
    public static CheckpointLoadOptions Strict { get; } = new();

    /// <summary>Fine-tuning: a classifier of another class count is re-initialised, the first convolution adapted to the input channels.</summary>
    public static CheckpointLoadOptions FineTune { get; } = new() { ReinitializeHead = true, AdaptInputChannels = true };

    /// <summary>
    /// When the file's classifier has another number of classes than the module's, keep the module's classifier
    /// re-initialised (PyTorch's default Linear initialisation) instead of failing. The classifier is the Linear
    /// directly under the model (<see cref="CheckpointAdapter.Classifier"/>); auxiliary heads' output layers of the same class count are treated alike.
    /// </summary>
    public bool ReinitializeHead { get; init; }

    /// <summary>
    /// When the module's first convolution takes another number of input channels than the file's, adapt the file's
    /// weight as timm's <c>adapt_input_conv</c>: 1 channel sums over the file's RGB; C &gt; 3 channels repeat the RGB
    /// weights ceil(C/3) times, keep the first C and scale by 3/C.
    /// </summary>
    public bool AdaptInputChannels { get; init; }

    /// <summary>
    /// The file's expected SHA-256 in hex (case-insensitive), or its first 8 or more digits as torchvision's file
    /// names carry; null: not checked. A file that differs is refused before anything is read.
    /// </summary>
    public string? Sha256 { get; init; }
}

/// <summary>What kind of change fitting a checkpoint to a module made.</summary>
public enum CheckpointAdaptationKind
{
    /// <summary>A classifier of another class count was left as the module's fresh initialisation.</summary>
    HeadReinitialized,

    /// <summary>The first convolution's weight was adapted to another number of input channels.</summary>
    InputChannelsAdapted,
}

/// <summary>One change made while loading: the state_dict keys concerned and a sentence saying what was done.</summary>
/// <param name="Kind">The change.</param>
/// <param name="Keys">The state_dict keys it concerns.</param>
/// <param name="Description">What was done, e.g. <c>fc re-initialised: 10 classes, the file has 1000</c>.</param>
public sealed record CheckpointAdaptation(CheckpointAdaptationKind Kind, IReadOnlyList<string> Keys, string Description);
