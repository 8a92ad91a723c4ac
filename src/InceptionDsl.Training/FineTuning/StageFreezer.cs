using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace InceptionDsl.Training.FineTuning;

/// <summary>
/// Freezes the first stages of a model: their parameters stop requiring gradients, and their BatchNorms stay in eval
/// mode (running statistics kept, as timm's freeze) even while the rest of the model trains.
/// </summary>
public sealed class StageFreezer
{
    private readonly List<nn.Module> norms = new();

    /// <summary>Freezes groups 0 .. <paramref name="count"/> - 1 of <paramref name="groups"/> (0: nothing; the head cannot be frozen).</summary>
    public StageFreezer(nn.Module model, IReadOnlyList<StageGroup> groups, int count)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(groups);
        if (count < 0 || count > groups.Count - 1)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"between 0 and {groups.Count - 1} stages ({string.Join(", ", groups.Take(groups.Count - 1).Select(g => g.Name))}) can be frozen; the head trains");
        Frozen = groups.Take(count).ToList();
        foreach (var (name, parameter) in model.named_parameters())
            if (Frozen.Any(g => g.Owns(name)))
                parameter.requires_grad = false;
        foreach (var (name, module) in model.named_modules())
            if (module is TorchSharp.Modules.BatchNorm2d && Frozen.Any(g => g.Owns(name)))
                norms.Add(module);
    }

    /// <summary>The frozen groups.</summary>
    public IReadOnlyList<StageGroup> Frozen { get; }

    /// <summary>Puts the frozen stages' BatchNorms back in eval mode: call after every <c>model.train()</c>.</summary>
    public void KeepFrozenNormsInEval()
    {
        foreach (var norm in norms)
            norm.eval();
    }
}
