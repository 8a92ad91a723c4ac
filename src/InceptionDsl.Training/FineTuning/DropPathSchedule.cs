using System;
using System.Collections.Generic;
using InceptionDsl.Contracts;
using static TorchSharp.torch;

namespace InceptionDsl.Training.FineTuning;

/// <summary>
/// Drop-path (stochastic depth) rates over a model's residual blocks, found through <see cref="IDropPathSite"/> so that
/// models generated into any namespace are reached (the generated <c>InceptionDslDropPath.SetLinear</c> of a namespace
/// sees that namespace's blocks only).
/// </summary>
public static class DropPathSchedule
{
    /// <summary>The residual blocks of <paramref name="root"/> (itself included), in module order.</summary>
    public static IReadOnlyList<IDropPathSite> Sites(nn.Module root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var sites = new List<IDropPathSite>();
        if (root is IDropPathSite self)
            sites.Add(self);
        foreach (var (_, module) in root.named_modules())
            if (module is IDropPathSite site)
                sites.Add(site);
        return sites;
    }

    /// <summary>
    /// Sets the rates rising linearly with depth, as timm's linspace(0, rate, n): the i-th of n blocks in module order
    /// gets maxRate * i / (n - 1) (a single block: maxRate). Returns n.
    /// </summary>
    public static int SetLinear(nn.Module root, double maxRate)
    {
        if (!(maxRate >= 0 && maxRate < 1))
            throw new ArgumentOutOfRangeException(nameof(maxRate), maxRate, "a drop-path rate is at least 0 and below 1");
        var sites = Sites(root);
        for (int i = 0; i < sites.Count; i++)
            sites[i].DropPathRate = sites.Count == 1 ? maxRate : maxRate * i / (sites.Count - 1);
        return sites.Count;
    }
}
