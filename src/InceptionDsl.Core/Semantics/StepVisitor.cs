namespace InceptionDsl.Semantics;

/// <summary>
/// A consumer that treats each kind of forward step in its own way (a renderer, the analysis graph): one method per
/// kind, all abstract, so a new kind of step names every consumer that must handle it. Composite steps' methods get
/// the step and recurse into its children as they need (a residual's shortcut and body are written differently);
/// walks that only collect steps use <see cref="StepWalk"/>.
/// </summary>
/// <typeparam name="TArg">What the consumer passes down with each step (the tensor it reads, a path prefix).</typeparam>
/// <typeparam name="TResult">What a step gives back (whether its output is owned, the nodes it became).</typeparam>
public abstract class StepVisitor<TArg, TResult>
{
    public TResult Visit(StepIR step, TArg arg) => step switch
    {
        ModuleStep module => VisitModule(module, arg),
        FunctionalStep functional => VisitFunctional(functional, arg),
        ConcatStep concat => VisitConcat(concat, arg),
        ResidualStep residual => VisitResidual(residual, arg),
        GateStep gate => VisitGate(gate, arg),
        SelectStep select => VisitSelect(select, arg),
        AuxTapStep tap => VisitAuxTap(tap, arg),
        _ => throw new System.ArgumentException($"no visit for the step kind {step.GetType().Name}", nameof(step)),
    };

    protected abstract TResult VisitModule(ModuleStep step, TArg arg);

    protected abstract TResult VisitFunctional(FunctionalStep step, TArg arg);

    protected abstract TResult VisitConcat(ConcatStep step, TArg arg);

    protected abstract TResult VisitResidual(ResidualStep step, TArg arg);

    protected abstract TResult VisitGate(GateStep step, TArg arg);

    protected abstract TResult VisitSelect(SelectStep step, TArg arg);

    protected abstract TResult VisitAuxTap(AuxTapStep step, TArg arg);
}
