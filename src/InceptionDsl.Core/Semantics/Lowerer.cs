using System;
using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Diagnostics;
using InceptionDsl.Expressions;
using InceptionDsl.Syntax;
using InceptionDsl.Text;

namespace InceptionDsl.Semantics;

/// <summary>
/// Lowers one model of a spec into a <see cref="ModelIR"/>. Walks the body with concrete values to
/// infer every shape and count parameters and FLOPs, reporting each mismatch at its node; and
/// lowers each block once more with symbolic parameters to produce its C# class.
/// </summary>
internal sealed partial class Lowerer
{
    /// <summary>Name of the shared conv + BatchNorm + activation unit class (torchvision's and timm's name).</summary>
    public const string UnitClass = "BasicConv2d";

    private readonly SpecDocument _spec;
    private readonly List<SpecDiagnostic> _diagnostics;
    private readonly Dictionary<string, BlockDecl> _blocks = new();
    private readonly Dictionary<string, List<OptionSyntax>> _defaults = new();
    private readonly List<ClassIR> _blockClasses = new();
    private readonly HashSet<string> _blockClassesStarted = new();
    private readonly List<string> _blockStack = new();
    private readonly List<LayerRow> _layers = new();
    private readonly List<InstanceIR> _instances = new();
    private readonly Dictionary<string, StepTrace> _classTraces = new();
    private readonly HashSet<string> _reservedNames;
    private Scope _globals = null!;
    private ClassBuilder? _modelOwner;
    private Dictionary<string, List<AuxDecl>> _auxByTarget = new();
    private readonly HashSet<string> _auxFound = new();
    private readonly List<AuxIR> _aux = new();
    private long _layerCount;
    private bool _limitReported;

    private Lowerer(SpecDocument spec, List<SpecDiagnostic> diagnostics)
    {
        _spec = spec;
        _diagnostics = diagnostics;
        foreach (var block in spec.Blocks)
        {
            if (_blocks.TryGetValue(block.Name, out var first))
                diagnostics.Add(Descriptors.DuplicateName.Create(block.Span, block.Name, first.Span.Line));
            else
                _blocks[block.Name] = block;
        }

        foreach (var defaults in spec.Defaults)
            _defaults[defaults.Op] = defaults.Options.ToList();
        _reservedNames = new HashSet<string>(_blocks.Keys) { UnitClass };
    }

    /// <summary>Lowers one model; <paramref name="budget"/> carries the layers the spec's earlier models used.</summary>
    public static ModelIR? Lower(SpecDocument spec, VariantDecl variant, List<SpecDiagnostic> diagnostics, LayerBudget budget, LoweringObserver? observer = null)
    {
        var lowerer = new Lowerer(spec, diagnostics) { _observer = observer };
        return lowerer.LowerModel(variant, budget);
    }

    private ModelIR? LowerModel(VariantDecl variant, LayerBudget budget)
    {
        int errorsBefore = ErrorCount();
        _reservedNames.Add(variant.Model);
        if (_blocks.ContainsKey(variant.Model) || variant.Model == UnitClass)
            _diagnostics.Add(Descriptors.NameCollision.Create(variant.Span, variant.Model, "a block class of the same name"));

        // Variant parameters are build-time constants; classes and input channels are run-time options.
        // A variant may give its own classes and input; classes may use the family's parameters.
        var input = variant.Input ?? _spec.Input;
        var classesExpr = variant.Classes ?? _spec.Classes;
        var parameterScope = new Scope(null, $"model '{variant.Model}'");
        _globals = new Scope(null, $"model '{variant.Model}'");
        var early = ExprEvaluator.Evaluate(classesExpr, parameterScope, new List<SpecDiagnostic>());
        if (early is not null)
            _globals.Set("classes", early with { Expr = new SymName("numClasses") });
        BindArguments(_spec.Params, variant.Args, parameterScope, _globals, variant.Span, $"model '{variant.Model}'", symbolic: false);
        var classesValue = early ?? ExprEvaluator.Evaluate(classesExpr, _globals, _diagnostics);
        if (classesValue is not IntValue { Number: > 0, IsConstant: true } classes)
        {
            if (classesValue is not null)
                _diagnostics.Add(Descriptors.OutOfRange.Create(classesExpr.Span, "classes", "a positive integer", classesValue.Display));
            return null;
        }

        _classCount = classes.Number;
        _globals.Set("classes", classes with { Expr = new SymName("numClasses") });

        var modelScope = new Scope(_globals, $"model '{variant.Model}'");
        modelScope.Set("in_channels", new IntValue(input.Channels) { Expr = new SymName("inChannels") });
        if (CheckExpansion(variant, modelScope, budget) is not { } expansion)
            return null;
        budget.Used += expansion;
        var owner = new ClassBuilder(variant.Model, _reservedNames);
        var frame = new Frame(owner, modelScope, "", 0, recordLayers: true);
        var steps = new List<StepIR>();
        var shape = TensorShape.Map(new IntValue(input.Channels) { Expr = new SymName("inChannels") }, input.Height, input.Width);

        _modelOwner = owner;
        _auxByTarget = _spec.Aux.GroupBy(a => a.At).ToDictionary(g => g.Key, g => g.ToList());
        long parameters = 0, flops = 0;
        TensorShape? current = shape;
        var failedAt = shape;
        foreach (var node in _spec.Body)
        {
            if (current is null)
            {
                // An earlier node failed: the later ones are still checked, so independent errors come in one pass.
                Recover(node, failedAt, frame);
                continue;
            }

            var lowered = LowerNode(node, current, frame, steps);
            if (lowered is null)
            {
                failedAt = current;
                current = null;
                continue;
            }

            parameters += lowered.Value.Parameters;
            flops += lowered.Value.Flops;
            current = lowered.Value.Output;
        }

        foreach (var head in _spec.Aux)
            if (current is not null && !_auxFound.Contains(head.At))
                _diagnostics.Add(Descriptors.AuxTargetMissing.Create(head.AtSpan, head.Name, head.At));
        var aux = _aux;
        long auxParameters = aux.Sum(a => a.Parameters);

        if (current is null || ErrorCount() > errorsBefore)
            return null;
        var members = PlaceAuxMembers(owner.Members);
        if (members is null)
            return null;

        var body = new ClassIR(variant.Model, variant.Metadata.Paper, EquatableArray<CtorParamIR>.Empty, EquatableArray<LetIR>.Empty,
            members.ToEquatableArray(), steps.ToEquatableArray(), current.ToString());
        return new ModelIR(variant.Model, _spec.Path, variant.Metadata, input.Channels, input.Height, input.Width,
            classes.Number, body, _blockClasses.ToEquatableArray(), aux.ToEquatableArray(), current.ToString(),
            parameters + auxParameters, auxParameters, flops, _layers.ToEquatableArray(), _instances.ToEquatableArray())
        {
            Weights = variant.Weights.Select(w => w.Facts).ToEquatableArray(),
        };
    }

    /// <summary>Builds the aux heads attached at a node of the model's body, right after it.</summary>
    private void TapAuxHeads(string name, TensorShape output, Frame frame, List<StepIR> steps)
    {
        if (!_auxByTarget.TryGetValue(name, out var heads))
            return;
        foreach (var head in heads)
        {
            _auxFound.Add(head.At);
            if (head.Condition is not null)
            {
                // Decided with the model's parameters: a variant may leave the head out.
                var flag = ExprEvaluator.Evaluate(head.Condition, _globals, _diagnostics);
                if (flag is not BoolValue { IsConstant: true } known)
                {
                    if (flag is not null)
                        _diagnostics.Add(Descriptors.ExpressionType.Create(head.Condition.Span, head.Condition.Display, $"must be true or false at build time (a model parameter), found {flag.TypeName}"));
                    continue;
                }

                if (!known.Flag)
                    continue;
            }

            if (LowerAux(head, output, frame, steps) is { } auxIr)
                _aux.Add(auxIr);
        }
    }

    /// <summary>Moves each aux head with <c>register_after</c> behind that member (state_dict order).</summary>
    private List<MemberIR>? PlaceAuxMembers(List<MemberIR> members)
    {
        var result = new List<MemberIR>(members);
        foreach (var head in _spec.Aux.Where(a => a.RegisterAfter is not null))
        {
            var member = result.FirstOrDefault(m => m.StateName == head.Name);
            if (member is null)
                continue;
            result.Remove(member);
            int anchor = result.FindIndex(m => m.StateName == head.RegisterAfter);
            if (anchor < 0)
            {
                _diagnostics.Add(Descriptors.AuxTargetMissing.Create(head.Span, head.Name, head.RegisterAfter!));
                return null;
            }

            result.Insert(anchor + 1, member);
        }

        return result;
    }

    /// <summary>
    /// Lowers one node in a flat context: its modules become fields of the frame's class and its
    /// computation becomes forward steps. Handles <c>repeat</c> and <c>if</c> around any node.
    /// A residual's shortcut (<paramref name="shortcut"/>) may change the shape under a run-time
    /// condition: skipped, it is the identity, and the residual checks both against its body.
    /// </summary>
    private Lowered? LowerNode(NodeSyntax node, TensorShape input, Frame frame, List<StepIR> steps, bool shortcut = false)
    {
        var trace = frame.Trace;
        int entered = trace?.Enter() ?? -1;
        var condition = EvaluateCondition(node, frame.Scope);
        if (condition.Skip)
        {
            trace?.Skipped.Add((entered, input.ToIR()));
            return new Lowered(input, 0, 0);
        }

        var count = EvaluateRepeat(node, frame.Scope, frame);
        if (count is null)
            return null;

        var shape = input;
        long parameters = 0, flops = 0;
        for (long i = 0; i < count.Value; i++)
        {
            var scope = frame.Scope;
            if (node.Repeat is not null)
            {
                scope = new Scope(frame.Scope, frame.Scope.Description);
                scope.Set("i", new IntValue(i));
            }

            var name = InstanceName(node, i, scope);
            int outer = trace?.Current ?? -1;
            if (trace is not null)
                trace.Current = entered;
            var lowered = LowerOne(node, name, shape, frame.WithScope(scope), steps, condition.Code, shortcut);
            if (trace is not null)
                trace.Current = outer;
            if (lowered is null)
                return null;
            if (condition.Code is not null && !shortcut && !lowered.Value.Output.SameAs(shape))
            {
                _diagnostics.Add(Descriptors.ConditionalChangesShape.Create(node.Span, name ?? node.Op, shape, lowered.Value.Output));
                return null;
            }

            shape = lowered.Value.Output;
            if (name is not null && frame.Owner == _modelOwner)
                TapAuxHeads(name, shape, frame, steps);
            // A run-time condition that is false for this use costs nothing here.
            if (condition.Active)
            {
                parameters += lowered.Value.Parameters;
                flops += lowered.Value.Flops;
            }
        }

        return new Lowered(shape, parameters, flops);
    }

    private Lowered? LowerOne(NodeSyntax node, string? name, TensorShape input, Frame frame, List<StepIR> steps, SymExpr? condition, bool shortcut = false)
    {
        if (!CountLayer(node.Span))
            return null;
        switch (node.Op)
        {
            case "chain":
                return Observed(node, input, frame, LowerChain(node.Children, input, frame, steps, shortcut));
            case "concat":
                return Observed(node, input, frame, RequireUnconditional(node, condition) ? LowerConcat(node, name, input, frame, steps) : null);
            case "residual":
                return Observed(node, input, frame, RequireUnconditional(node, condition) ? LowerResidual(node, name, input, frame, steps) : null);
            case "gate":
                return Observed(node, input, frame, RequireUnconditional(node, condition) ? LowerGate(node, name, input, frame, steps) : null);
            case "select":
                return Observed(node, input, frame, RequireUnconditional(node, condition) ? LowerSelect(node, name, input, frame, steps) : null);
            case "layer_scale":
                return LowerLayerScale(node, name, input, frame, steps, condition);
            case "identity":
                // Outside a seq an identity holds no place in the state_dict and does nothing.
                return Observed(node, input, frame, new Lowered(input, 0, 0));
        }

        if (node.Op == "use" && ResolveBlock(node, frame.Scope) is { Inline: true } template)
        {
            // A template of one single layer (ResNet's Shortcut) can carry the use's run-time condition.
            bool single = template.Body.Count == 1 && template.Body[0] is { Condition: null, Repeat: null, Op: not ("chain" or "concat" or "residual" or "gate" or "select" or "use") };
            return Observed(node, input, frame, single || RequireUnconditional(node, condition) ? LowerInlineBlock(node, template, name, input, frame, steps, condition, shortcut) : null);
        }

        var stateName = name ?? AutoName(node.Op, frame.Owner);
        var plan = PlanLayer(node, stateName, input, frame);
        if (plan is null)
            return null;
        if (plan.Functional)
        {
            AddStep(frame, steps, new FunctionalStep(plan.Module, condition, $"{plan.Kind}: {plan.Detail} -> {ShapeText(plan.Output, frame)}")
                { Output = plan.Output.ToIR(), Kind = plan.Kind, Label = plan.Detail, Geometry = plan.Geometry }, plan.Label ?? plan.Detail, plan.Geometry);
            Observe(node, null, null, input, plan.Output, plan.Parameters, plan.Flops, frame);
        }
        else
        {
            var field = frame.Owner.Add(stateName, node.Span, plan.Module, $"{plan.Detail} -> {ShapeText(plan.Output, frame)}", condition, _diagnostics, plan.Children);
            if (field is null)
                return null;
            var output = plan.Output.ToIR();
            AddStep(frame, steps, new ModuleStep(field, condition is not null, $"{stateName}: {plan.Detail} -> {ShapeText(plan.Output, frame)}")
                { Output = output, Kind = plan.Kind, Label = plan.Detail });
            if (plan.ActivationAfter is { } activation)
                AddStep(frame, steps, new FunctionalStep(activation.Module, condition, activation.Kind)
                    { Output = output, Kind = activation.Kind, Label = activation.Detail }, activation.Detail);
            Record(frame, stateName, plan);
            Observe(node, frame.Path + stateName, field, input, plan.Output, plan.Parameters, plan.Flops, frame);
        }

        return new Lowered(plan.Output, plan.Parameters, plan.Flops);
    }

    /// <summary>Appends a forward step, noting in the frame's trace which node made it.</summary>
    private static void AddStep(Frame frame, List<StepIR> steps, StepIR step, string? label = null, LayerGeometry? geometry = null)
    {
        steps.Add(step);
        frame.Trace?.Steps.Add((frame.Trace.Current, step.Output, label, geometry));
    }

    /// <summary>
    /// Nodes one after another in the frame's class. In a residual's shortcut (<paramref name="shortcut"/>)
    /// each may change the shape under a run-time condition, as the shortcut itself may.
    /// </summary>
    private Lowered? LowerChain(IEnumerable<NodeSyntax> nodes, TensorShape input, Frame frame, List<StepIR> steps, bool shortcut = false)
    {
        var shape = input;
        long parameters = 0, flops = 0;
        bool failed = false;
        foreach (var child in nodes)
        {
            if (failed)
            {
                // An earlier sibling failed: the later ones are still checked, so independent errors come in one pass.
                Recover(child, shape, frame, shortcut);
                continue;
            }

            var lowered = LowerNode(child, shape, frame, steps, shortcut);
            if (lowered is null)
            {
                failed = true;
                continue;
            }

            shape = lowered.Value.Output;
            parameters += lowered.Value.Parameters;
            flops += lowered.Value.Flops;
        }

        return failed ? null : new Lowered(shape, parameters, flops);
    }

    /// <summary>
    /// The diagnostics that depend on the shape a node receives. After a sibling failed, a node is lowered with the
    /// failed node's input in its place, so these would be guesses, not findings: they are dropped.
    /// </summary>
    private static readonly HashSet<string> ShapeDependentIds = new(StringComparer.Ordinal)
    {
        "IDSL020", "IDSL021", "IDSL022", "IDSL023", "IDSL024", "IDSL025", "IDSL026", "IDSL027", "IDSL028",
    };

    /// <summary>
    /// Lowers a node after an earlier sibling failed, only for its own errors (an unknown block, a bad option value such as
    /// <c>act: silu</c>, an undefined parameter), which do not depend on what came before: the spec's errors are reported in
    /// one pass instead of one more with every fix. Its output is discarded, the language server hears nothing of it, and
    /// findings about shapes are dropped (<see cref="ShapeDependentIds"/>); the model has failed already.
    /// </summary>
    private void Recover(NodeSyntax node, TensorShape input, Frame frame, bool shortcut = false)
    {
        int before = _diagnostics.Count;
        var observer = _observer;
        _observer = null;
        try
        {
            LowerNode(node, input, frame, new List<StepIR>(), shortcut);
        }
        finally
        {
            _observer = observer;
        }

        for (int i = _diagnostics.Count - 1; i >= before; i--)
            if (ShapeDependentIds.Contains(_diagnostics[i].Id))
                _diagnostics.RemoveAt(i);
    }

    private bool RequireUnconditional(NodeSyntax node, SymExpr? condition)
    {
        if (condition is null)
            return true;
        _diagnostics.Add(Descriptors.BadNode.Create(node.Span, $"A {node.Op} cannot depend on a run-time condition; make 'if' a build-time constant or put the condition on its members"));
        return false;
    }

    private (bool Skip, SymExpr? Code, bool Active) EvaluateCondition(NodeSyntax node, Scope scope)
    {
        if (node.Condition is null)
            return (false, null, true);
        var value = ExprEvaluator.Evaluate(node.Condition, scope, _diagnostics);
        if (value is not BoolValue flag)
        {
            if (value is not null)
                _diagnostics.Add(Descriptors.ExpressionType.Create(node.Condition.Span, node.Condition.Display, $"must be true or false, found {value.TypeName}"));
            return (false, null, true);
        }

        // A constant condition decides at build time; a parameter-dependent one at run time.
        if (flag.IsConstant)
            return (!flag.Flag, null, true);
        return (false, flag.Expr, flag.Flag);
    }

    /// <summary>
    /// A flat node's repeat count. Its copies are fields and forward steps of one class, so the count is
    /// known at build time: inside a block class a count that depends on the block's parameters is
    /// refused here (a seq builds such copies in a loop of the constructor: see PlanSequential).
    /// </summary>
    private long? EvaluateRepeat(NodeSyntax node, Scope scope, Frame frame) =>
        RepeatCount(node, scope, frame.RecordLayers ? RunTimeRepeatAtModel
            : "depends on the block's constructor parameters, and the copies of a node in a block's body are fields and forward steps of its class, fixed when it is generated: "
              + "put the repeated node in a seq, whose constructor builds the copies in a loop (each copy takes the next position)")?.Number;

    /// <summary>
    /// A repeat count: 1 without <c>repeat</c>; a constant; or, where <paramref name="runTimeRefusal"/> is
    /// null, one computed by the constructor (its number that of the use being walked). Null after an error.
    /// </summary>
    private IntValue? RepeatCount(NodeSyntax node, Scope scope, string? runTimeRefusal)
    {
        if (node.Repeat is null)
            return new IntValue(1);
        var value = ExprEvaluator.Evaluate(node.Repeat, scope, _diagnostics);
        if (value is null)
            return null;
        if (value is not IntValue count)
        {
            _diagnostics.Add(Descriptors.WrongType.Create(node.Repeat.Span, "repeat", "a positive integer", value.TypeName));
            return null;
        }

        if (!count.IsConstant && runTimeRefusal is not null)
        {
            _diagnostics.Add(Descriptors.ExpressionType.Create(node.Repeat.Span, node.Repeat.Display, runTimeRefusal));
            return null;
        }

        if (count.Number < 1)
        {
            _diagnostics.Add(Descriptors.OutOfRange.Create(node.Repeat.Span, "repeat", "at least 1", count.Number));
            return null;
        }

        if (count.Number > SpecLimits.MaxRepeat)
        {
            _diagnostics.Add(Descriptors.LimitExceeded.Create(node.Repeat.Span, $"repeat {count.Number}", SpecLimits.MaxRepeat.ToString()));
            return null;
        }

        return count;
    }

    /// <summary>
    /// The state_dict name of the i-th copy: each <c>{expression}</c> in the name is replaced by its
    /// value, with <c>i</c> (or <c>$i</c>) the index: <c>block{i}</c>, <c>block{i+4}</c>, <c>stage{$i * 2}</c>.
    /// </summary>
    /// <remarks>
    /// In a loop of a generated constructor (<paramref name="loopIndex"/>: the loop's index, with its
    /// C# name) the name is computed at construction: <paramref name="code"/> receives the C# string
    /// expression (<c>"unit" + i.ToString(...)</c>), while the returned name is this copy's.
    /// </remarks>
    private string? InstanceName(NodeSyntax node, long index, Scope? scope = null, IntValue? loopIndex = null, List<SymExpr>? code = null)
    {
        if (node.Name is null)
            return null;
        code?.Clear();
        // A repeated name without {i} collides with itself; the duplicate check reports it.
        var text = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (node.Name.IndexOf('{') < 0)
        {
            code?.Add(new SymLiteral(new StringValue(node.Name)));
            return node.Name;
        }

        var result = new System.Text.StringBuilder();
        int position = 0;
        while (position < node.Name.Length)
        {
            int open = node.Name.IndexOf('{', position);
            int close = open < 0 ? -1 : node.Name.IndexOf('}', open);
            if (open < 0 || close < 0)
            {
                result.Append(node.Name, position, node.Name.Length - position);
                if (position < node.Name.Length)
                    code?.Add(new SymLiteral(new StringValue(node.Name.Substring(position))));
                break;
            }

            result.Append(node.Name, position, open - position);
            if (open > position)
                code?.Add(new SymLiteral(new StringValue(node.Name.Substring(position, open - position))));
            var inner = node.Name.Substring(open + 1, close - open - 1).Trim();
            if (inner == "i" && loopIndex is null)
            {
                result.Append(text);
                code?.Add(new SymLiteral(new StringValue(text)));
            }
            else
            {
                var indexScope = new Scope(scope ?? _globals, "a repeated name");
                indexScope.Set("i", loopIndex ?? new IntValue(index));
                var source = System.Text.RegularExpressions.Regex.Replace(inner, @"(?<![$\w])i(?!\w)", "$i");
                var parsed = ExprParser.ParseScalar(source, quoted: false, node.Span, _diagnostics);
                var value = parsed is null ? null : ExprEvaluator.Evaluate(parsed, indexScope, _diagnostics);
                // In a constructor's loop the part may depend on the loop's index and the block's parameters.
                if (value is not IntValue number || (!number.IsConstant && code is null))
                {
                    if (value is IntValue computed)
                        _diagnostics.Add(Descriptors.ExpressionType.Create(node.Span, inner,
                            $"in the name '{node.Name}' must be known at build time, but it depends on block parameters ({computed.Shown}): a block's names are fixed when its class is generated, except in a seq's repeat counted by a block parameter"));
                    else if (value is not null)
                        _diagnostics.Add(Descriptors.ExpressionType.Create(node.Span, inner, $"in the name '{node.Name}' must be an integer known at build time, found {value.TypeName}"));
                    return node.Name;
                }

                // A '-' may be part of a name (torchvision's block1-0), but not a negative copy number.
                if (number.IsConstant && number.Number < 0)
                {
                    _diagnostics.Add(Descriptors.InvalidIdentifier.Create(node.Span, NameAlphabet.Display(node.Name), $"node name (for copy {text})",
                        $"its template {{{NameAlphabet.Display(inner)}}} is {number.Number.ToString(System.Globalization.CultureInfo.InvariantCulture)}, and a name's copy number cannot be negative"));
                    return node.Name;
                }

                result.Append(number.Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
                code?.Add(number.IsConstant ? new SymLiteral(new StringValue(number.Display)) : new SymConvert(number.AsExpr(), SymType.Text));
            }

            position = close + 1;
        }

        // The expanded name is a state_dict segment like any other (a negative value would add a '-').
        var expanded = result.ToString();
        if (NameAlphabet.SegmentProblem(expanded, allowTemplate: false) is { } problem)
        {
            _diagnostics.Add(Descriptors.InvalidIdentifier.Create(node.Span, NameAlphabet.Display(expanded), $"node name (from '{NameAlphabet.Display(node.Name)}' for copy {text})", problem));
            return node.Name;
        }

        return expanded;
    }

    private static string AutoName(string op, ClassBuilder owner) =>
        op + owner.CountStateNamesStartingWith(op).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private bool CountLayer(SourceSpan span)
    {
        _layerCount++;
        if (_layerCount <= SpecLimits.MaxLayers)
            return true;
        if (!_limitReported)
            _diagnostics.Add(Descriptors.LimitExceeded.Create(span, "The number of layers", SpecLimits.MaxLayers.ToString()));
        _limitReported = true;
        return false;
    }

    /// <summary>Adds a summary row; a container's row goes before the rows of its members.</summary>
    private void Record(Frame frame, string name, LayerPlan plan)
    {
        if (!frame.RecordLayers)
            return;
        var row = new LayerRow(frame.Path + name, plan.Kind, plan.Detail, frame.Depth, plan.Output.ToIR(), plan.Parameters, plan.Flops, plan.IsBlock) { Label = plan.Label ?? plan.Detail, Geometry = plan.Geometry };
        if (plan.RowIndex >= 0 && plan.RowIndex <= _layers.Count)
            _layers.Insert(plan.RowIndex, row);
        else
            _layers.Add(row);
    }

    /// <summary>
    /// A shape for a generated comment. A block class serves every use, so its comments give the
    /// channels as the formula that computes them and no spatial size; the model's give numbers.
    /// </summary>
    private static string ShapeText(TensorShape shape, Frame frame)
    {
        if (frame.RecordLayers)
            return shape.ToString();
        var channels = shape.Channels.Shown;
        return shape.IsVector ? $"[{channels}]" : $"[{channels}, H, W]";
    }

    private int ErrorCount() => _diagnostics.Count(d => d.Severity == SpecSeverity.Error);
}
