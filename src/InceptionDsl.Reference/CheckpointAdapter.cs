using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace InceptionDsl.Reference;

/// <summary>
/// Fits a checkpoint to a module built for another task, as timm's <c>load_pretrained</c> does, for any model:
/// the first convolution (the first Conv2d in module order: the stem every spec starts with) is adapted to the
/// module's input channels, and the classifier (the Linear directly under the model, see <see cref="Classifier"/>) is
/// re-initialised when the class counts differ. Both are found from the module's structure, never from its name.
/// </summary>
public static class CheckpointAdapter
{
    /// <summary>The first Conv2d of <paramref name="module"/> in module order, with its path; null when it has none.</summary>
    public static (string Path, TorchSharp.Modules.Conv2d Conv)? FirstConvolution(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        foreach (var (name, child) in module.named_modules())
            if (child is TorchSharp.Modules.Conv2d conv && conv.weight is not null)
                return (name, conv);
        return null;
    }

    /// <summary>
    /// The classifier of <paramref name="module"/>, with its path: the Linear directly under the model (the head a
    /// generated model builds from numClasses, as the IR marks it), the last one when there are several; a module
    /// without one gets its last Linear at any depth. Null when it has none.
    /// </summary>
    public static (string Path, TorchSharp.Modules.Linear Linear)? Classifier(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        (string, TorchSharp.Modules.Linear)? last = null;
        foreach (var (name, child) in module.named_children())
            if (child is TorchSharp.Modules.Linear linear)
                last = (name, linear);
        if (last is not null)
            return last;
        foreach (var (name, child) in module.named_modules())
            if (child is TorchSharp.Modules.Linear linear)
                last = (name, linear);
        return last;
    }

    /// <summary>
    /// timm's <c>adapt_input_conv</c>: a convolution weight [O, I, kH, kW] for <paramref name="inChannels"/> input
    /// channels, computed in float32 and returned in the weight's dtype. 1 channel: the sum over the input channels
    /// (over each group of 3 when I &gt; 3); C ≠ 3 channels from RGB weights: the RGB weights repeated ceil(C/3)
    /// times, the first C kept, scaled by 3/C. Throws <see cref="NotSupportedException"/> for other combinations.
    /// </summary>
    public static Tensor AdaptInputConv(Tensor weight, long inChannels)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.dim() != 4)
            throw new ArgumentException($"a convolution weight is [out, in, kH, kW], not {Format.Shape(weight.shape)}", nameof(weight));
        if (inChannels < 1)
            throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "at least one input channel");
        using var scope = NewDisposeScope();
        var w = weight.to_type(ScalarType.Float32);
        long o = w.shape[0], i = w.shape[1], kh = w.shape[2], kw = w.shape[3];
        Tensor adapted;
        if (inChannels == i)
            adapted = w;
        else if (inChannels == 1)
        {
            if (i > 3 && i % 3 != 0)
                throw new NotSupportedException($"cannot sum {i} input channels in groups of 3 for a 1-channel input");
            adapted = i > 3 ? w.reshape(o, i / 3, 3, kh, kw).sum(2) : w.sum(1, keepdim: true);
        }
        else if (i == 3)
        {
            long repeat = (inChannels + 2) / 3;
            adapted = w.repeat(1, repeat, 1, 1).slice(1, 0, inChannels, 1) * (3.0 / inChannels);
        }
        else
            throw new NotSupportedException($"cannot adapt a first convolution of {i} input channels to {inChannels} (only from 3, or to 1)");
        return adapted.to_type(weight.dtype).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The changes that fit <paramref name="file"/> to <paramref name="target"/> (the module's state_dict) under
    /// <paramref name="options"/>: adapted tensors by key (the caller disposes them), keys left as the module's
    /// (re-initialised), and a description of each change. Keys that still do not fit are left for the caller to report.
    /// </summary>
    internal static AdaptationPlan Plan(nn.Module module, IReadOnlyDictionary<string, Tensor> target, IReadOnlyDictionary<string, Tensor> file,
        CheckpointLoadOptions options)
    {
        var plan = new AdaptationPlan();
        if (options.AdaptInputChannels && FirstConvolution(module) is { } first)
        {
            var convPath = first.Path;
            var key = Key(convPath, "weight");
            if (target.TryGetValue(key, out var mine) && file.TryGetValue(key, out var theirs) && mine.dim() == 4 && theirs.dim() == 4
                && mine.shape[1] != theirs.shape[1] && mine.shape[0] == theirs.shape[0] && mine.shape[2] == theirs.shape[2] && mine.shape[3] == theirs.shape[3])
            {
                var adapted = AdaptInputConv(theirs, mine.shape[1]);
                plan.Replacements[key] = adapted;
                string how = mine.shape[1] == 1 ? "summed over the file's channels" : $"the file's RGB weights repeated, cut to {mine.shape[1]} and scaled by 3/{mine.shape[1]}";
                plan.Adaptations.Add(new CheckpointAdaptation(CheckpointAdaptationKind.InputChannelsAdapted, new[] { key },
                    $"{convPath} adapted from {theirs.shape[1]} to {mine.shape[1]} input channel(s): {how} (timm's adapt_input_conv)"));
            }

        }

        if (options.ReinitializeHead && Classifier(module) is { } classifier)
        {
            var headPath = classifier.Path;
            var key = Key(headPath, "weight");
            if (target.TryGetValue(key, out var mine) && file.TryGetValue(key, out var theirs) && mine.dim() == 2 && theirs.dim() == 2
                && mine.shape[0] != theirs.shape[0] && mine.shape[1] == theirs.shape[1])
            {
                long classes = mine.shape[0], fileClasses = theirs.shape[0];
                // The classifier and every other Linear making logits of the same class counts (auxiliary heads).
                foreach (var (path, child) in module.named_modules())
                {
                    if (child is not TorchSharp.Modules.Linear linear || linear.weight is null)
                        continue;
                    var weightKey = Key(path, "weight");
                    if (linear.weight.shape[0] != classes || !file.TryGetValue(weightKey, out var fileWeight) || fileWeight.dim() != 2
                        || fileWeight.shape[0] != fileClasses || fileWeight.shape[1] != linear.weight.shape[1])
                        continue;
                    var keys = new List<string> { weightKey };
                    if (linear.bias is not null)
                        keys.Add(Key(path, "bias"));
                    foreach (var k in keys)
                        plan.KeepModule.Add(k);
                    plan.Reinitialize.Add(linear);
                    plan.Adaptations.Add(new CheckpointAdaptation(CheckpointAdaptationKind.HeadReinitialized, keys,
                        $"{path} re-initialised: the module has {classes} classes, the file {fileClasses}"));
                }
            }

        }

        return plan;
    }

    /// <summary>PyTorch's default initialisation of a Linear layer (kaiming uniform, a = sqrt(5); bias uniform within 1/sqrt(fan_in)), as a fresh head gets.</summary>
    public static void ResetLinear(TorchSharp.Modules.Linear linear)
    {
        ArgumentNullException.ThrowIfNull(linear);
        using var noGrad = no_grad();
        nn.init.kaiming_uniform_(linear.weight!, a: Math.Sqrt(5));
        if (linear.bias is not null)
        {
            double bound = 1.0 / Math.Sqrt(linear.weight!.shape[1]);
            nn.init.uniform_(linear.bias, -bound, bound);
        }
    }

    private static string Key(string path, string leaf) => path.Length == 0 ? leaf : path + "." + leaf;
}

/// <summary>What <see cref="CheckpointAdapter"/> decided for one load.</summary>
internal sealed class AdaptationPlan : IDisposable
{
    /// <summary>Tensors to copy instead of the file's, by key.</summary>
    public Dictionary<string, Tensor> Replacements { get; } = new(StringComparer.Ordinal);

    /// <summary>Keys the module keeps (re-initialised); the file's values are not copied.</summary>
    public HashSet<string> KeepModule { get; } = new(StringComparer.Ordinal);

    /// <summary>Linear layers to re-initialise once the load is known to succeed.</summary>
    public List<TorchSharp.Modules.Linear> Reinitialize { get; } = new();

    /// <summary>The changes, as the load result reports them.</summary>
    public List<CheckpointAdaptation> Adaptations { get; } = new();

    public void Dispose()
    {
        foreach (var tensor in Replacements.Values)
            tensor.Dispose();
    }
}
