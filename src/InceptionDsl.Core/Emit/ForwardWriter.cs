using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Expressions;
using InceptionDsl.Semantics;
using InceptionDsl.Syntax;

namespace InceptionDsl.Emit;

/// <summary>
/// Writes forward steps as straight-line C#: one statement per layer, a local per branch, the
/// shortcut kept aside for a residual add. Each statement is preceded by the spec's comment.
/// </summary>
/// <remarks>
/// Like torchvision's <c>ReLU(inplace=True)</c> and <c>out += identity</c>, a ReLU or a residual
/// add overwrites its operand when that operand is <em>owned</em>: a tensor this forward has just
/// made and no one else reads, whose producer keeps nothing of it for backward (a convolution,
/// BatchNorm, linear layer, concatenation or add). That saves an allocation per activation, which
/// at batch 8 is most of the gap to hand-written code. Inputs, branch inputs, shortcut operands,
/// tapped maps and the outputs of generated blocks are never owned, so forward never changes a
/// tensor its caller or a sibling branch can see, and autograd's saved tensors stay intact.
/// </remarks>
internal sealed class ForwardWriter : StepVisitor<(string Source, string Target, bool SourceOwned), bool>
{
    private readonly CodeWriter _writer;
    private readonly HashSet<string> _locals;
    private readonly IReadOnlyDictionary<SymExpr, string> _conditionFields;

    private readonly IReadOnlyDictionary<SymExpr, string> _valueFields;

    /// <summary>BatchNorm fields that FoldBatchNorms may fold into the convolution before them: skipped once folded.</summary>
    private readonly IReadOnlyCollection<string> _folded;

    /// <summary>Fields whose forward returns a new tensor that autograd does not keep: the next step may overwrite it.</summary>
    private readonly HashSet<string> _ownedOutputFields;

    public ForwardWriter(CodeWriter writer, IEnumerable<string> reserved, IEnumerable<MemberIR> members, IReadOnlyDictionary<SymExpr, string> conditionFields,
        IReadOnlyDictionary<SymExpr, string>? valueFields = null, IReadOnlyCollection<string>? folded = null)
    {
        _folded = folded ?? System.Array.Empty<string>();
        _ownedOutputFields = new HashSet<string>(members.Where(m => OwnsOutput(m.Module)).Select(m => m.Field));
        _writer = writer;
        _locals = new HashSet<string>(reserved);
        _conditionFields = conditionFields;
        _valueFields = valueFields ?? new Dictionary<SymExpr, string>();
    }

    /// <summary>
    /// Layers whose output the next step may overwrite: each returns a new tensor, and its backward
    /// needs its input and weights, never its output (ReLU's, by contrast, reads its output).
    /// </summary>
    private static bool OwnsOutput(ModuleNode module) => module is Conv2dNode or BatchNormNode or LinearNode;

    /// <summary>Applies <paramref name="steps"/> to <paramref name="input"/>, leaving the result in <paramref name="output"/>.</summary>
    public void Write(IReadOnlyList<StepIR> steps, string input, string output, bool declareOutput) => WriteOwned(steps, input, output, declareOutput);

    /// <summary>As <see cref="Write"/>; returns whether the result is owned (see the remarks on the class).</summary>
    private bool WriteOwned(IReadOnlyList<StepIR> steps, string input, string output, bool declareOutput)
    {
        // The input belongs to the caller (or to sibling branches): never overwritten.
        bool owned = false;
        string source = input;
        if (declareOutput && (steps.Count == 0 || NeedsCopy(steps[0])))
        {
            _writer.Line($"var {output} = {input};");
            declareOutput = false;
            source = output;
        }
        else if (!declareOutput && input != output && (steps.Count == 0 || NeedsCopy(steps[0])))
        {
            _writer.Line($"{output} = {input};");
            source = output;
        }

        foreach (var step in steps)
        {
            var target = declareOutput ? "var " + output : output;
            owned = WriteStep(step, source, target, owned && source == output);
            declareOutput = false;
            source = output;
        }

        return owned;
    }

    /// <summary>A step that may leave its input untouched needs the output to start as a copy of it.</summary>
    private static bool NeedsCopy(StepIR step) => step switch
    {
        ModuleStep module => module.Optional,
        FunctionalStep functional => functional.Condition is not null,
        AuxTapStep => true,
        _ => false,
    };

    /// <summary>
    /// Writes one step reading <paramref name="source"/> (which it may overwrite when
    /// <paramref name="sourceOwned"/>); returns whether the step's result is owned.
    /// </summary>
    private bool WriteStep(StepIR step, string source, string target, bool sourceOwned) => Visit(step, (source, target, sourceOwned));

    protected override bool VisitModule(ModuleStep module, (string Source, string Target, bool SourceOwned) at)
    {
        _writer.Comment(module.Comment);
        var call = $"{at.Target} = this.{module.Field}.forward({at.Source});";
        bool ownsOutput = _ownedOutputFields.Contains(module.Field);
        if (module.Optional)
        {
            _writer.Line($"if (this.{module.Field} is not null) {call}");
            return at.SourceOwned && ownsOutput;
        }

        if (_folded.Contains(module.Field))
        {
            // Once folded the step is skipped and the source stays what it was.
            _writer.Line($"if (!this.{InferenceEmitter.FoldedFlag}) {call}");
            return at.SourceOwned && ownsOutput;
        }

        _writer.Line(call);
        return ownsOutput;
    }

    protected override bool VisitFunctional(FunctionalStep functional, (string Source, string Target, bool SourceOwned) at)
    {
        if (functional.Condition is null && at.SourceOwned && TorchSharpModules.InPlaceOf(functional.Operation, at.Source) is { } inPlace)
        {
            _writer.Comment(functional.Comment + " (in place)");
            _writer.Line(inPlace + ";");
            // The result is what backward of this op reads: not owned any more.
            return false;
        }

        _writer.Comment(functional.Comment);
        var apply = $"{at.Target} = {TorchSharpModules.ApplyOf(functional.Operation, at.Source)};";
        _writer.Line(functional.Condition is null ? apply : $"if (this.{_conditionFields[functional.Condition]}) {apply}");
        return false;
    }

    protected override bool VisitConcat(ConcatStep concat, (string Source, string Target, bool SourceOwned) at)
    {
        _writer.Comment(concat.Comment);
        var parts = new List<string>();
        foreach (var branch in concat.Branches)
        {
            var local = Allocate(branch.Hint);
            Write(branch.Steps, at.Source, local, declareOutput: true);
            parts.Add(local);
        }

        _writer.Line($"{at.Target} = global::TorchSharp.torch.cat(new[] {{ {string.Join(", ", parts)} }}, 1);");
        return true;
    }

    protected override bool VisitResidual(ResidualStep residual, (string Source, string Target, bool SourceOwned) at)
    {
        _writer.Comment(residual.Comment);
        var shortcut = Allocate("shortcut");
        Write(residual.Shortcut, at.Source, shortcut, declareOutput: true);
        var body = Allocate("residual");
        bool bodyOwned = WriteOwned(residual.Body, at.Source, body, declareOutput: true);
        var scale = residual.Scale is null ? null : _valueFields.TryGetValue(residual.Scale, out var scaleField) ? "this." + scaleField : CSharpExpressions.Render(residual.Scale);
        if (residual.AddCondition is not null)
        {
            // add on block parameters: where it holds, stochastic depth and the sum; elsewhere the body alone
            // (torchvision's use_res_connect false: no shortcut, and no branch to drop).
            var dropped = $"this.{DropPathMethod}({body})";
            var added = scale is null ? $"{dropped} + {shortcut}" : $"{dropped} * {scale} + {shortcut}";
            _writer.Line($"{at.Target} = this.{_conditionFields[residual.AddCondition]} ? {added} : {body};");
            return true;
        }

        // Stochastic depth: in training, DropPath zeroes the branch of some samples (a new tensor); otherwise returns it.
        _writer.Line($"{body} = this.{DropPathMethod}({body});");
        // An owned body output takes the scale and the shortcut in place (as torchvision's out += identity).
        var sum = bodyOwned
            ? scale is null ? $"{body}.add_({shortcut})" : $"{body}.mul_({scale}).add_({shortcut})"
            : scale is null ? $"{body} + {shortcut}" : $"{body} * {scale} + {shortcut}";
        _writer.Line($"{at.Target} = {sum};");
        return true;
    }

    protected override bool VisitGate(GateStep gate, (string Source, string Target, bool SourceOwned) at)
    {
        _writer.Comment(gate.Comment);
        // The branch reads the input (never overwriting it); the product is a new tensor.
        var weights = Allocate("gate");
        Write(gate.Branch, at.Source, weights, declareOutput: true);
        _writer.Line($"{at.Target} = {at.Source} * {weights};");
        return true;
    }

    protected override bool VisitSelect(SelectStep select, (string Source, string Target, bool SourceOwned) at)
    {
        WriteSelect(select, at.Source, at.Target);
        return true;
    }

    protected override bool VisitAuxTap(AuxTapStep tap, (string Source, string Target, bool SourceOwned) at)
    {
        _writer.Comment(tap.Comment);
        _writer.Line($"if (computeAuxHeads && this.{tap.AuxField} is not null) auxOutputs.Add({CSharpText.Literal(tap.AuxField)}, this.{tap.AuxField}.forward({at.Source}));");
        if (at.Target != at.Source && !at.Target.StartsWith("var "))
            _writer.Line($"{at.Target} = {at.Source};");
        else if (at.Target.StartsWith("var "))
            _writer.Line($"{at.Target} = {at.Source};");
        // The aux head has read this map: it must not change under it.
        return false;
    }

    /// <summary>
    /// Selective kernels as timm's SelectiveKernel.forward: the paths stacked on a new axis 1,
    /// attn(their sum) viewed as [N, paths, C, h, w] and softmaxed across the paths, then the
    /// weighted paths summed. The input is only read.
    /// </summary>
    private void WriteSelect(SelectStep select, string source, string target)
    {
        _writer.Comment(select.Comment);
        string slices = "";
        if (select.Split)
        {
            slices = Allocate("slices");
            _writer.Comment($"split: path i reads the i-th of {select.PathCount} equal channel slices");
            _writer.Line($"var {slices} = {source}.chunk({select.PathCount}, 1);");
        }

        var paths = Enumerable.Range(0, select.PathCount)
            .Select(i => $"this.{select.PathsField}[{i}].forward({(select.Split ? $"{slices}[{i}]" : source)})");
        var stacked = Allocate("stacked");
        _writer.Line($"var {stacked} = global::TorchSharp.torch.stack(new[] {{ {string.Join(", ", paths)} }}, 1);");
        var weights = Allocate("weights");
        _writer.Comment("one weight per path and channel, softmaxed across the paths");
        _writer.Line($"var {weights} = this.{select.AttnField}.forward({stacked}.sum(1));");
        _writer.Line($"{weights} = {weights}.view({weights}.shape[0], {select.PathCount}, -1, {weights}.shape[2], {weights}.shape[3]).softmax(1);");
        _writer.Line($"{target} = ({stacked} * {weights}).sum(1);");
    }

    private string Allocate(string hint)
    {
        var name = Identifiers.Escape(Identifiers.ToFieldName(hint).TrimStart('@'));
        var candidate = name;
        for (int i = 1; !_locals.Add(candidate); i++)
            candidate = name + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return candidate;
    }

    /// <summary>The method every class with a residual addition has: drop-path on the residual branch (see ModelEmitter).</summary>
    public const string DropPathMethod = "DropPath";

    /// <summary>Whether <paramref name="steps"/> hold a residual addition, at any depth.</summary>
    public static bool HasResidual(IReadOnlyList<StepIR> steps) => StepWalk.PreOrder(steps).Any(s => s is ResidualStep);

    /// <summary>
    /// Residual scales that are expressions over constructor parameters rather than constants:
    /// forward cannot see those parameters, so it reads each from a field.
    /// </summary>
    public static IEnumerable<SymExpr> RunTimeScales(IReadOnlyList<StepIR> steps) =>
        StepWalk.PreOrder(steps).OfType<ResidualStep>().Select(r => r.Scale).Where(scale => scale is not null and not SymLiteral).Select(scale => scale!);

    /// <summary>Run-time conditions of functional steps and of residuals' adds, which forward reads from fields.</summary>
    public static IEnumerable<SymExpr> Conditions(IReadOnlyList<StepIR> steps) =>
        ConditionalSteps(steps).Select(s => s.Condition!).Concat(StepWalk.PostOrder(steps).OfType<ResidualStep>().Where(r => r.AddCondition is not null).Select(r => r.AddCondition!));

    /// <summary>The functional steps that run only when a run-time condition holds.</summary>
    public static IEnumerable<FunctionalStep> ConditionalSteps(IReadOnlyList<StepIR> steps) =>
        StepWalk.PreOrder(steps).OfType<FunctionalStep>().Where(s => s.Condition is not null);
}
