using System.Collections.Generic;
using System.Linq;

namespace InceptionDsl.Semantics;

/// <summary>
/// The conv-BatchNorm pairing, decided once on the IR: a BatchNorm folds into the convolution directly before it
/// when both are plain modules (<see cref="Conv2dNode"/> then <see cref="BatchNormNode"/>), always built (no
/// condition), and neighbours in one step list or one Sequential, so the BatchNorm reads the convolution's output
/// and nothing else does. The conv unit (<see cref="ConvUnitNode"/>) is a pair by construction. <c>Fuse()</c>
/// (InferenceEmitter's FoldBatchNorms) and the ONNX writer (OnnxModules) both take their pairs from here.
/// </summary>
public static class BatchNormPairs
{
    /// <summary>Whether <paramref name="next"/> folds into <paramref name="first"/> when it directly follows it.</summary>
    public static bool Folds(ModuleNode first, ModuleNode next) => first is Conv2dNode && next is BatchNormNode;

    /// <summary>
    /// The (conv field, bn field) pairs of a class: a BatchNorm field step directly after a Conv2d field step in one
    /// step list (the forward, a branch, a residual's body or shortcut, a gate), neither optional nor conditional.
    /// </summary>
    public static List<(string Conv, string Bn)> Of(ClassIR cls)
    {
        var members = cls.Members.ToDictionary(m => m.Field, m => m);
        var pairs = new List<(string, string)>();
        foreach (var (steps, i) in StepWalk.Positions(cls.Forward))
        {
            if (steps[i] is ModuleStep { Optional: false } conv && i + 1 < steps.Count && steps[i + 1] is ModuleStep { Optional: false } bn
                && members.TryGetValue(conv.Field, out var convMember) && convMember.Condition is null
                && members.TryGetValue(bn.Field, out var bnMember) && bnMember.Condition is null
                && Folds(convMember.Module, bnMember.Module))
                pairs.Add((conv.Field, bn.Field));
        }

        return pairs;
    }

    /// <summary>
    /// The indices in <paramref name="items"/> of each convolution member whose next item is a BatchNorm member it
    /// folds into, both always built (a loop's body is a list of its own: pairs do not cross its edges).
    /// </summary>
    public static HashSet<int> InSequential(IReadOnlyList<SequentialItem> items)
    {
        var convs = new HashSet<int>();
        for (int i = 0; i + 1 < items.Count; i++)
        {
            if (items[i] is SequentialMember { Condition: null } conv && items[i + 1] is SequentialMember { Condition: null } bn && Folds(conv.Module, bn.Module))
                convs.Add(i);
        }

        return convs;
    }
}
