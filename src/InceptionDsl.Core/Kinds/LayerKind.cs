using System;
using System.Collections.Generic;
using InceptionDsl.Emit;
using InceptionDsl.Emit.PyTorch;
using InceptionDsl.Expressions;
using InceptionDsl.Semantics;

namespace InceptionDsl.Kinds;

/// <summary>
/// A leaf kind that carries everything about itself, as timm's model files carry a block: its syntax (from
/// <see cref="NodeKind"/>), its lowering (options checked, shape rule, parameter and FLOP counts, the typed
/// <see cref="ModuleNode"/> it becomes) and, for each engine, how that node is built. The IR holds only the node; the
/// renderers (<see cref="TorchSharpModules"/>, <see cref="PyTorchModules"/>) ask the kind for the text of nodes they do
/// not know, and the support files take the kind's support classes. A kind whose module torch does not have writes a
/// support class per engine; the C# one writes its own ONNX nodes (<c>IOnnxWritable</c>) with the builder's primitives.
/// Adding such a kind is one file and one line in <see cref="NodeKinds"/>.
/// </summary>
public abstract class LayerKind : NodeKind
{
    /// <summary>The IR record this kind lowers to (one kind per record type).</summary>
    public abstract Type NodeType { get; }

    /// <summary>The classes the kind adds to the generated C# support file (names a spec must not take).</summary>
    public virtual IReadOnlyList<string> SupportClasses => Array.Empty<string>();

    /// <summary>The classes the kind adds to an emitted Python module.</summary>
    public virtual IReadOnlyList<string> PythonClasses => Array.Empty<string>();

    /// <summary>Checks the options and input, and plans the layer: output shape, counts, module; null after reporting why not.</summary>
    internal abstract LayerPlan? Plan(LayerContext context);

    /// <summary>The C# type a field holding the node's module is declared as.</summary>
    internal abstract string TorchSharpType(ModuleNode node);

    /// <summary>The C# expression that builds the node's module.</summary>
    internal abstract string TorchSharpBuild(ModuleNode node);

    /// <summary>The Python expression that builds the node's module.</summary>
    internal abstract string PyTorchBuild(ModuleNode node);

    /// <summary>The C# a flat body's forward applies for a parameter-free node (a function of <paramref name="input"/>); null where the node is always a module field.</summary>
    internal virtual string? TorchSharpApply(ModuleNode node, string input) => null;

    /// <summary>The Python a flat body's forward applies for a parameter-free node; null where the node is always a submodule.</summary>
    internal virtual string? PyTorchApply(ModuleNode node, string input) => null;

    /// <summary>
    /// Whether the ONNX writer builds the node from the IR with <see cref="WriteOnnx"/>; otherwise its module writes its
    /// own nodes (a support class implementing IOnnxWritable, reached through <c>graph.Module</c>).
    /// </summary>
    internal virtual bool OnnxFromIr => false;

    /// <summary>The C# line that applies the node in a WriteOnnx (builder calls with the IR's geometry, tensors from the module).</summary>
    internal virtual string WriteOnnx(ModuleNode node, IOnnxCall call) => throw new InvalidOperationException($"{Key} writes its own ONNX");

    /// <summary>The IR values <see cref="WriteOnnx"/> reads besides tensors (a class stores those its constructor computes).</summary>
    internal virtual IEnumerable<SymExpr> OnnxReads(ModuleNode node) => Array.Empty<SymExpr>();

    /// <summary>The kind's section of the C# support file (with its ONNX writer where <paramref name="onnx"/>); null when torch has the module.</summary>
    internal virtual string? TorchSharpSupport(bool onnx) => null;

    /// <summary>The kind's classes in an emitted Python module; null when torch.nn has the module.</summary>
    internal virtual string? PyTorchSupport => null;

    /// <summary>A size or value as C#.</summary>
    protected static string Cs(SymExpr expression) => CSharpExpressions.Render(expression);

    /// <summary>A size or value as Python.</summary>
    protected static string Py(SymExpr expression) => PythonExpressions.Render(expression);

    /// <summary>TorchSharp's torch.nn (module factories) and its module types.</summary>
    protected const string TorchNn = "global::TorchSharp.torch.nn", TorchModules = "global::TorchSharp.Modules";

    /// <summary>TorchSharp's torch.nn.functional.</summary>
    protected const string TorchFunctional = TorchNn + ".functional";

    /// <summary>A (height, width) pair as a C# tuple.</summary>
    protected static string CsPair(SymPair pair) => $"({Cs(pair.H)}, {Cs(pair.W)})";

    /// <summary>A (height, width) pair as a Python tuple.</summary>
    protected static string PyPair(SymPair pair) => $"({Py(pair.H)}, {Py(pair.W)})";

    /// <summary>The base class of a support module with one tensor in and one out.</summary>
    protected const string ModuleBase = "global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor>";

    /// <summary>The attribute every generated type carries.</summary>
    protected static string GeneratedCode => $"[global::System.CodeDom.Compiler.GeneratedCode(\"InceptionDsl\", \"{EmitOptions.GeneratorVersion}\")]";

    /// <summary>The interface list a support class adds for ONNX export (empty without it).</summary>
    protected static string OnnxInterface(bool onnx) => onnx ? ", " + OnnxEmitter.BlockInterface : "";

    /// <summary>The explicit ONNX writer of a support class whose body is <paramref name="body"/> (an expression of graph, path and input).</summary>
    protected static string OnnxWriter(bool onnx, string body) => !onnx ? "" : $@"
    /// <inheritdoc />
    string {OnnxEmitter.BlockInterface}.WriteOnnx(global::InceptionDsl.Onnx.OnnxGraphBuilder graph, string path, string input) =>
        {body};
";
}

/// <summary>A <see cref="LayerKind"/> over its own node record <typeparamref name="TNode"/>: the renderers receive it typed.</summary>
public abstract class LayerKind<TNode> : LayerKind where TNode : ModuleNode
{
    public sealed override Type NodeType => typeof(TNode);

    internal sealed override string TorchSharpType(ModuleNode node) => TorchSharpType((TNode)node);

    internal sealed override string TorchSharpBuild(ModuleNode node) => TorchSharpBuild((TNode)node);

    internal sealed override string PyTorchBuild(ModuleNode node) => PyTorchBuild((TNode)node);

    internal sealed override string? TorchSharpApply(ModuleNode node, string input) => TorchSharpApply((TNode)node, input);

    internal sealed override string? PyTorchApply(ModuleNode node, string input) => PyTorchApply((TNode)node, input);

    internal sealed override string WriteOnnx(ModuleNode node, IOnnxCall call) => WriteOnnx((TNode)node, call);

    internal sealed override IEnumerable<SymExpr> OnnxReads(ModuleNode node) => OnnxReads((TNode)node);

    /// <inheritdoc cref="LayerKind.WriteOnnx(ModuleNode, IOnnxCall)"/>
    private protected virtual string WriteOnnx(TNode node, IOnnxCall call) => throw new InvalidOperationException($"{Key} writes its own ONNX");

    /// <inheritdoc cref="LayerKind.OnnxReads(ModuleNode)"/>
    protected virtual IEnumerable<SymExpr> OnnxReads(TNode node) => Array.Empty<SymExpr>();

    /// <inheritdoc cref="LayerKind.TorchSharpApply(ModuleNode, string)"/>
    protected virtual string? TorchSharpApply(TNode node, string input) => null;

    /// <inheritdoc cref="LayerKind.PyTorchApply(ModuleNode, string)"/>
    protected virtual string? PyTorchApply(TNode node, string input) => null;

    /// <inheritdoc cref="LayerKind.TorchSharpType(ModuleNode)"/>
    protected abstract string TorchSharpType(TNode node);

    /// <inheritdoc cref="LayerKind.TorchSharpBuild(ModuleNode)"/>
    protected abstract string TorchSharpBuild(TNode node);

    /// <inheritdoc cref="LayerKind.PyTorchBuild(ModuleNode)"/>
    protected abstract string PyTorchBuild(TNode node);
}
