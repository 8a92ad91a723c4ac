using System.Collections.Generic;
using System.Linq;

namespace InceptionDsl.Semantics;

/// <summary>
/// Which forward steps hold other steps, and which: the one place that lists the composite steps and their
/// children. Consumers that collect steps at any depth walk with <see cref="PreOrder"/>, <see cref="Positions"/> or
/// <see cref="PostOrder"/>; consumers that treat each kind of step in its own way derive from <see cref="StepVisitor{TArg, TResult}"/>.
/// </summary>
public static class StepWalk
{
    private static readonly IReadOnlyList<IReadOnlyList<StepIR>> None = new IReadOnlyList<StepIR>[0];

    /// <summary>
    /// The step lists nested directly in <paramref name="step"/>: a concat's branches, a residual's body and shortcut, a
    /// gate's branch; none for the other steps (a select's paths and attention are members, not steps). In declaration
    /// order (a residual's body before its shortcut), or with <paramref name="asMade"/> in the order the lowerer made
    /// them: a residual's shortcut first where it was registered first (<see cref="ResidualStep.ShortcutFirst"/>).
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<StepIR>> Children(StepIR step, bool asMade = false) => step switch
    {
        ConcatStep concat => concat.Branches.Select(b => (IReadOnlyList<StepIR>)b.Steps).ToList(),
        ResidualStep { ShortcutFirst: true } residual when asMade => new IReadOnlyList<StepIR>[] { residual.Shortcut, residual.Body },
        ResidualStep residual => new IReadOnlyList<StepIR>[] { residual.Body, residual.Shortcut },
        GateStep gate => new IReadOnlyList<StepIR>[] { gate.Branch },
        _ => None,
    };

    /// <summary><paramref name="steps"/> and the steps nested in them, each before those nested in it, in declaration order.</summary>
    public static IEnumerable<StepIR> PreOrder(IReadOnlyList<StepIR> steps) => Positions(steps).Select(at => at.List[at.Index]);

    /// <summary>
    /// Where each step of <see cref="PreOrder"/> stands: the list that holds it and its index there, for rules about
    /// neighbours in one list (a BatchNorm right after a convolution).
    /// </summary>
    public static IEnumerable<(IReadOnlyList<StepIR> List, int Index)> Positions(IReadOnlyList<StepIR> steps)
    {
        for (int i = 0; i < steps.Count; i++)
        {
            yield return (steps, i);
            foreach (var nested in Children(steps[i]).SelectMany(Positions))
                yield return nested;
        }
    }

    /// <summary>
    /// <paramref name="steps"/> and the steps nested in them, each after those nested in it, in the order they were made
    /// (<see cref="Children"/> with asMade): the order of <see cref="InstanceIR.Outputs"/>.
    /// </summary>
    public static IEnumerable<StepIR> PostOrder(IEnumerable<StepIR> steps)
    {
        foreach (var step in steps)
        {
            foreach (var nested in Children(step, asMade: true).SelectMany(PostOrder))
                yield return nested;
            yield return step;
        }
    }
}
