using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace InceptionDsl.Training.FineTuning;

/// <summary>Parameters the optimizer treats alike: a stage's weights, or its norms and biases.</summary>
/// <param name="Name">The stage and kind, e.g. <c>layer2 (decay)</c> or <c>layer2 (no decay)</c>.</param>
/// <param name="Parameters">The trainable parameters.</param>
/// <param name="LearningRateScale">The factor on the scheduled learning rate (layer-wise decay: 1 for the head, decay^k k stages below it).</param>
/// <param name="WeightDecay">0 for norms and biases, the run's weight decay for the rest.</param>
public sealed record ParameterGroup(string Name, IReadOnlyList<TorchSharp.Modules.Parameter> Parameters, double LearningRateScale, double WeightDecay);

/// <summary>
/// The optimizer's parameter groups, as timm's <c>param_groups_layer_decay</c>: per stage (<see cref="ModelStages"/>),
/// the learning rate scaled by layerDecay^(stages above it), and weight decay only on weights of two or more dimensions
/// (never on norms and biases). Frozen parameters (requires_grad false) are left out.
/// </summary>
public static class ParameterGroups
{
    /// <summary>The groups of <paramref name="model"/>'s trainable parameters.</summary>
    public static IReadOnlyList<ParameterGroup> Build(nn.Module model, IReadOnlyList<StageGroup> stages, double weightDecay, double layerDecay = 1.0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stages);
        if (!(layerDecay > 0 && layerDecay <= 1))
            throw new ArgumentOutOfRangeException(nameof(layerDecay), layerDecay, "a layer decay is above 0 and at most 1");
        var owned = ModelStages.Parameters(model, stages).Where(p => p.Parameter.requires_grad).ToList();
        var groups = new List<ParameterGroup>();
        foreach (var stage in stages)
        {
            double scale = Math.Pow(layerDecay, stages.Count - 1 - stage.Index);
            var mine = owned.Where(p => ReferenceEquals(p.Group, stage)).ToList();
            var decay = mine.Where(p => p.Parameter.dim() >= 2).Select(p => p.Parameter).ToList();
            var noDecay = mine.Where(p => p.Parameter.dim() < 2).Select(p => p.Parameter).ToList();
            if (decay.Count > 0)
                groups.Add(new ParameterGroup(stage.Name + " (decay)", decay, scale, weightDecay));
            if (noDecay.Count > 0)
                groups.Add(new ParameterGroup(stage.Name + " (no decay)", noDecay, scale, 0));
        }

        return groups;
    }

    /// <summary>An optimizer over <paramref name="groups"/>: "sgd" (momentum, Nesterov when momentum &gt; 0), "adam" or "adamw".</summary>
    public static optim.Optimizer CreateOptimizer(string name, IReadOnlyList<ParameterGroup> groups, double learningRate, double momentum)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (groups.Count == 0)
            throw new ArgumentException("nothing to train: every parameter is frozen", nameof(groups));
        return name.ToLowerInvariant() switch
        {
            "sgd" => optim.SGD(groups.Select(g => new TorchSharp.Modules.SGD.ParamGroup(g.Parameters, learningRate * g.LearningRateScale, momentum: momentum,
                weight_decay: g.WeightDecay, nesterov: momentum > 0)), learningRate, momentum: momentum, nesterov: momentum > 0),
            "adam" => optim.Adam(groups.Select(g => new TorchSharp.Modules.Adam.ParamGroup(g.Parameters, learningRate * g.LearningRateScale, weight_decay: g.WeightDecay)), learningRate),
            "adamw" => optim.AdamW(groups.Select(g => new TorchSharp.Modules.AdamW.ParamGroup(g.Parameters, learningRate * g.LearningRateScale, weight_decay: g.WeightDecay)), learningRate),
            var other => throw new ArgumentException($"Unknown optimizer '{other}' (sgd, adam, adamw)."),
        };
    }
}
