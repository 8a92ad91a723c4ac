using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using InceptionDsl.Expressions;
using InceptionDsl.Kinds;
using InceptionDsl.Semantics;
using InceptionDsl.Syntax;

namespace InceptionDsl.Emit;

/// <summary>
/// The ONNX renderer of <see cref="ModuleNode"/>s, as <see cref="TorchSharpModules"/> is the TorchSharp one: for a
/// built-in module, the OnnxGraphBuilder calls with the geometry from the IR (kernel, stride, padding, dilation,
/// groups, eps, ceil mode, count_include_pad, activation kind) and only the tensors (weights, running statistics)
/// from the module's fields. A size the constructor computes is read from a field the class stores it in
/// (<see cref="OnnxModuleFields"/>, one per constructor parameter or let it reads). The BatchNorms folded into the
/// convolution before them are those <see cref="BatchNormPairs"/> pairs, folded with the generated
/// InceptionDslInference.FoldedWeights, the formula Fuse() uses. A Sequential's members are found among the children
/// its constructor built (OnnxGraphBuilder.Children). Generated blocks and the support modules write themselves
/// (IOnnxWritable, through <c>graph.Module</c>), as does a Sequential of blocks alone.
/// </summary>
internal sealed class OnnxModules
{
    private const string Builder = "global::InceptionDsl.Onnx.OnnxGraphBuilder";

    private readonly CodeWriter _w;
    private readonly string _inference;
    private readonly IReadOnlyDictionary<string, SymType> _runTimeNames;
    private readonly Dictionary<string, (string Field, SymType Type)> _fields;
    private readonly ISet<string> _taken;
    private readonly HashSet<string> _loopIndices = new();
    private int _locals;

    /// <param name="w">Where the calls go.</param>
    /// <param name="ns">The generated support's namespace (InceptionDslInference).</param>
    /// <param name="runTimeNames">The constructor's parameters and lets: a size that reads one is stored in a field.</param>
    /// <param name="fields">The fields chosen so far, by the name they store; grows as sizes need them.</param>
    /// <param name="taken">Member names a new field must not take; grows with them.</param>
    public OnnxModules(CodeWriter w, string ns, IReadOnlyDictionary<string, SymType> runTimeNames, Dictionary<string, (string Field, SymType Type)> fields, ISet<string> taken)
    {
        _w = w;
        _inference = $"global::{ns}.InceptionDslInference";
        _runTimeNames = runTimeNames;
        _fields = fields;
        _taken = taken;
    }

    /// <summary>Whether the renderer writes <paramref name="module"/> from the IR (otherwise: <c>graph.Module</c>).</summary>
    public static bool Maps(ModuleNode module) => module switch
    {
        Conv2dNode or ConvUnitNode or PoolNode or ActivationNode => true,
        // A Sequential of blocks alone is walked by the builder (each block writes itself). A loop's copies are found
        // at run time; the channels a loop carries from copy to copy are not stored, so nothing written may read them.
        SequentialNode sequence => Members(sequence.Items).Any(m => Maps(m.Module)) && !ReadsCarried(sequence.Items),
        // A kind of the registry says whether it is written from the IR (Kinds/: bn, linear, the adaptive and global
        // pools, flatten, dropout, identity) or writes itself (its support class).
        _ => NodeKinds.Of(module)?.OnnxFromIr == true,
    };

    /// <summary>The members of <paramref name="items"/>, those in loops' bodies included.</summary>
    private static IEnumerable<SequentialMember> Members(IEnumerable<SequentialItem> items) =>
        items.SelectMany(i => i is SequentialLoop loop ? Members(loop.Body) : new[] { (SequentialMember)i });

    private static bool ReadsCarried(IEnumerable<SequentialItem> items) =>
        items.OfType<SequentialLoop>().Any(loop => (loop.Carried is not null && Members(loop.Body).Any(m =>
            (m.Condition is not null && m.Condition.Names().Contains(loop.Carried)) || Read(m.Module).Any(e => e.Names().Contains(loop.Carried))))
            || ReadsCarried(loop.Body));

    /// <summary>The expressions the writer reads of a module (its geometry and eps, a Sequential's conditions), not its channels.</summary>
    private static IEnumerable<SymExpr> Read(ModuleNode module) => module switch
    {
        Conv2dNode conv => conv.Kernel.Both().Concat(conv.Stride.Both()).Concat(conv.Padding.Both()).Concat(conv.Dilation.Both()).Append(conv.Groups),
        ConvUnitNode unit => Read(unit.Conv),
        PoolNode pool => pool.Kernel.Both().Concat(pool.Stride.Both()).Concat(pool.Padding.Both()),
        SequentialNode sequence => Members(sequence.Items).SelectMany(m => (m.Condition is null ? Enumerable.Empty<SymExpr>() : new[] { m.Condition }).Concat(Read(m.Module))),
        _ when NodeKinds.Of(module) is { OnnxFromIr: true } kind => kind.OnnxReads(module),
        _ => Enumerable.Empty<SymExpr>(),
    };

    /// <summary>
    /// Applies <paramref name="module"/>, held by the C# expression <paramref name="access"/> (of its TorchSharp type) at the
    /// state_dict path <paramref name="path"/> (a C# expression), to the value named by the local <paramref name="v"/>.
    /// </summary>
    public void Write(ModuleNode module, string access, string path, string v)
    {
        // A child found in a Sequential is cast once, to a local, where its tensors are read.
        if (module is Conv2dNode && access.Contains("["))
        {
            var layer = Local("layer");
            _w.Line($"var {layer} = {access};");
            access = layer;
        }

        switch (module)
        {
            case Conv2dNode conv:
                _w.Line($"{v} = graph.Conv({path}, {v}, {access}.weight!, {access}.bias, {Geometry(conv)});");
                break;
            case ConvUnitNode unit:
                var (weight, bias) = (Local("weight"), Local("bias"));
                _w.Line($"var ({weight}, {bias}) = {access}.InferenceWeights();");
                _w.Line($"{v} = graph.Conv({Child(path, "conv")}, {v}, {weight}, {bias}, {Geometry(unit.Conv)});");
                if (unit.Activation != "none")
                    WriteActivation(unit.Activation, Child(path, unit.Activation == "relu" ? "relu" : "activation"), v);
                break;
            case PoolNode { Max: true } pool:
                _w.Line($"{v} = graph.MaxPool({path}, {v}, {Pair(pool.Kernel)}, {Pair(pool.Stride)}, {Pair(pool.Padding)}, {Bool(pool.Ceil)});");
                break;
            case PoolNode pool:
                _w.Line($"{v} = graph.AvgPool({path}, {v}, {Pair(pool.Kernel)}, {Pair(pool.Stride)}, {Pair(pool.Padding)}, {Bool(pool.Ceil)}, {Bool(!pool.CountIncludePad)});");
                break;
            case ActivationNode activation:
                WriteActivation(activation.Kind, path, v);
                break;
            case SequentialNode sequence when Maps(sequence):
                WriteSequential(sequence, access, path, v);
                break;
            case var _ when NodeKinds.Of(module) is { OnnxFromIr: true } kind:
                _w.Line(kind.WriteOnnx(module, new Call(this, access, path, v)));
                break;
            default:
                _w.Line($"{v} = graph.Module({access}, {path}, {v});");
                break;
        }
    }

    /// <summary>
    /// A convolution and the BatchNorm folded into it (<see cref="BatchNormPairs"/>): the convolution with the folded
    /// weights, or its own once <paramref name="foldedFlag"/> (a C# bool, null: never) says Fuse() folded them.
    /// </summary>
    public void WriteFolded(Conv2dNode conv, string convAccess, string bnAccess, string path, string v, string? foldedFlag)
    {
        var (weight, bias) = (Local("weight"), Local("bias"));
        var fold = $"{_inference}.FoldedWeights({convAccess}, {bnAccess})";
        _w.Line($"var ({weight}, {bias}) = {(foldedFlag is null ? fold : $"{foldedFlag} ? ({convAccess}.weight!, {convAccess}.bias) : {fold}")};");
        _w.Line($"{v} = graph.Conv({path}, {v}, {weight}, {bias}, {Geometry(conv)});");
    }

    /// <summary>
    /// A Sequential's members in order, each the child the constructor built at that place: a member built under a
    /// condition is there only where the condition (on the stored fields) holds, and the ones after it move up; a
    /// loop's members are found copy by copy, its index a local as in the constructor.
    /// </summary>
    private void WriteSequential(SequentialNode sequence, string access, string path, string v)
    {
        var children = Local("children");
        var parent = Local("path");
        _w.Line($"var {children} = {Builder}.Children({access});");
        _w.Line($"var {parent} = {path};");
        // Each member's place is its count in the walk when no condition or loop comes before it; else a running count.
        var kept = sequence.Items.Any(i => i is SequentialLoop || i is SequentialMember { Condition: not null }) ? Local("kept") : null;
        if (kept is not null)
            _w.Line($"int {kept} = 0;");
        WriteItems(sequence.Items, children, parent, kept, v);
    }

    private void WriteItems(IReadOnlyList<SequentialItem> items, string children, string parent, string? kept, string v)
    {
        var pairs = BatchNormPairs.InSequential(items);
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i] is SequentialLoop loop)
            {
                _w.Open($"for (long {loop.Index} = 0; {loop.Index} < {Value(loop.Count)}; {loop.Index}++)");
                _loopIndices.Add(loop.Index);
                WriteItems(loop.Body, children, parent, kept, v);
                _loopIndices.Remove(loop.Index);
                _w.Close();
                continue;
            }

            var member = (SequentialMember)items[i];
            var index = kept ?? i.ToString(CultureInfo.InvariantCulture);
            var child = $"{children}[{index}].Module";
            var childPath = $"{Builder}.Child({parent}, {children}[{index}].Name)";
            if (member.Condition is not null)
                _w.Open($"if ({Value(member.Condition)})");
            if (pairs.Contains(i - 1))
                _w.Line($"// {children}[{index}]: the BatchNorm folded into the convolution before it");
            else if (pairs.Contains(i))
            {
                var next = kept is null ? (i + 1).ToString(CultureInfo.InvariantCulture) : kept + " + 1";
                WriteFolded((Conv2dNode)member.Module, Cast(member.Module, child), Cast(((SequentialMember)items[i + 1]).Module, $"{children}[{next}].Module"), childPath, v, foldedFlag: null);
            }
            else
                Write(member.Module, Maps(member.Module) ? Cast(member.Module, child) : child, childPath, v);
            if (kept is not null)
                _w.Line($"{kept}++;");
            if (member.Condition is not null)
                _w.Close();
        }
    }

    private static string Cast(ModuleNode module, string child) => $"(({TorchSharpModules.TypeOf(module)}){child})";

    private void WriteActivation(string kind, string path, string v)
    {
        var activation = ActivationCatalog.OfKind(kind) ?? throw new System.InvalidOperationException($"'{kind}' is not an activation");
        _w.Line($"{v} = graph.{activation.OnnxMethod}({path}, {v});");
    }

    /// <summary>A convolution's kernel, stride, padding, dilation and groups, as the builder's Conv takes them after the tensors.</summary>
    private string Geometry(Conv2dNode conv) =>
        $"{Pair(conv.Kernel)}, {Pair(conv.Stride)}, {Pair(conv.Padding)}, {Pair(conv.Dilation)}, {Long(conv.Groups)}";

    private string Pair(SymPair pair) => $"({Long(pair.H)}, {Long(pair.W)})";

    private string Long(SymExpr size) => Value(size);

    /// <summary>A number the builder takes as a double: an integer constant is written as one.</summary>
    private string Double(SymExpr value) => value is SymLiteral { Constant: IntValue i } ? FloatValue.FormatDouble(i.Number) : Value(value);

    /// <summary>The C# of a value WriteOnnx knows: a constant as is; a constructor-time name as the field that stores it.</summary>
    private string Value(SymExpr expression) => CSharpExpressions.Render(ToFields(expression));

    /// <summary>The expression with each name it reads replaced by <c>this.field</c> (the field chosen on first use), a loop's index kept.</summary>
    private SymExpr ToFields(SymExpr expression) => expression switch
    {
        SymName name => _loopIndices.Contains(name.Name) ? name : new SymName("this." + FieldOf(name.Name)),
        SymUnary unary => unary with { Operand = ToFields(unary.Operand) },
        SymBinary binary => binary with { Left = ToFields(binary.Left), Right = ToFields(binary.Right) },
        SymConditional c => new SymConditional(ToFields(c.Condition), ToFields(c.WhenTrue), ToFields(c.WhenFalse)),
        SymCall call => call with { Arguments = call.Arguments.Select(ToFields).ToEquatableArray() },
        SymConvert convert => convert with { Operand = ToFields(convert.Operand) },
        _ => expression,
    };

    private string FieldOf(string name)
    {
        if (_fields.TryGetValue(name, out var known))
            return known.Field;
        if (!_runTimeNames.TryGetValue(name, out var type))
            throw new System.InvalidOperationException($"the ONNX writer cannot read '{name}' outside the constructor");
        var field = "_" + name.TrimStart('@');
        for (int i = 1; _taken.Contains(field); i++)
            field = "_" + name.TrimStart('@') + i.ToString(CultureInfo.InvariantCulture);
        _taken.Add(field);
        _fields[name] = (field, type);
        return field;
    }

    /// <summary>
    /// A kind's view of one module being written. A child found in a Sequential is cast once, to a local, the first time
    /// the kind reads the module (for its tensors).
    /// </summary>
    private sealed class Call : IOnnxCall
    {
        private readonly OnnxModules _modules;
        private string _access;

        public Call(OnnxModules modules, string access, string path, string value)
        {
            _modules = modules;
            _access = access;
            Path = path;
            Value = value;
        }

        public string Access
        {
            get
            {
                if (_access.Contains("["))
                {
                    var layer = _modules.Local("layer");
                    _modules._w.Line($"var {layer} = {_access};");
                    _access = layer;
                }

                return _access;
            }
        }

        public string Path { get; }

        public string Value { get; }

        public string Long(SymExpr size) => _modules.Long(size);

        public string Double(SymExpr value) => _modules.Double(value);

        public string Pair(SymPair pair) => _modules.Pair(pair);
    }

    private string Local(string prefix) => prefix + (_locals++).ToString(CultureInfo.InvariantCulture);

    /// <summary>The path of <paramref name="name"/> under <paramref name="path"/>; <c>Child(p, "a")</c> then <c>"b"</c> reads <c>Child(p, "a.b")</c>.</summary>
    private static string Child(string path, string name)
    {
        const string call = Builder + ".Child(";
        var literal = CSharpText.Literal(name);
        // Only Child(local, "plain") is joined: one plain literal, last, and nothing quoted before it.
        bool joinable = literal == "\"" + name + "\"" && path.StartsWith(call, System.StringComparison.Ordinal)
            && path.EndsWith("\")", System.StringComparison.Ordinal) && path.Count(c => c == '"') == 2 && path.IndexOf('\\') < 0;
        return joinable ? path.Substring(0, path.Length - 2) + "." + name + "\")" : $"{Builder}.Child({path}, {literal})";
    }

    private static string Bool(bool value) => value ? "true" : "false";
}
