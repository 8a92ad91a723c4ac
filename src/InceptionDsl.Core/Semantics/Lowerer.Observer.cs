using InceptionDsl.Syntax;

namespace InceptionDsl.Semantics;

/// <summary>Reports each concretely lowered node to the <see cref="LoweringObserver"/>, when one watches.</summary>
internal sealed partial class Lowerer
{
    private LoweringObserver? _observer;

    private void Observe(NodeSyntax node, string? path, string? member, TensorShape input, TensorShape output, long parameters, long flops, Frame frame)
    {
        if (_observer is not null && frame.RecordLayers)
            _observer.NodeLowered(new LoweredNode(node, path, frame.Owner.Name, member, input.ToIR(), output.ToIR(), parameters, flops, frame.Scope));
    }

    /// <summary>A composite node (chain, concat, residual, inline block) reported once lowered; returns <paramref name="lowered"/>.</summary>
    private Lowered? Observed(NodeSyntax node, TensorShape input, Frame frame, Lowered? lowered)
    {
        if (lowered is { } done)
            Observe(node, null, null, input, done.Output, done.Parameters, done.Flops, frame);
        return lowered;
    }
}
