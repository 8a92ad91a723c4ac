using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Expressions;
using InceptionDsl.Kinds;
using InceptionDsl.Semantics;
using InceptionDsl.Syntax;

namespace InceptionDsl.Emit.PyTorch;

/// <summary>
/// The PyTorch renderer of <see cref="ModuleNode"/>s: the Python that builds each module (torch.nn's own classes, with
/// the names PyTorch gives their parameters, so the state_dict is the TorchSharp model's) and the functional form
/// of the parameter-free ones. A Sequential whose members a constructor argument chooses or counts is built by
/// statements first (a list the constructor fills), then by <c>sequential_of</c>.
/// </summary>
internal sealed class PyTorchModules
{
    private readonly System.Func<string, string> _className;

    /// <param name="className">The Python name of each block class of the model being written.</param>
    public PyTorchModules(System.Func<string, string> className) => _className = className;

    /// <summary>
    /// Writes the statements <paramref name="module"/> needs before it can be built (a counted Sequential's list), then
    /// returns the expression that builds it.
    /// </summary>
    public string Build(ModuleNode module, PythonWriter w) => module switch
    {
        Conv2dNode conv => $"nn.Conv2d({R(conv.In)}, {R(conv.Out)}, {string.Join(", ", new[] { Tuple(conv.Kernel) }.Concat(Geometry(conv)).Concat(conv.Bias ? new string[0] : new[] { "bias=False" }))})",
        ConvUnitNode unit => ConvUnit(unit),
        ActivationNode activation => $"nn.{Activation(activation.Kind).Module}()",
        PoolNode pool => $"nn.{(pool.Max ? "MaxPool2d" : "AvgPool2d")}({Tuple(pool.Kernel)}, stride={Tuple(pool.Stride)}, padding={Tuple(pool.Padding)}{PoolFlags(pool)})",
        BlockInstanceNode block => $"{_className(block.Class)}({string.Join(", ", new[] { R(block.InChannels) }.Concat(block.Arguments.Select(a => $"{PythonText.Name(a.Name)}={R(a.Value)}")))})",
        ModuleListNode list => "nn.ModuleList([\n" + string.Join(",\n", list.Items.Select(i => "    " + Build(i, w).Replace("\n", "\n    "))) + "])",
        SequentialNode seq => Sequential(seq, w),
        ScaleParameterNode scale => $"nn.Parameter(torch.full(({R(scale.Channels)}, 1, 1), {R(scale.Init)}))",
        _ when NodeKinds.Of(module) is { } kind => kind.PyTorchBuild(module),
        _ => throw new System.InvalidOperationException("Unknown module " + module.GetType().Name),
    };

    /// <summary>A parameter-free module applied as a function to <paramref name="input"/>.</summary>
    public static string Apply(ModuleNode operation, string input) => operation switch
    {
        ActivationNode activation => Functions[activation.Kind].Replace("{0}", input),
        PoolNode pool => $"F.{(pool.Max ? "max_pool2d" : "avg_pool2d")}({input}, {Tuple(pool.Kernel)}, {Tuple(pool.Stride)}, {Tuple(pool.Padding)}{PoolFlags(pool)})",
        _ when NodeKinds.Of(operation)?.PyTorchApply(operation, input) is { } apply => apply,
        _ => throw new System.InvalidOperationException($"{operation.GetType().Name} has parameters; it is a submodule, not a function"),
    };

    /// <summary>Each activation kind as a torch function of <c>{0}</c>.</summary>
    public static readonly IReadOnlyDictionary<string, string> Functions = new Dictionary<string, string>
    {
        ["relu"] = "F.relu({0})",
        ["relu6"] = "F.relu6({0})",
        ["sigmoid"] = "torch.sigmoid({0})",
        ["hard_sigmoid"] = "F.hardsigmoid({0})",
        ["hard_swish"] = "F.hardswish({0})",
        ["silu"] = "F.silu({0})",
        ["gelu"] = "F.gelu({0})",
        ["tanh"] = "torch.tanh({0})",
    };

    private static string PoolFlags(PoolNode pool) =>
        (pool.Ceil ? ", ceil_mode=True" : "") + (!pool.Max && !pool.CountIncludePad ? ", count_include_pad=False" : "");

    private static IEnumerable<string> Geometry(Conv2dNode conv)
    {
        if (!conv.Stride.Is(1)) yield return $"stride={Tuple(conv.Stride)}";
        if (!conv.Padding.Is(0)) yield return $"padding={Tuple(conv.Padding)}";
        if (!conv.Dilation.Is(1)) yield return $"dilation={Tuple(conv.Dilation)}";
        if (!SymPair.IsConstant(conv.Groups, 1)) yield return $"groups={R(conv.Groups)}";
    }

    private static string ConvUnit(ConvUnitNode unit)
    {
        var conv = unit.Conv;
        var named = new List<string> { Tuple(conv.Kernel) };
        named.AddRange(Geometry(conv));
        if (conv.Bias) named.Add("bias=True");
        named.Add($"eps={R(unit.Eps)}");
        if (!(unit.Momentum is SymLiteral { Constant: FloatValue { Number: 0.1 } })) named.Add($"momentum={R(unit.Momentum)}");
        if (unit.Activation != "relu") named.Add($"act={PythonText.Literal(unit.Activation)}");
        return $"BasicConv2d({R(conv.In)}, {R(conv.Out)}, {string.Join(", ", named)})";
    }

    /// <summary>
    /// <c>nn.Sequential(a, b, ...)</c> when every member is always there at its position; otherwise the members go into a
    /// list (a loop's copies appended as the constructor counts them, a left-out member as None) and
    /// <c>sequential_of</c> names each unnamed one by its position among those kept, as <c>nn.Sequential(*list)</c>.
    /// </summary>
    private string Sequential(SequentialNode seq, PythonWriter w)
    {
        if (seq.IsPlain)
        {
            // Every member at its place: positions 0, 1, ... are nn.Sequential's own names; other names go in an OrderedDict.
            var members = seq.Items.Cast<SequentialMember>().ToList();
            bool positional = members.Select((m, i) => m.Position == i.ToString(System.Globalization.CultureInfo.InvariantCulture)).All(p => p);
            var parts = members.Select(m => "    " + (positional ? Build(m.Module, w) : $"({PythonText.Literal(m.Position)}, {Build(m.Module, w)})").Replace("\n", "\n    "));
            return positional ? "nn.Sequential(\n" + string.Join(",\n", parts) + ")" : "nn.Sequential(OrderedDict([\n" + string.Join(",\n", parts) + "]))";
        }

        if (!seq.Items.Any(i => i is SequentialLoop))
        {
            var members = seq.Items.Cast<SequentialMember>().Select(m => "    " + Member(m, w).Replace("\n", "\n    "));
            return "sequential_of([\n" + string.Join(",\n", members) + "])";
        }

        var list = PythonText.Name(seq.ListName ?? "members");
        w.Line($"{list} = []");
        Append(seq.Items, list, w);
        return $"sequential_of({list})";
    }

    private void Append(IEnumerable<SequentialItem> items, string list, PythonWriter w)
    {
        foreach (var item in items)
        {
            if (item is SequentialMember member)
            {
                w.Line($"{list}.append({Member(member, w)})");
                continue;
            }

            var loop = (SequentialLoop)item;
            var carried = loop.Carried is null ? null : PythonText.Name(loop.Carried);
            if (loop.Reset is not null)
                w.Line($"{carried} = {R(loop.Reset)}");
            w.Open($"for {PythonText.Name(loop.Index)} in range({R(loop.Count)}):");
            Append(loop.Body, list, w);
            if (loop.Next is not null)
                w.Line($"{carried} = {R(loop.Next)}");
            w.Close();
        }
    }

    /// <summary>A (name, module) pair of a built list: the name as text or None, the module None where its condition fails.</summary>
    private string Member(SequentialMember member, PythonWriter w)
    {
        var name = member.Name is { } parts ? string.Join(" + ", parts.Select(R)) : "None";
        var module = Build(member.Module, w);
        return member.Condition is null ? $"({name}, {module})" : $"({name}, {module} if {R(member.Condition)} else None)";
    }

    private static string Tuple(SymPair pair) => $"({R(pair.H)}, {R(pair.W)})";

    private static string R(SymExpr expression) => PythonExpressions.Render(expression);

    private static ActivationInfo Activation(string kind) =>
        ActivationCatalog.OfKind(kind) ?? throw new System.InvalidOperationException($"'{kind}' is not an activation");
}
