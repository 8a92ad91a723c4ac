using InceptionDsl.Expressions;
using InceptionDsl.Syntax;

namespace InceptionDsl.Semantics;

/// <summary>
/// Watches a spec being lowered, node by node, for tools that show what each line of a spec becomes
/// (the language server's hover and inlay hints). The IR itself carries no source positions, so an
/// edit that only moves lines leaves it equal and the generator's cache warm; positions reach a
/// tool through this side channel instead. Only concrete walks are reported (each use in a model,
/// with numbers), never the symbolic walk that writes a block's class.
/// </summary>
public abstract class LoweringObserver
{
    /// <summary>Lowering of <paramref name="document"/>'s model (or family variant) <paramref name="model"/> starts; the nodes that follow are its.</summary>
    public virtual void ModelStarted(SpecDocument document, string model)
    {
    }

    /// <summary>One node lowered for one use (a repeated node once per copy, a block's node once per instance).</summary>
    public abstract void NodeLowered(LoweredNode node);
}

/// <summary>
/// What one node became for one use.
/// </summary>
/// <param name="Syntax">The node as written (its <see cref="NodeSyntax.Span"/> is its kind key).</param>
/// <param name="Path">Its state_dict path when it is a module (a layer, a Sequential, a block instance); null for a parameter-free operation or a composite.</param>
/// <param name="Owner">The C# class whose forward runs it (the model's or a block's).</param>
/// <param name="Member">The C# field holding it, when it is a field of <paramref name="Owner"/>; null for a Sequential's child or a functional step.</param>
/// <param name="Scope">The names visible at this use with their values (parameters, lets, the repeat index).</param>
public sealed record LoweredNode(NodeSyntax Syntax, string? Path, string Owner, string? Member, ShapeIR Input, ShapeIR Output, long Parameters, long Flops, Scope Scope);
