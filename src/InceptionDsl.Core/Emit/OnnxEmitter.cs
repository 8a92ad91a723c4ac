using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using InceptionDsl.Expressions;
using InceptionDsl.Semantics;
using InceptionDsl.Syntax;

namespace InceptionDsl.Emit;

/// <summary>
/// Writes, for a model and each of its block classes, the method that appends its forward to an
/// ONNX graph (InceptionDsl.Onnx's OnnxGraphBuilder): the same steps ForwardWriter writes as C#,
/// one builder call per step, each named by the state_dict path of its layer. A module step's layer is
/// written by <see cref="OnnxModules"/> from its IR node (geometry from the IR, tensors from the
/// fields), with the BatchNorms <see cref="BatchNormPairs"/> pairs folded in. Emitted only when
/// the compilation references the builder (<see cref="EmitOptions.Onnx"/>), so models that do not
/// export carry no dependency on the ONNX assembly.
/// </summary>
public static partial class OnnxEmitter
{
    /// <summary>The type whose presence in the compilation turns the ONNX methods on.</summary>
    public const string BuilderMetadataName = "InceptionDsl.Onnx.OnnxGraphBuilder";

    private const string Builder = "global::InceptionDsl.Onnx.OnnxGraphBuilder";
    public const string ModelInterface = "global::InceptionDsl.Onnx.IOnnxExportable";
    public const string BlockInterface = "global::InceptionDsl.Onnx.IOnnxWritable";

    /// <summary>The model's OnnxInfo (what the spec says: written into the file's metadata) and WriteOnnx.</summary>
    internal static void WriteModel(CodeWriter w, ModelIR model, ClassIR body, IReadOnlyList<(string Conv, string Bn)> pairs, OnnxModuleFields fields)
    {
        var meta = model.Metadata;
        string Number(double? value) => value is null ? "null" : FloatValue.FormatDouble(value.Value);
        w.Line($"private static readonly global::InceptionDsl.Onnx.OnnxModelInfo OnnxModelInfo = new(nameof({model.ClassName}), "
            + $"{CSharpText.Literal(System.IO.Path.GetFileName(model.SpecPath))}, {CSharpText.LiteralOrNull(meta.Paper)}, {CSharpText.LiteralOrNull(meta.Peer)}, "
            + $"{Number(meta.Top1)}, {Number(meta.Top5)}, {model.InChannels}, {model.Height}, {model.Width});");
        w.Line();
        w.Line("/// <inheritdoc />");
        w.Line($"global::InceptionDsl.Onnx.OnnxModelInfo {ModelInterface}.OnnxInfo => OnnxModelInfo;");
        w.Line();
        w.Line("/// <inheritdoc />");
        w.Open($"void {ModelInterface}.WriteOnnx({Builder} graph)");
        w.Line("const string path = \"\";");
        w.Line("var x = graph.Input;");
        new StepWriter(w, body, new Dictionary<SymExpr, string>(), new Dictionary<SymExpr, string>(), pairs, fields.Modules(w)).Write(body.Forward, "x");
        w.Line("graph.Logits(x);");
        w.Close();
    }

    /// <summary>A block class's WriteOnnx (explicit IOnnxWritable implementation).</summary>
    internal static void WriteBlock(CodeWriter w, ClassIR block, IReadOnlyDictionary<SymExpr, string> conditionFields,
        IReadOnlyDictionary<SymExpr, string> valueFields, IReadOnlyList<(string Conv, string Bn)> pairs, OnnxModuleFields fields)
    {
        w.Line();
        w.Line("/// <inheritdoc />");
        w.Open($"string {BlockInterface}.WriteOnnx({Builder} graph, string path, string input)");
        w.Line("var x = input;");
        new StepWriter(w, block, conditionFields, valueFields, pairs, fields.Modules(w)).Write(block.Forward, "x");
        w.Line("return x;");
        w.Close();
    }

    /// <summary>
    /// The fields a class's WriteOnnx reads (the constructor-time values its module sizes read), found by writing it
    /// once into a scratch writer: the class declares and sets them before its WriteOnnx is written for real.
    /// </summary>
    internal static OnnxModuleFields FieldsOf(ModelIR model, ClassIR cls, bool isModel, IReadOnlyDictionary<SymExpr, string> conditionFields,
        IReadOnlyDictionary<SymExpr, string> valueFields, IReadOnlyList<(string Conv, string Bn)> pairs, string ns, ISet<string> taken)
    {
        var names = new Dictionary<string, SymType>();
        foreach (var parameter in cls.Params)
            names[parameter.Name] = parameter.Type;
        foreach (var let in cls.Lets)
            names[let.Name] = let.Type;
        if (isModel)
        {
            names["numClasses"] = SymType.Int;
            names["inChannels"] = SymType.Int;
        }

        var fields = new OnnxModuleFields(ns, names, taken);
        var scratch = new CodeWriter();
        if (isModel)
            WriteModel(scratch, model, cls, pairs, fields);
        else
            WriteBlock(scratch, cls, conditionFields, valueFields, pairs, fields);
        return fields;
    }

    /// <summary>The forward steps as builder calls.</summary>
    private sealed partial class StepWriter : StepVisitor<string, bool>
    {
        private readonly CodeWriter _w;
        private readonly Dictionary<string, string> _stateNames;
        private readonly IReadOnlyDictionary<SymExpr, string> _conditionFields;
        private readonly IReadOnlyDictionary<SymExpr, string> _valueFields;
        private readonly Dictionary<string, MemberIR> _members;

        /// <summary>Each folded BatchNorm field's convolution, and each such convolution's BatchNorm (<see cref="BatchNormPairs.Of"/>).</summary>
        private readonly Dictionary<string, string> _convOfBn;
        private readonly Dictionary<string, string> _bnOfConv;
        private readonly OnnxModules _modules;

        private int _locals;

        public StepWriter(CodeWriter w, ClassIR cls, IReadOnlyDictionary<SymExpr, string> conditionFields,
            IReadOnlyDictionary<SymExpr, string> valueFields, IReadOnlyList<(string Conv, string Bn)> pairs, OnnxModules modules)
        {
            _w = w;
            _stateNames = cls.Members.ToDictionary(m => m.Field, m => m.StateName);
            _members = cls.Members.ToDictionary(m => m.Field, m => m);
            _conditionFields = conditionFields;
            _valueFields = valueFields;
            _convOfBn = pairs.ToDictionary(p => p.Bn, p => p.Conv);
            _bnOfConv = pairs.ToDictionary(p => p.Conv, p => p.Bn);
            _modules = modules;
        }

        /// <summary>Applies <paramref name="steps"/> to the value named by the local <paramref name="local"/>, leaving the result in it.</summary>
        public void Write(IEnumerable<StepIR> steps, string local)
        {
            foreach (var step in steps)
                Visit(step, local);
        }

        // Each visit writes its step's builder calls, applied to the value in the local v (left there); the result is unused.

        protected override bool VisitModule(ModuleStep module, string v)
        {
            _w.Comment(module.Comment);
            WriteModule(module, v);
            return true;
        }

        protected override bool VisitFunctional(FunctionalStep functional, string v)
        {
            WriteFunctional(functional, v);
            return true;
        }

        protected override bool VisitConcat(ConcatStep concat, string v)
        {
            _w.Comment(concat.Comment);
            var parts = new List<string>();
            foreach (var branch in concat.Branches)
            {
                var local = Local("branch");
                _w.Line($"var {local} = {v};");
                Write(branch.Steps, local);
                parts.Add(local);
            }

            _w.Line($"{v} = graph.Concat({Child(Name(concat))}, {string.Join(", ", parts)});");
            return true;
        }

        protected override bool VisitResidual(ResidualStep residual, string v)
        {
            _w.Comment(residual.Comment);
            var shortcut = Local("shortcut");
            _w.Line($"var {shortcut} = {v};");
            Write(residual.Shortcut, shortcut);
            var body = Local("residual");
            _w.Line($"var {body} = {v};");
            Write(residual.Body, body);
            // No drop-path here: the C# forward's DropPath is the identity outside training, so the exported graph adds the branch as is.
            var scale = residual.Scale is null ? "1.0"
                : _valueFields.TryGetValue(residual.Scale, out var field) ? "this." + field
                : FloatValue.FormatDouble(residual.ScaleValue);
            var sum = $"graph.Residual({Child(Name(residual))}, {body}, {shortcut}, {scale})";
            _w.Line(residual.AddCondition is null ? $"{v} = {sum};" : $"{v} = this.{_conditionFields[residual.AddCondition]} ? {sum} : {body};");
            return true;
        }

        protected override bool VisitGate(GateStep gate, string v)
        {
            _w.Comment(gate.Comment);
            var weights = Local("gate");
            _w.Line($"var {weights} = {v};");
            Write(gate.Branch, weights);
            _w.Line($"{v} = graph.Gate({Child(Name(gate))}, {v}, {weights});");
            return true;
        }

        protected override bool VisitSelect(SelectStep select, string v)
        {
            WriteSelect(select, v);
            return true;
        }

        protected override bool VisitAuxTap(AuxTapStep tap, string v)
        {
            _w.Comment(tap.Comment);
            var head = _members[tap.AuxField].Module;
            if (!OnnxModules.Maps(head))
            {
                // A block head writes itself.
                _w.Line($"if (graph.IncludeAux && this.{tap.AuxField} is not null) graph.AuxOutput({CSharpText.Literal(_stateNames[tap.AuxField])}, "
                    + $"graph.Module(this.{tap.AuxField}, {Child(_stateNames[tap.AuxField])}, {v}));");
                return true;
            }

            _w.Open($"if (graph.IncludeAux && this.{tap.AuxField} is not null)");
            var aux = Local("aux");
            _w.Line($"var {aux} = {v};");
            _modules.Write(head, $"this.{tap.AuxField}!", Child(_stateNames[tap.AuxField]), aux);
            _w.Line($"graph.AuxOutput({CSharpText.Literal(_stateNames[tap.AuxField])}, {aux});");
            _w.Close();
            return true;
        }

        /// <summary>
        /// A module field: a convolution with the BatchNorm the IR pairs with it folded in (its own weights once
        /// FoldBatchNorms folded them), that BatchNorm left out, any other module the IR renderer maps from its node,
        /// and the rest (blocks, support modules) writing themselves.
        /// </summary>
        private void WriteModule(ModuleStep module, string v)
        {
            var member = _members[module.Field];
            var path = Child(_stateNames[module.Field]);
            if (_convOfBn.TryGetValue(module.Field, out var conv))
            {
                _w.Line($"// (folded into {conv.TrimStart('@')})");
                return;
            }

            var access = module.Optional || member.Condition is not null ? $"this.{module.Field}!" : $"this.{module.Field}";
            if (module.Optional)
                _w.Open($"if (this.{module.Field} is not null)");
            if (_bnOfConv.TryGetValue(module.Field, out var bn))
                _modules.WriteFolded((Conv2dNode)member.Module, access, $"this.{bn}", path, v, $"this.{InferenceEmitter.FoldedFlag}");
            else
                _modules.Write(member.Module, access, path, v);
            if (module.Optional)
                _w.Close();
        }

        /// <summary>Selective kernels: each path's module on the input (or its channel slice), attn on their sum, then the builder's softmax-weighted sum.</summary>
        private void WriteSelect(SelectStep select, string v)
        {
            _w.Comment(select.Comment);
            var id = (_locals++).ToString(CultureInfo.InvariantCulture);
            var pathsName = _stateNames[select.PathsField];
            var slices = "slices" + id;
            if (select.Split)
                _w.Line($"var {slices} = graph.SplitChannels({Child(Name(select) + ".split")}, {v}, {select.PathCount});");
            var outputs = "paths" + id;
            _w.Line($"var {outputs} = new string[{select.PathCount}];");
            var items = ((ModuleListNode)_members[select.PathsField].Module).Items;
            for (int i = 0; i < select.PathCount; i++)
            {
                var index = i.ToString(CultureInfo.InvariantCulture);
                var local = outputs + "_" + index;
                _w.Line($"var {local} = {(select.Split ? $"{slices}[{index}]" : v)};");
                _modules.Write(items[i], $"(({TorchSharpModules.TypeOf(items[i])})this.{select.PathsField}[{index}])", Child(pathsName + "." + index), local);
                _w.Line($"{outputs}[{index}] = {local};");
            }

            var weights = "weights" + id;
            _w.Line($"var {weights} = graph.Sum({Child(Name(select) + ".sum")}, {outputs});");
            _modules.Write(_members[select.AttnField].Module, $"this.{select.AttnField}", Child(_stateNames[select.AttnField]), weights);
            _w.Line($"{v} = graph.SelectKernel({Child(Name(select))}, {outputs}, {weights});");
        }

        /// <summary>
        /// A parameter-free operation of a flat body, written as its module would be (<see cref="OnnxModules"/>: the same
        /// builder call, its sizes from the IR), under the step's condition where it has one; a layer scale multiplies by
        /// the class's own parameter.
        /// </summary>
        private void WriteFunctional(FunctionalStep step, string v)
        {
            // The registry says which engines render a kind; one without ONNX leaves the model without export (IDSL090).
            if (!Kinds.NodeKinds.TryGet(step.Kind, out var kind) || (kind.Backends & Kinds.Backends.Onnx) == 0)
                throw new System.InvalidOperationException($"no ONNX form for the operation '{step.Kind}'");
            _w.Comment(step.Comment);
            if (step.Condition is not null)
                _w.Open($"if (this.{_conditionFields[step.Condition]})");
            if (step.Operation is ScaleByParameterNode)
                _w.Line($"{v} = {LayerScaleCall(step, v)};");
            else if (OnnxModules.Maps(step.Operation))
                _modules.Write(step.Operation, access: "", Child(step.Kind), v);
            else
                throw new System.InvalidOperationException($"no ONNX form for the operation '{step.Kind}'");
            if (step.Condition is not null)
                _w.Close();
        }

        /// <summary>A fresh local of WriteOnnx: <paramref name="prefix"/> and the next number.</summary>
        private string Local(string prefix) => prefix + (_locals++).ToString(CultureInfo.InvariantCulture);

        private static string Name(StepIR step) => step.Label.Length > 0 ? step.Label : step.Kind;

        private static string Child(string name) => $"{Builder}.Child(path, {CSharpText.Literal(name)})";

    }
}
