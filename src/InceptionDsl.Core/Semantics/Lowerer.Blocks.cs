using System;
using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Diagnostics;
using InceptionDsl.Expressions;
using InceptionDsl.Syntax;
using InceptionDsl.Text;

namespace InceptionDsl.Semantics;

/// <summary>
/// Blocks: binding arguments to parameters, inline templates, and class blocks, which are checked
/// once per use with concrete values and lowered once with symbolic parameters for their class.
/// </summary>
internal sealed partial class Lowerer
{
    /// <summary>The block a <c>use</c> names, directly or through a parameter (<c>use: $block</c>).</summary>
    private BlockDecl? ResolveBlock(NodeSyntax node, Scope scope)
    {
        var name = node.Block!;
        if (name.StartsWith("$", System.StringComparison.Ordinal))
        {
            var value = ExprEvaluator.Evaluate(new VariableExpr(name.Substring(1), node.Span), scope, _diagnostics);
            if (value is null)
                return null;
            if (value is not StringValue word || !word.IsConstant)
            {
                _diagnostics.Add(Descriptors.ExpressionType.Create(node.Span, name, $"must name a block at build time, found {value.TypeName}"));
                return null;
            }

            name = word.Text;
        }

        if (_blocks.TryGetValue(name, out var block))
            return block;
        _diagnostics.Add(Descriptors.UndefinedBlock.Create(node.Span, name, DidYouMean.Hint(name, _blocks.Keys)));
        return null;
    }

    /// <summary>
    /// Binds arguments (evaluated in the caller's scope) to parameters into <paramref name="target"/>.
    /// With <paramref name="symbolic"/> each value carries the C# parameter name instead of its code.
    /// Returns the bound values in parameter order, with whether each was given explicitly.
    /// </summary>
    private List<(ParamDecl Param, Value Value, bool Explicit)>? BindArguments(
        EquatableArray<ParamDecl> parameters, EquatableArray<ArgSyntax> args, Scope callerScope, Scope target, SourceSpan span, string owner, bool symbolic)
    {
        var bound = new Dictionary<string, (Value Value, SourceSpan Span)>();
        var declared = new HashSet<string>(parameters.Select(p => p.Name)); // a hash: 10,000 arguments stay linear
        bool ok = true;
        int position = 0;
        foreach (var arg in args)
        {
            string? name = arg.Name;
            if (name is null)
            {
                if (position >= parameters.Count)
                {
                    _diagnostics.Add(Descriptors.BadArguments.Create(arg.Span, owner, $"takes {parameters.Count} parameter(s), found more positional arguments"));
                    ok = false;
                    continue;
                }

                name = parameters[position++].Name;
            }
            else if (!declared.Contains(name))
            {
                _diagnostics.Add(Descriptors.BadArguments.Create(arg.Span, owner, $"has no parameter '{name}'{DidYouMean.Hint(name, parameters.Select(p => p.Name))}"));
                ok = false;
                continue;
            }

            if (bound.ContainsKey(name))
            {
                _diagnostics.Add(Descriptors.BadArguments.Create(arg.Span, owner, $"parameter '{name}' is given twice"));
                ok = false;
                continue;
            }

            var value = ExprEvaluator.Evaluate(arg.Value, callerScope, _diagnostics);
            if (value is null)
                ok = false;
            else
                bound[name] = (value, arg.Span);
        }

        var result = new List<(ParamDecl, Value, bool)>();
        foreach (var parameter in parameters)
        {
            Value? value;
            bool isExplicit = bound.TryGetValue(parameter.Name, out var given);
            if (isExplicit)
            {
                value = given.Value;
            }
            else if (parameter.Default is not null)
            {
                // A default may use the parameters before it (stride2: $stride), the model's parameters and in_channels.
                value = ExprEvaluator.Evaluate(parameter.Default, target, _diagnostics);
            }
            else
            {
                _diagnostics.Add(Descriptors.BadArguments.Create(span, owner, $"parameter '{parameter.Name}' has no value and no default"));
                ok = false;
                continue;
            }

            if (value is null)
            {
                ok = false;
                continue;
            }

            if (symbolic)
                value = value with { Expr = new SymName(Identifiers.ToCamelCase(parameter.Name).TrimStart('@')) };
            target.Set(parameter.Name, value);
            result.Add((parameter, value, isExplicit));
        }

        return ok ? result : null;
    }

    /// <summary>
    /// An inline block expands in place. A body of one unnamed node takes the use's name, so a
    /// template can build a named Sequential (ResNet's <c>layer1</c>).
    /// </summary>
    private Lowered? LowerInlineBlock(NodeSyntax node, BlockDecl block, string? name, TensorShape input, Frame frame, List<StepIR> steps, SymExpr? condition = null, bool shortcut = false)
    {
        int before = _diagnostics.Count;
        var lowered = LowerInlineBlockAt(node, block, name, input, frame, steps, condition, shortcut);
        NoteUse(before, node, frame.Path + (name ?? block.Name), frame.Scope);
        return lowered;
    }

    private Lowered? LowerInlineBlockAt(NodeSyntax node, BlockDecl block, string? name, TensorShape input, Frame frame, List<StepIR> steps, SymExpr? condition, bool shortcut)
    {
        if (!EnterBlock(block, node.Span))
            return null;
        try
        {
            var scope = new Scope(_globals, $"block '{block.Name}'");
            scope.Set("in_channels", input.Channels);
            if (BindArguments(block.Params, node.Args, frame.Scope, scope, node.Span, block.Name, symbolic: false) is null || !BindLets(block, scope, symbolic: false, lets: null))
                return null;
            var inner = frame.WithScope(scope);
            if (condition is not null)
                return LowerOne(block.Body[0] with { Name = block.Body[0].Name ?? name }, block.Body[0].Name ?? name, input, inner, steps, condition, shortcut);
            if (block.Body.Count == 1 && block.Body[0].Name is null && name is not null)
                return LowerNode(block.Body[0] with { Name = name }, input, inner, steps);
            return LowerChain(block.Body, input, inner, steps);
        }
        finally
        {
            _blockStack.RemoveAt(_blockStack.Count - 1);
        }
    }

    /// <summary>
    /// One use of a class block: checked with this use's values (shapes, costs, summary rows), and
    /// its class lowered the first time it is used.
    /// </summary>
    private LayerPlan? PlanBlockInstance(NodeSyntax node, string label, TensorShape input, Frame frame)
    {
        int before = _diagnostics.Count;
        var plan = PlanBlockInstanceAt(node, label, input, frame);
        NoteUse(before, node, frame.Path + label, frame.Scope);
        return plan;
    }

    /// <summary>
    /// Points each diagnostic raised since <paramref name="before"/> inside a block's body at the use
    /// that instantiated it, with the use's argument values (a related location: the error is in the
    /// block, the values that caused it are at the use).
    /// </summary>
    private void NoteUse(int before, NodeSyntax use, string path, Scope callerScope)
    {
        if (_diagnostics.Count == before)
            return;
        var values = new List<string>();
        foreach (var arg in use.Args)
        {
            var value = ExprEvaluator.Evaluate(arg.Value, callerScope, new List<SpecDiagnostic>());
            values.Add($"{(arg.Name is null ? "" : arg.Name + ": ")}{value?.Display ?? arg.Value.Display}");
        }

        var message = $"in block '{use.Block}' used as '{path}'{(values.Count == 0 ? "" : " with " + string.Join(", ", values))}";
        for (int i = before; i < _diagnostics.Count; i++)
            _diagnostics[i] = _diagnostics[i].WithRelated(use.Span, message);
    }

    private LayerPlan? PlanBlockInstanceAt(NodeSyntax node, string label, TensorShape input, Frame frame)
    {
        var block = ResolveBlock(node, frame.Scope);
        if (block is null)
            return null;
        if (block.Inline)
        {
            _diagnostics.Add(Descriptors.BadNode.Create(node.Span, $"Inline block '{block.Name}' expands in place and cannot be a single module here"));
            return null;
        }

        if (!RequireMap(label, input) || !EnterBlock(block, node.Span))
            return null;
        try
        {
            int rowIndex = _layers.Count;
            var scope = new Scope(_globals, $"block '{block.Name}'");
            scope.Set("in_channels", input.Channels);
            var bound = BindArguments(block.Params, node.Args, frame.Scope, scope, node.Span, block.Name, symbolic: false);
            if (bound is null || !BindLets(block, scope, symbolic: false, lets: null))
                return null;

            // A use with a place in the state_dict records its steps to match them with the class's.
            var trace = frame.RecordLayers ? new StepTrace() : null;
            var instanceFrame = new Frame(new ClassBuilder(block.Name, _reservedNames), scope, frame.Path + label + ".", frame.Depth + 1, frame.RecordLayers, trace) { InBlock = true };
            // This walk's code is not emitted (its class is): the locals its loops claim are scratch.
            var (outerLocals, outerNesting) = (_locals, _loopNesting);
            (_locals, _loopNesting) = (new ConstructorLocals(GeneratedNames.BlockParameters), 0);
            Lowered? lowered;
            try
            {
                lowered = LowerChain(block.Body, input, instanceFrame, new List<StepIR>());
            }
            finally
            {
                (_locals, _loopNesting) = (outerLocals, outerNesting);
            }

            if (lowered is null)
                return null;
            var useKey = UseKey(block, bound, input);
            if (!_blockClassesStarted.Contains(block.Name))
            {
                LowerBlockClass(block, node, input, frame.Scope, useKey);
                // Lowered inside another class's walk, for a member its first use leaves out (MobileNetV3's SE where
                // the first block has none): no real use yet, so the first real one lowers the class again.
                if (!frame.RecordLayers)
                    _provisionalClasses.Add(block.Name);
            }
            else if (frame.RecordLayers && _provisionalClasses.Remove(block.Name))
                RelowerBlockClass(block, node, input, frame.Scope, useKey);
            else if (frame.RecordLayers)
                CheckClassServesUse(block, node, input, frame.Scope, frame.Path + label, useKey);
            if (trace is not null && _classTraces.TryGetValue(block.Name, out var classTrace))
            {
                var (outputs, labels, geometries) = trace.OutputsFor(classTrace, input.ToIR());
                _instances.Add(new InstanceIR(frame.Path + label, block.Name, outputs) { Labels = labels, Geometries = geometries, Scales = trace.ScalesFor(classTrace) });
            }

            var arguments = new List<BlockArgument>();
            foreach (var (parameter, value, isExplicit) in bound)
                if (isExplicit || (parameter.Default is not null && ConstantDefault(parameter) is null))
                    arguments.Add(new BlockArgument(Identifiers.ToCamelCase(parameter.Name).TrimStart('@'), value.AsExpr()));
            if (_blockUsesClasses.Contains(block.Name))
                arguments.Add(new BlockArgument("numClasses", new SymName("numClasses")));
            var module = new BlockInstanceNode(block.Name, input.Channels.AsExpr(), arguments.ToEquatableArray());
            return new LayerPlan("block", block.Name, lowered.Value.Output, lowered.Value.Parameters, lowered.Value.Flops, module, Functional: false, IsBlock: true, RowIndex: rowIndex);
        }
        finally
        {
            _blockStack.RemoveAt(_blockStack.Count - 1);
        }
    }

    private readonly HashSet<string> _blockUsesClasses = new();

    /// <summary>A parameter's default when it is a constant of the model (no other parameter in it), else null.</summary>
    private Value? ConstantDefault(ParamDecl parameter) =>
        parameter.Default is not null && ExprEvaluator.Evaluate(parameter.Default, _globals, new List<SpecDiagnostic>()) is { IsConstant: true } value ? value : null;

    /// <summary>Lowers a block's class once, at its first use, and registers it.</summary>
    private void LowerBlockClass(BlockDecl block, NodeSyntax use, TensorShape input, Scope callerScope, string useKey)
    {
        _blockClassesStarted.Add(block.Name);
        _classCheckedUses.Add(useKey);
        if (BuildBlockClass(block, use, input, callerScope) is not { } built)
            return;
        _classTraces[block.Name] = built.Trace;
        if (built.UsesClasses)
            _blockUsesClasses.Add(block.Name);
        _blockClasses.Add(built.Class);
    }

    /// <summary>Classes lowered for a member no use has yet (see <see cref="RelowerBlockClass"/>).</summary>
    private readonly HashSet<string> _provisionalClasses = new(StringComparer.Ordinal);

    /// <summary>
    /// Lowers a provisional class again for its first real use, in place (its position among the classes kept),
    /// so its steps carry that use's numbers as every class's do.
    /// </summary>
    private void RelowerBlockClass(BlockDecl block, NodeSyntax use, TensorShape input, Scope callerScope, string useKey)
    {
        int index = _blockClasses.FindIndex(c => c.Name == block.Name);
        _classCheckedUses.Add(useKey);
        if (index < 0 || BuildBlockClass(block, use, input, callerScope) is not { } built)
            return;
        _classTraces[block.Name] = built.Trace;
        if (built.UsesClasses)
            _blockUsesClasses.Add(block.Name);
        _blockClasses[index] = built.Class;
    }

    /// <summary>The uses whose class was already checked, by <see cref="UseKey"/>: a repeated block is lowered once more per distinct use, not per copy.</summary>
    private readonly HashSet<string> _classCheckedUses = new(StringComparer.Ordinal);

    private static string UseKey(BlockDecl block, List<(ParamDecl Param, Value Value, bool Explicit)> bound, TensorShape input) =>
        $"{block.Name}({string.Join(", ", bound.Select(b => b.Value.Display))}) on {input}";

    /// <summary>
    /// A block is one class, lowered with its first use's arguments and input: whatever its constructor
    /// computes from its parameters follows each use, but a number taken from the first use (a size that
    /// depends on the input's height and width, say) would build every other use wrong. So each further
    /// distinct use lowers the class again with its own arguments; if a member would be built differently,
    /// the use is an error (IDSL028) instead of a model that is silently wrong.
    /// </summary>
    private void CheckClassServesUse(BlockDecl block, NodeSyntax use, TensorShape input, Scope callerScope, string path, string useKey)
    {
        if (!_classCheckedUses.Add(useKey) || _blockClasses.Find(c => c.Name == block.Name) is not { } registered)
            return;
        int before = _diagnostics.Count;
        var probe = BuildBlockClass(block, use, input, callerScope);
        // The use itself lowered cleanly, and the class's own errors were reported with its first use.
        // (What else the probe records, such as UsesUnit, equals the first lowering's unless IDSL028 follows.)
        _diagnostics.RemoveRange(before, _diagnostics.Count - before);
        if (probe is null || FirstDifference(registered.Members, probe.Value.Class.Members) is not { } difference)
            return;
        _diagnostics.Add(Descriptors.ClassCannotServeUse.Create(use.Span, block.Name, path, difference, WhyClassCannotServe(block)));
    }

    /// <summary>
    /// IDSL028's reason and the construct that works. A member with <c>if:</c> is the usual cause: in a class the condition
    /// is decided when the class is constructed, but the members after it are built for the channels the first use gave
    /// them, so a member that is kept in one use and dropped in another cannot change what they see. An inline block is
    /// expanded at each use, where every <c>if:</c> is decided with that use's numbers.
    /// </summary>
    private static string WhyClassCannotServe(BlockDecl block)
    {
        if (FirstConditional(block.Body) is { } conditional)
        {
            var member = conditional.Name is { } name ? $"'{name}'" : $"the {conditional.Op} at line {conditional.Span.Line}";
            return $"its member {member} has 'if:', and a member that one use keeps and another drops cannot change the channels or size "
                + "the members after it see (a class builds them for its first use); write 'inline: true' on the block, so that each use "
                + "is expanded with its own numbers, or declare one block with the member and one without";
        }

        return "a value there depends on the input's size or on the first use's numbers, which one class cannot follow; write 'inline: true' "
            + "on the block, so that each use is expanded with its own numbers, or declare a second block for this use";
    }

    private static NodeSyntax? FirstConditional(IEnumerable<NodeSyntax> nodes)
    {
        foreach (var node in nodes)
        {
            if (node.Condition is not null)
                return node;
            var children = node.Shortcut is null ? node.Children : node.Children.Append(node.Shortcut);
            if (FirstConditional(children) is { } inner)
                return inner;
        }

        return null;
    }

    private static string? FirstDifference(EquatableArray<MemberIR> first, EquatableArray<MemberIR> other)
    {
        if (first.Count != other.Count)
            return $"{other.Count} modules where its class has {first.Count}";
        for (int i = 0; i < first.Count; i++)
        {
            var (a, b) = (first[i], other[i]);
            if (a.Field == b.Field && a.StateName == b.StateName && a.Module == b.Module && a.Condition == b.Condition)
                continue;
            // Shown as the C# that builds each (what a user sees in the generated class), where that is one short line.
            var (aInit, bInit) = (Emit.TorchSharpModules.InitOf(a.Module), Emit.TorchSharpModules.InitOf(b.Module));
            bool shown = aInit.Length <= 160 && bInit.Length <= 160 && !aInit.Contains('\n') && !bInit.Contains('\n');
            return shown
                ? $"'{b.StateName}' built as {bInit} where its class builds {aInit}"
                : $"'{b.StateName}' built differently from its class";
        }

        return null;
    }

    /// <summary>
    /// Lowers a block's class: parameters become constructor parameters (their C# names in every
    /// expression), lets become locals, and the body becomes fields and forward steps.
    /// </summary>
    private (ClassIR Class, StepTrace Trace, bool UsesClasses)? BuildBlockClass(BlockDecl block, NodeSyntax use, TensorShape input, Scope callerScope)
    {
        var scope = new Scope(_globals, $"block '{block.Name}'");
        scope.Set("in_channels", input.Channels with { Expr = new SymName("inChannels") });
        // Shadow the model's run-time class count so a block reading it takes it as a parameter.
        if (_globals.TryGet("classes", out var classes))
            scope.Set("classes", classes with { Expr = new SymName("numClasses") });
        var bound = BindArguments(block.Params, use.Args, callerScope, scope, use.Span, block.Name, symbolic: true);
        var lets = new List<LetIR>();
        if (bound is null || !BindLets(block, scope, symbolic: true, lets))
            return null;

        var parameters = new List<CtorParamIR> { new("inChannels", SymType.Int, null, "channels of the input") };
        foreach (var (parameter, value, _) in bound)
        {
            if (value is not (IntValue or FloatValue or BoolValue))
            {
                _diagnostics.Add(Descriptors.BadArguments.Create(parameter.Span, block.Name,
                    $"parameter '{parameter.Name}' is {value.TypeName}; a block class takes numbers and true/false (words and lists go to inline blocks)"));
                return null;
            }

            // A default that uses other parameters is no constant: each use passes its value.
            parameters.Add(new CtorParamIR(Identifiers.ToCamelCase(parameter.Name).TrimStart('@'), SymExpr.TypeOf(value), ConstantDefault(parameter), parameter.Name));
        }

        // C# wants the parameters without a default first; uses name their arguments, so order is free.
        parameters = parameters.Where(p => p.Default is null).Concat(parameters.Where(p => p.Default is not null)).ToList();

        var owner = new ClassBuilder(block.Name, _reservedNames);
        var trace = new StepTrace();
        var frame = new Frame(owner, scope, "", 0, recordLayers: false, trace) { InBlock = true };
        var steps = new List<StepIR>();
        // The locals the constructor's loops declare take names none of its parameters and lets has.
        // A class lowered from inside another class's loop starts outside any loop of its own constructor.
        var (outerLocals, outerNesting) = (_locals, _loopNesting);
        _loopNesting = 0;
        _locals = new ConstructorLocals(GeneratedNames.BlockParameters.Concat(block.Params.Select(p => p.Name)).Concat(block.Lets.Select(l => l.Name))
            .Select(n => Identifiers.ToCamelCase(n).TrimStart('@')));
        Lowered? lowered;
        try
        {
            lowered = LowerChain(block.Body, input with { Channels = input.Channels with { Expr = new SymName("inChannels") } }, frame, steps);
            lets.AddRange(_locals.Declared);
        }
        finally
        {
            (_locals, _loopNesting) = (outerLocals, outerNesting);
        }

        if (lowered is null)
            return null;
        bool usesClasses = scope.Used.Contains("classes");
        if (usesClasses)
            parameters.Add(new CtorParamIR("numClasses", SymType.Int, null, "number of classes"));

        var output = lowered.Value.Output;
        var outputComment = output.IsVector ? $"[{output.Channels.Shown}]" : $"[{output.Channels.Shown}, H', W']";
        var @class = new ClassIR(block.Name, block.Doc, parameters.ToEquatableArray(), lets.ToEquatableArray(), owner.Members.ToEquatableArray(),
            steps.ToEquatableArray(), outputComment);
        return (@class, trace, usesClasses);
    }

    private bool BindLets(BlockDecl block, Scope scope, bool symbolic, List<LetIR>? lets)
    {
        foreach (var let in block.Lets)
        {
            var value = ExprEvaluator.Evaluate(let.Value, scope, _diagnostics);
            if (value is null)
                return false;
            if (symbolic && !value.IsConstant)
            {
                var local = Identifiers.ToCamelCase(let.Name).TrimStart('@');
                lets?.Add(new LetIR(local, SymExpr.TypeOf(value), value.Expr!));
                value = value with { Expr = new SymName(local.TrimStart('@')) };
            }

            scope.Set(let.Name, value);
        }

        return true;
    }

    private bool EnterBlock(BlockDecl block, SourceSpan span)
    {
        if (_blockStack.Contains(block.Name))
        {
            var cycle = string.Join(" -> ", _blockStack.SkipWhile(b => b != block.Name).Concat(new[] { block.Name }));
            _diagnostics.Add(Descriptors.RecursiveBlock.Create(span, block.Name, cycle));
            return false;
        }

        if (_blockStack.Count >= SpecLimits.MaxBlockDepth)
        {
            _diagnostics.Add(Descriptors.LimitExceeded.Create(span, "Block nesting", SpecLimits.MaxBlockDepth.ToString()));
            return false;
        }

        _blockStack.Add(block.Name);
        return true;
    }

    /// <summary>An auxiliary head: a block instance fed by a top-level node, built only when enabled.</summary>
    private AuxIR? LowerAux(AuxDecl head, TensorShape input, Frame frame, List<StepIR> steps)
    {
        var node = new NodeSyntax("use", head.Name, null, null, null, head.Block, head.Args, EquatableArray<OptionSyntax>.Empty,
            EquatableArray<NodeSyntax>.Empty, null, head.Span);
        int before = _diagnostics.Count;
        var plan = PlanLayer(node, head.Name, input, frame);
        for (int i = before; i < _diagnostics.Count; i++)
            _diagnostics[i] = _diagnostics[i].WithRelated(head.Span, $"in aux head '{head.Name}' on '{head.At}'");
        if (plan is null || !AuxEndsInClasses(head, plan.Output))
            return null;
        var field = frame.Owner.Add(head.Name, head.Span, plan.Module, $"auxiliary head on {head.At} -> {plan.Output}", new SymName("auxLogits"), _diagnostics);
        if (field is null)
            return null;
        Record(frame, head.Name, plan);
        steps.Add(new AuxTapStep(field, $"{head.Name}: auxiliary classifier on {head.At} (loss weight {head.Weight})")
            { Kind = "aux", Label = head.Name });
        return new AuxIR(head.Name, field, head.At, head.Weight, plan.Module, plan.Output.ToString(), plan.Parameters);
    }

    /// <summary>An aux head is a classifier: its loss needs logits, one per class, as the model's own output.</summary>
    private bool AuxEndsInClasses(AuxDecl head, TensorShape output)
    {
        if (output.IsVector && output.C == _classCount)
            return true;
        _diagnostics.Add(Descriptors.BadNode.Create(head.Span,
            $"Aux head '{head.Name}' must end in a [classes] vector ([{_classCount}]), the logits its loss needs; block '{head.Block}' ends in {output}"));
        return false;
    }

    /// <summary>The model's class count (its <c>classes</c>), which an aux head's output must match.</summary>
    private long _classCount;
}
