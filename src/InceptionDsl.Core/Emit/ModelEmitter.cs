using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using InceptionDsl.Expressions;
using InceptionDsl.Semantics;

namespace InceptionDsl.Emit;

/// <summary>
/// Emits the C# of one model: a sealed TorchSharp module with a field per submodule, a
/// constructor taking the run-time options, forward, and one nested class per block it uses.
/// </summary>
public static class ModelEmitter
{
    private const string Module = "global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor>";
    private const string Tensor = "global::TorchSharp.torch.Tensor";

    /// <summary>The hint name of a model's generated file.</summary>
    public static string HintName(ModelIR model) => model.ClassName + ".g.cs";

    /// <summary>The model's C# (with its ONNX writer when <see cref="EmitOptions.Onnx"/> and the writer has a form for every step).</summary>
    public static string Emit(ModelIR model, EmitOptions options) => Emit(model, options, out _);

    /// <summary>
    /// The model's C#. A model with a step the ONNX writer has no form for (yet) is emitted without ONNX export rather
    /// than failing the whole spec; <paramref name="onnxGap"/> then says why (the generator reports it as IDSL090),
    /// and is null otherwise.
    /// </summary>
    public static string Emit(ModelIR model, EmitOptions options, out string? onnxGap)
    {
        onnxGap = null;
        if (options.Onnx)
        {
            try
            {
                return Write(model, options);
            }
            catch (System.InvalidOperationException gap)
            {
                onnxGap = gap.Message;
                return Write(model, options with { Onnx = false });
            }
        }

        return Write(model, options);
    }

    private static string Write(ModelIR model, EmitOptions options)
    {
        var w = new CodeWriter();
        SourceHeader.Write(w, $"from {ZooEmitter.SpecFileName(model.SpecPath)}");
        w.Open($"namespace {options.Namespace}");
        WriteModelClass(w, model, options);
        w.Close();
        return w.ToString();
    }

    private static void WriteModelClass(CodeWriter w, ModelIR model, EmitOptions options)
    {
        var ns = options.Namespace;
        var body = InferenceEmitter.WithOptionalClassifier(model.Body, out var classifier);
        var foldPairs = BatchNormPairs.Of(body);
        var folded = foldPairs.Select(p => p.Bn).ToList();
        var onnxFields = options.Onnx
            ? OnnxEmitter.FieldsOf(model, body, isModel: true, new Dictionary<SymExpr, string>(), new Dictionary<SymExpr, string>(), foldPairs, ns,
                new HashSet<string>(body.Members.Select(m => m.Field.TrimStart('@')).Concat(GeneratedNames.ModuleMembers)) { model.ClassName })
            : null;
        var meta = model.Metadata;
        var summary = new List<string> { $"{model.ClassName}, generated from {ZooEmitter.SpecFileName(model.SpecPath)}." };
        if (meta.Paper is not null) summary.Add($"Paper: {meta.Paper}.");
        if (meta.Peer is not null) summary.Add($"Peer (state_dict names match): {meta.Peer}.");
        if (meta.Top1 is not null) summary.Add($"Reported accuracy: top-1 {meta.Top1.Value.ToString(CultureInfo.InvariantCulture)}{(meta.Top5 is null ? "" : $", top-5 {meta.Top5.Value.ToString(CultureInfo.InvariantCulture)}")}.");
        summary.Add($"Input [{model.InChannels}, {model.Height}, {model.Width}] -> output {model.OutputShape}; {model.Parameters:N0} parameters"
            + (model.Aux.Count > 0 ? $" ({model.Parameters - model.AuxParameters:N0} without aux heads)" : "") + $"; {model.Flops:N0} FLOPs at batch 1.");
        w.Summary(summary.ToArray());
        w.Line($"[global::System.CodeDom.Compiler.GeneratedCode(\"InceptionDsl\", \"{EmitOptions.GeneratorVersion}\")]");
        bool modelResidual = ForwardWriter.HasResidual(body.Forward);
        w.Open($"public sealed partial class {model.ClassName} : {Module}, global::{ns}.IInceptionDslModel" + (foldPairs.Count > 0 ? $", global::{ns}.IFoldsBatchNorm" : "")
            + (modelResidual ? $", global::{ns}.IDropPath" : "")
            + (options.Onnx ? ", " + OnnxEmitter.ModelInterface : ""));

        w.Line($"/// <summary>Parameters of the model with aux heads, as counted from the spec at build time.</summary>");
        w.Line($"public const long ParameterCount = {model.Parameters};");
        w.Line();
        w.Line($"/// <summary>Parameters without the auxiliary heads.</summary>");
        w.Line($"public const long ParameterCountWithoutAux = {model.Parameters - model.AuxParameters};");
        w.Line();
        w.Line($"/// <summary>FLOPs of one forward pass at batch 1 (multiply-add counted as 2; convolutions and linear layers).</summary>");
        w.Line($"public const long FlopCount = {model.Flops};");
        w.Line();
        var auxInfos = string.Join(", ", model.Aux.Select(a => $"new global::{ns}.AuxHeadInfo({CSharpText.Literal(a.Name)}, {CSharpText.Literal(a.At)}, {Expressions.FloatValue.FormatDouble(a.Weight)})"));
        w.Line($"private static readonly global::{ns}.AuxHeadInfo[] AuxHeadInfos = {(model.Aux.Count == 0 ? $"global::System.Array.Empty<global::{ns}.AuxHeadInfo>()" : $"new[] {{ {auxInfos} }}")};");
        w.Line();
        WriteFields(w, body.Members);
        onnxFields?.WriteDeclarations(w);

        var parameters = "long numClasses = " + model.Classes + ", long inChannels = " + model.InChannels + (model.Aux.Count > 0 ? ", bool auxLogits = true" : "");
        w.Summary($"Builds {model.ClassName}.");
        w.Line(classifier is null ? "/// <param name=\"numClasses\">Outputs of the classifier.</param>"
            : "/// <param name=\"numClasses\">Outputs of the classifier; 0 builds the model head-less (no " + CSharpText.XmlDoc(classifier.TrimStart('@')) + "): forward returns the pooled features.</param>");
        w.Line("/// <param name=\"inChannels\">Channels of the input image.</param>");
        if (model.Aux.Count > 0)
            w.Line("/// <param name=\"auxLogits\">Whether to build the auxiliary heads (" + CSharpText.XmlDoc(string.Join(", ", model.Aux.Select(a => a.Name))) + ").</param>");
        w.Open($"public {model.ClassName}({parameters}) : base(nameof({model.ClassName}))");
        WriteDeclaredDropPath(w, body.Forward);
        onnxFields?.WriteAssignments(w);
        FinishConstructor(w, body.Members, foldPairs, ns);

        w.Line("/// <inheritdoc />");
        w.Line("public string ModelName => nameof(" + model.ClassName + ");");
        w.Line();
        w.Line("/// <inheritdoc />");
        w.Line($"public global::System.Collections.Generic.IReadOnlyList<global::{ns}.AuxHeadInfo> AuxHeads => AuxHeadInfos;");
        w.Line();
        w.Summary("Logits of the main classifier; auxiliary heads are not computed.");
        w.Line($"public override {Tensor} forward({Tensor} input) => ForwardWithAux(input, computeAux: false).Logits;");
        w.Line();
        w.Summary("Logits and, when computeAux is true (by default: in training mode), each built auxiliary head's output.");
        w.Open($"public global::{ns}.InceptionDslOutput ForwardWithAux({Tensor} input, bool? computeAux = null)");
        w.Line("using var scope = global::TorchSharp.torch.NewDisposeScope();");
        bool hasAux = model.Aux.Count > 0;
        if (hasAux)
        {
            w.Line("bool computeAuxHeads = computeAux ?? this.training;");
            w.Line($"var auxOutputs = new global::System.Collections.Generic.Dictionary<string, {Tensor}>();");
        }
        else
        {
            w.Line("// This model has no auxiliary heads: computeAux changes nothing.");
        }

        var forward = new ForwardWriter(w, new[] { "input", "scope", "computeAuxHeads", "auxOutputs", "x", "aux" }, body.Members, new Dictionary<SymExpr, string>(), folded: folded);
        forward.Write(body.Forward, "input", "x", declareOutput: true);
        if (hasAux)
        {
            w.Line("foreach (var key in new global::System.Collections.Generic.List<string>(auxOutputs.Keys))");
            w.Line("    auxOutputs[key] = scope.MoveToOuter(auxOutputs[key]);");
        }

        var aux = hasAux ? "auxOutputs" : $"new global::System.Collections.Generic.Dictionary<string, {Tensor}>()";
        w.Line($"return new global::{ns}.InceptionDslOutput(scope.MoveToOuter(x), {aux});");
        w.Close();
        w.Line();
        InferenceEmitter.WriteForwardFeatures(w, model, body, ns, folded);
        w.Line();
        w.Summary("Inference only: puts the model in eval mode and folds every BatchNorm into the convolution before it (forward then skips them); "
            + "unless channelsLast is false, stores the convolution weights channels-last (NHWC), which libtorch's CPU convolutions run without reordering. Returns this model.");
        w.Line($"public {model.ClassName} Fuse(bool channelsLast = true)");
        w.Line("{");
        w.Line($"    global::{ns}.InceptionDslInference.Fuse(this, channelsLast);");
        w.Line("    return this;");
        w.Line("}");
        w.Line();
        w.Line($"global::{ns}.IInceptionDslModel global::{ns}.IInceptionDslModel.Fuse(bool channelsLast) => Fuse(channelsLast);");
        if (modelResidual)
            WriteDropPath(w, ns);
        WeightsEmitter.Write(w, model, ns);
        if (options.Onnx)
        {
            w.Line();
            OnnxEmitter.WriteModel(w, model, body, foldPairs, onnxFields!);
        }

        foreach (var block in model.Blocks)
        {
            w.Line();
            WriteBlockClass(w, model, block, options);
        }

        w.Close();
    }

    private static void WriteBlockClass(CodeWriter w, ModelIR model, ClassIR block, EmitOptions options)
    {
        var ns = options.Namespace;
        var foldPairs = BatchNormPairs.Of(block);
        w.Summary($"Block '{block.Name}'{(block.Doc is null ? "" : ": " + block.Doc)}. Output {block.OutputComment}.");
        bool residual = ForwardWriter.HasResidual(block.Forward);
        w.Open($"public sealed class {block.Name} : {Module}" + (foldPairs.Count > 0 ? $", global::{ns}.IFoldsBatchNorm" : "")
            + (residual ? $", global::{ns}.IDropPath" : "")
            + (options.Onnx ? ", " + OnnxEmitter.BlockInterface : ""));
        var conditions = ForwardWriter.Conditions(block.Forward).Distinct().ToList();
        var conditionFields = new Dictionary<SymExpr, string>();
        // Switch and scale fields take names no submodule field or generated member has.
        var taken = new HashSet<string>(block.Members.Select(m => m.Field.TrimStart('@')).Concat(GeneratedNames.BlockMembers).Concat(GeneratedNames.ModuleMembers)) { block.Name };
        foreach (var condition in conditions)
        {
            var field = ConditionFieldName(condition, block.Forward, taken);
            taken.Add(field);
            conditionFields[condition] = field;
            w.Comment($"Run-time switch: {ExprText.Render(condition)}");
            w.Line($"private readonly bool {field};");
            w.Line();
        }

        // A residual scale computed from constructor parameters is kept for forward.
        var valueFields = new Dictionary<SymExpr, string>();
        foreach (var scale in ForwardWriter.RunTimeScales(block.Forward).Distinct())
        {
            var field = scale is SymName named && !taken.Contains("_" + named.Name) ? "_" + named.Name : "_scale" + valueFields.Count.ToString(CultureInfo.InvariantCulture);
            for (int i = valueFields.Count + 1; taken.Contains(field); i++)
                field = "_scale" + i.ToString(CultureInfo.InvariantCulture);
            taken.Add(field);
            valueFields[scale] = field;
            w.Comment($"Run-time residual scale: {ExprText.Render(scale)}");
            w.Line($"private readonly double {field};");
            w.Line();
        }

        var onnxFields = options.Onnx ? OnnxEmitter.FieldsOf(model, block, isModel: false, conditionFields, valueFields, foldPairs, ns, taken) : null;
        WriteFields(w, block.Members);
        onnxFields?.WriteDeclarations(w);
        var parameters = string.Join(", ", block.Params.Select(p => $"{CSharpExpressions.TypeOf(p.Type)} {Syntax.Identifiers.Escape(p.Name)}{(p.Default is null ? "" : " = " + CSharpExpressions.Literal(p.Default))}"));
        w.Summary($"Builds the {block.Name} block.");
        foreach (var parameter in block.Params)
            w.Line($"/// <param name=\"{CSharpText.XmlDoc(parameter.Name.TrimStart('@'))}\">{CSharpText.XmlDoc(parameter.Comment)}</param>");
        w.Open($"public {block.Name}({parameters}) : base(nameof({block.Name}))");
        foreach (var let in block.Lets)
            w.Line($"{CSharpExpressions.TypeOf(let.Type)} {Syntax.Identifiers.Escape(let.Name)} = {CSharpExpressions.Render(let.Value)};");
        foreach (var condition in conditionFields)
            w.Line($"this.{condition.Value} = {CSharpExpressions.Render(condition.Key)};");
        foreach (var value in valueFields)
            w.Line($"this.{value.Value} = {CSharpExpressions.Render(value.Key)};");
        onnxFields?.WriteAssignments(w);
        WriteDeclaredDropPath(w, block.Forward);
        FinishConstructor(w, block.Members, foldPairs, ns);
        w.Line("/// <inheritdoc />");
        w.Open($"public override {Tensor} forward({Tensor} x)");
        var forward = new ForwardWriter(w, new[] { "x" }, block.Members, conditionFields, valueFields, foldPairs.Select(p => p.Bn).ToList());
        forward.Write(block.Forward, "x", "x", declareOutput: false);
        w.Line("return x;");
        w.Close();
        if (residual)
            WriteDropPath(w, ns);
        if (options.Onnx)
            OnnxEmitter.WriteBlock(w, block, conditionFields, valueFields, foldPairs, onnxFields!);
        w.Close();
    }

    /// <summary>The stochastic-depth members of a class with residual additions: the rate (set by training) and the branch filter forward calls.</summary>
    /// <summary>Stochastic depth as the spec declares it (a residual's drop_path): the class's rate, from its constructor's arguments.</summary>
    private static void WriteDeclaredDropPath(CodeWriter w, IEnumerable<StepIR> forward)
    {
        if (StepWalk.PostOrder(forward).OfType<ResidualStep>().Select(r => r.DropPath).FirstOrDefault(d => d is not null) is { } dropPath)
            w.Line($"this.DropPathRate = {CSharpExpressions.Render(dropPath)};");
    }

    private static void WriteDropPath(CodeWriter w, string ns)
    {
        w.Line();
        w.Line("/// <inheritdoc />");
        w.Line("public double DropPathRate { get; set; }");
        w.Line();
        w.Summary("The residual branch, or in training (DropPathRate > 0) the branch with each sample dropped at that rate and the rest scaled by 1 / (1 - rate).");
        w.Line($"private {Tensor} {ForwardWriter.DropPathMethod}({Tensor} branch) => global::{ns}.InceptionDslDropPath.Apply(branch, this.DropPathRate, this.training);");
    }

    /// <summary>
    /// The field holding a run-time switch: named after what it enables (<c>_applyRelu</c>), or
    /// after the parameter it copies.
    /// </summary>
    private static string ConditionFieldName(SymExpr condition, IReadOnlyList<StepIR> steps, IEnumerable<string> taken)
    {
        var kind = ForwardWriter.ConditionalSteps(steps).Where(s => s.Condition == condition).Select(s => s.Comment.Split(':')[0]).FirstOrDefault()
            ?? (StepWalk.PostOrder(steps).OfType<ResidualStep>().Any(r => r.AddCondition == condition) ? "shortcut" : null);
        var name = kind is not null && Syntax.Identifiers.IsIdentifier(kind)
            ? "_apply" + char.ToUpperInvariant(kind[0]) + kind.Substring(1)
            : condition is SymName named ? "_" + named.Name : "_condition";
        var candidate = name;
        for (int i = 1; taken.Contains(candidate); i++)
            candidate = name + i.ToString(CultureInfo.InvariantCulture);
        return candidate;
    }

    private static void WriteFields(CodeWriter w, IEnumerable<MemberIR> members)
    {
        foreach (var member in members)
        {
            w.Comment($"{member.StateName}: {member.Comment}");
            if (member.Field.TrimStart('@') != member.StateName)
                w.Line($"[global::TorchSharp.Utils.ComponentName(Name = {CSharpText.Literal(member.StateName)})]");
            w.Line($"private readonly {TorchSharpModules.TypeOf(member.Module)}{(member.Condition is null ? "" : "?")} {member.Field};");
            w.Line();
        }
    }

    /// <summary>Ends a module's constructor (fields, then RegisterComponents) and adds FoldBatchNorms when it has fold pairs.</summary>
    private static void FinishConstructor(CodeWriter w, IEnumerable<MemberIR> members, IReadOnlyList<(string Conv, string Bn)> foldPairs, string ns)
    {
        WriteInitializers(w, members);
        w.Line("RegisterComponents();");
        w.Close();
        w.Line();
        if (foldPairs.Count > 0)
            InferenceEmitter.WriteFoldMethod(w, foldPairs, ns);
    }

    private static void WriteInitializers(CodeWriter w, IEnumerable<MemberIR> members)
    {
        foreach (var member in members)
        {
            var built = TorchSharpModules.InitOf(member.Module);
            var init = member.Condition is null ? built : $"{CSharpExpressions.Render(member.Condition)}\n    ? {built.Replace("\n", "\n    ")}\n    : null";
            w.Line($"this.{member.Field} = {init};");
        }
    }
}
