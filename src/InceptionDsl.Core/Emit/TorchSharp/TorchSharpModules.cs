using System.Collections.Generic;
using System.Linq;
using System.Text;
using InceptionDsl.Expressions;
using InceptionDsl.Kinds;
using InceptionDsl.Semantics;
using InceptionDsl.Syntax;

namespace InceptionDsl.Emit;

/// <summary>
/// The TorchSharp renderer of <see cref="ModuleNode"/>s: the type a field of that module is declared as and the C#
/// that builds it, with every size rendered by <see cref="CSharpExpressions"/>. Arguments equal to TorchSharp's
/// defaults are left out, so a constructor reads as one would write it by hand.
/// </summary>
public static class TorchSharpModules
{
    private const string Nn = "global::TorchSharp.torch.nn";
    private const string Modules = "global::TorchSharp.Modules";

    /// <summary>The shared conv + BatchNorm + activation class (InceptionDsl.Support.g.cs), torchvision's and timm's name.</summary>
    public const string UnitClass = "BasicConv2d";

    /// <summary>The type a select's paths field is declared as.</summary>
    public const string ModuleListType = Modules + ".ModuleList<" + Nn + ".Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor>>";

    public static string TypeOf(ModuleNode module) => module switch
    {
        Conv2dNode => Modules + ".Conv2d",
        ConvUnitNode => UnitClass,
        ActivationNode activation => Modules + "." + Activation(activation.Kind).Module,
        PoolNode { Max: true } => Modules + ".MaxPool2d",
        PoolNode => Modules + ".AvgPool2d",
        SequentialNode => Modules + ".Sequential",
        BlockInstanceNode block => block.Class,
        ModuleListNode => ModuleListType,
        ScaleParameterNode => Modules + ".Parameter",
        _ when NodeKinds.Of(module) is { } kind => kind.TorchSharpType(module),
        _ => throw new System.InvalidOperationException("Unknown module " + module.GetType().Name),
    };

    public static string InitOf(ModuleNode module) => module switch
    {
        Conv2dNode conv => $"{Nn}.Conv2d({R(conv.In)}, {R(conv.Out)}, {string.Join(", ", new[] { Tuple(conv.Kernel) }.Concat(Geometry(conv)).Concat(conv.Bias ? new string[0] : new[] { "bias: false" }))})",
        ConvUnitNode unit => ConvUnit(unit),
        ActivationNode activation => $"{Nn}.{Activation(activation.Kind).Module}()",
        PoolNode pool => $"{Nn}.{(pool.Max ? "MaxPool2d" : "AvgPool2d")}({Tuple(pool.Kernel)}, stride: {Tuple(pool.Stride)}, padding: {Tuple(pool.Padding)}{PoolFlags(pool)})",
        BlockInstanceNode block => $"new {block.Class}({string.Join(", ", new[] { R(block.InChannels) }.Concat(block.Arguments.Select(a => $"{Identifiers.Escape(a.Name)}: {R(a.Value)}")))})",
        ModuleListNode list => $"{Nn}.ModuleList<{Nn}.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor>>(\n"
            + string.Join(",\n", list.Items.Select(i => "    " + InitOf(i).Replace("\n", "\n    "))) + ")",
        SequentialNode seq => Sequential(seq),
        ScaleParameterNode scale => $"global::TorchSharp.torch.nn.Parameter(global::TorchSharp.torch.full(new long[] {{ {R(scale.Channels)}, 1, 1 }}, {R(scale.Init)}))",
        _ when NodeKinds.Of(module) is { } kind => kind.TorchSharpBuild(module),
        _ => throw new System.InvalidOperationException("Unknown module " + module.GetType().Name),
    };

    /// <summary>
    /// A parameter-free module applied as a function to <paramref name="input"/> (a flat body's forward step):
    /// <c>nn.functional</c> calls, or the tensor's own method where that reads better.
    /// </summary>
    public static string ApplyOf(ModuleNode operation, string input) => operation switch
    {
        ActivationNode activation => Activations[activation.Kind].Apply.Replace("{0}", input),
        PoolNode pool => $"{F}.{(pool.Max ? "max_pool2d" : "avg_pool2d")}({input}, {Tuple(pool.Kernel)}, {Tuple(pool.Stride)}, {Tuple(pool.Padding)}{PoolFlags(pool)})",
        ScaleByParameterNode scale => $"{input} * this.{scale.Field}",
        _ when NodeKinds.Of(operation)?.TorchSharpApply(operation, input) is { } apply => apply,
        _ => throw new System.InvalidOperationException($"{operation.GetType().Name} has parameters; it is a field, not a function"),
    };

    /// <summary>
    /// The same operation overwriting its input, where TorchSharp has such a form (<c>x.relu_()</c>); null elsewhere.
    /// ForwardWriter uses it only where the input is a tensor no one else reads.
    /// </summary>
    public static string? InPlaceOf(ModuleNode operation, string input) =>
        operation is ActivationNode activation && Activations[activation.Kind].InPlace is { } inPlace ? inPlace.Replace("{0}", input) : null;

    /// <summary>Each activation kind's functional form and in-place form (<c>{0}</c>: the input), in TorchSharp.</summary>
    private static readonly Dictionary<string, (string Apply, string? InPlace)> Activations = new()
    {
        ["relu"] = (F + ".relu({0})", "{0}.relu_()"),
        ["relu6"] = (F + ".relu6({0})", null),
        ["sigmoid"] = ("{0}.sigmoid()", "{0}.sigmoid_()"),
        ["hard_sigmoid"] = (F + ".hardsigmoid({0})", null),
        ["hard_swish"] = (F + ".hardswish({0})", null),
        ["silu"] = (F + ".silu({0})", null),
        ["gelu"] = (F + ".gelu({0})", null),
        ["tanh"] = ("{0}.tanh()", "{0}.tanh_()"),
    };

    private const string F = Nn + ".functional";

    /// <summary>Pool flags PyTorch's defaults leave out: ceil mode, and an average pool that does not count its padding.</summary>
    private static string PoolFlags(PoolNode pool) =>
        (pool.Ceil ? ", ceil_mode: true" : "") + (!pool.Max && !pool.CountIncludePad ? ", count_include_pad: false" : "");

    /// <summary>A conv's stride, padding, dilation and groups, each only where it is not PyTorch's default.</summary>
    private static IEnumerable<string> Geometry(Conv2dNode conv)
    {
        if (!conv.Stride.Is(1)) yield return $"stride: {Tuple(conv.Stride)}";
        if (!conv.Padding.Is(0)) yield return $"padding: {Tuple(conv.Padding)}";
        if (!conv.Dilation.Is(1)) yield return $"dilation: {Tuple(conv.Dilation)}";
        if (!SymPair.IsConstant(conv.Groups, 1)) yield return $"groups: {R(conv.Groups)}";
    }

    private static string ConvUnit(ConvUnitNode unit)
    {
        var conv = unit.Conv;
        var named = new List<string> { $"kernel: {Tuple(conv.Kernel)}" };
        named.AddRange(Geometry(conv));
        if (conv.Bias) named.Add("bias: true");
        named.Add($"eps: {R(unit.Eps)}");
        if (!(unit.Momentum is SymLiteral { Constant: FloatValue { Number: 0.1 } })) named.Add($"momentum: {R(unit.Momentum)}");
        if (unit.Activation != "relu") named.Add("relu: false");
        // Any other activation is a module the unit applies after its BatchNorm (no parameters, so no state_dict entry).
        if (unit.Activation is not ("relu" or "none")) named.Add($"activation: {Nn}.{Activation(unit.Activation).Module}()");
        return $"new {UnitClass}({R(conv.In)}, {R(conv.Out)}, {string.Join(", ", named)})";
    }

    /// <summary>
    /// <c>nn.Sequential(("0", ...), ...)</c> when every member is always there; <c>SequentialOf((null, cond ? ... : null), ...)</c>
    /// when a constructor argument may leave members out; <c>SequentialOf(members => { for (...) members.Add(...); })</c> with a loop.
    /// </summary>
    private static string Sequential(SequentialNode seq)
    {
        if (seq.Items.Any(i => i is SequentialLoop))
            return $"{SequentialOf}({seq.ListName} =>\n{{\n{Indent(Entries(seq.Items, seq.ListName!))}}})";
        var members = seq.Items.Cast<SequentialMember>().ToList();
        if (seq.IsPlain)
            return $"{Nn}.Sequential(\n" + string.Join(",\n", members.Select(m => $"    ({CSharpText.Literal(m.Position)}, {InitOf(m.Module).Replace("\n", "\n    ")})")) + ")";
        // Unnamed members are numbered at construction, among those kept.
        return $"{SequentialOf}(\n" + string.Join(",\n", members.Select(m =>
            $"    ({Name(m)}, {(m.Condition is null ? InitOf(m.Module) : $"{R(m.Condition)}\n        ? {InitOf(m.Module).Replace("\n", "\n        ")}\n        : null")})".Replace("\n", "\n    "))) + ")";
    }

    /// <summary>The statements that add <paramref name="items"/> to the builder list, one per line.</summary>
    private static string Entries(IEnumerable<SequentialItem> items, string list)
    {
        var text = new StringBuilder();
        foreach (var item in items)
        {
            if (item is SequentialMember member)
            {
                var init = InitOf(member.Module);
                var module = member.Condition is null ? init : $"{R(member.Condition)}\n    ? {init.Replace("\n", "\n    ")}\n    : null";
                text.Append($"{list}.Add(({Name(member)}, {module}));\n");
                continue;
            }

            var loop = (SequentialLoop)item;
            if (loop.Reset is not null)
                text.Append($"{loop.Carried} = {R(loop.Reset)};\n");
            text.Append($"for (long {loop.Index} = 0; {loop.Index} < {CSharpExpressions.Wrap(loop.Count, Precedences.Additive)}; {loop.Index}++)\n{{\n");
            var body = Entries(loop.Body, list);
            if (loop.Next is not null)
                body += $"{loop.Carried} = {R(loop.Next)};\n";
            text.Append(Indent(body)).Append("}\n");
        }

        return text.ToString();
    }

    /// <summary>A member's name as C#: its parts joined (a literal, or text computed in a loop); null for a position.</summary>
    private static string Name(SequentialMember member) =>
        member.Name is { } parts ? string.Join(" + ", parts.Select(R)) : "null";

    private static string Indent(string lines) =>
        string.Concat(lines.Split('\n').Select((line, i) => line.Length == 0 ? (i == 0 ? "" : "\n") : "    " + line + "\n")).TrimEnd('\n') + "\n";

    /// <summary>The support helper that builds a Sequential leaving out the members a constructor argument drops (InceptionDsl.Support.g.cs).</summary>
    private const string SequentialOf = "InceptionDslModules.SequentialOf";

    private static string Tuple(SymPair pair) => $"({R(pair.H)}, {R(pair.W)})";

    private static string R(SymExpr expression) => CSharpExpressions.Render(expression);

    private static ActivationInfo Activation(string kind) =>
        ActivationCatalog.OfKind(kind) ?? throw new System.InvalidOperationException($"'{kind}' is not an activation");
}
