using System;
using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Diagnostics;
using InceptionDsl.Expressions;
using InceptionDsl.Kinds;
using InceptionDsl.Syntax;

namespace InceptionDsl.Semantics;

/// <summary>Single layers: their options, output shape, cost, and the typed module that builds or applies them.</summary>
internal sealed partial class Lowerer
{

    private LayerPlan? PlanLayer(NodeSyntax node, string? name, TensorShape input, Frame frame)
    {
        var label = name ?? node.Op;
        CurrentSpan = node.Span;
        switch (node.Op)
        {
            case "seq":
                return PlanSequential(node, label, input, frame);
            case "use":
                return PlanBlockInstance(node, label, input, frame);
        }

        // Messages name the node by its spec path (features.3.branch1.1), not by its bare name or position.
        label = frame.Path + label;
        var options = new Options(node, _defaults.TryGetValue(node.Op, out var defaults) ? defaults : Enumerable.Empty<OptionSyntax>(), frame.Scope, _diagnostics, label);
        return AsModuleWhereSized(frame, options, PlanKind(node, label, options, input, frame));
    }

    /// <summary>
    /// A parameter-free operation is a function of the forward, unless a block sizes it with its values (a pool's stride
    /// given as a block parameter): a forward cannot read the constructor's values, so it is then a module built with
    /// them. Decided on the spec's text, so the class's walk and each use's walk (which sees numbers) agree.
    /// </summary>
    private static LayerPlan? AsModuleWhereSized(Frame frame, Options options, LayerPlan? plan) =>
        plan is { Functional: true } && frame.InBlock && options.ReadsVariables() ? plan with { Functional = false } : plan;

    private LayerPlan? PlanKind(NodeSyntax node, string label, Options options, TensorShape input, Frame frame)
    {
        // A kind that lowers itself (Kinds/): its file has the checks, the shape rule and the counts.
        if (NodeKinds.Layer(node.Op) is { } kind)
        {
            CurrentSpan = options.Span;
            return kind.Plan(new LayerContext(label, options, input, frame.RecordLayers, _diagnostics));
        }

        return node.Op switch
        {
            "conv" => PlanConv(label, options, input, frame.RecordLayers),
            _ when ActivationCatalog.TryGet(node.Op, out var activation) => PlanActivation(activation, input),
            "maxpool" or "avgpool" => PlanPool(node.Op, label, options, input, frame.RecordLayers),
            "layer_scale" => LayerScaleInSequential(label, options),
            _ => null,
        };
    }

    /// <summary>
    /// A parameter-free activation (<see cref="ActivationCatalog"/>): a module in a seq, a function applied in a flat body.
    /// </summary>
    private static LayerPlan PlanActivation(ActivationInfo activation, TensorShape input) =>
        new(activation.Kind, activation.Detail, input, 0, 0, new ActivationNode(activation.Kind), Functional: true);

    private static ActivationInfo Activation(string key) =>
        ActivationCatalog.TryGet(key, out var activation) ? activation : throw new InvalidOperationException($"'{key}' is not an activation");

    private bool RequireMap(string label, TensorShape input)
    {
        if (!input.IsVector)
            return true;
        _diagnostics.Add(Descriptors.ChannelMismatch.Create(CurrentSpan, label, $"needs a feature map [C, H, W] but its input is the vector {input}"));
        return false;
    }

    private LayerPlan? PlanConv(string label, Options options, TensorShape input, bool numbers)
    {
        CurrentSpan = options.Span;
        if (!RequireMap(label, input))
            return null;
        var filters = options.Int("filters", null, 1, SpecLimits.MaxChannels);
        var kernel = options.Pair("k", null, 1);
        var stride = options.Pair("stride", 1, 1);
        var dilation = options.Pair("dilation", 1, 1);
        var groups = options.Int("groups", 1, 1, SpecLimits.MaxChannels);
        var withBn = options.Bool("bn", false);
        var bias = withBn is null ? null : options.Bool("bias", !withBn.Value);
        var eps = options.Number("eps", 1e-5, 0, 1);
        var momentum = options.Number("momentum", 0.1, 0, 1);
        var act = options.Word("act", "none", ActivationCatalog.Keys.Append("none").ToArray());
        if (filters is null || kernel is null || stride is null || dilation is null || groups is null || withBn is null || bias is null || eps is null || momentum is null || act is null)
            return null;
        var padding = Padding(options, kernel.Value, dilation.Value);
        if (padding is null)
            return null;

        var (kh, kw) = kernel.Value;
        var (ph, pw) = padding.Value;
        if (input.C % groups.Number != 0 || filters.Number % groups.Number != 0)
        {
            _diagnostics.Add(Descriptors.ChannelMismatch.Create(options.SpanOf("groups"), label,
                $"groups {groups.Number} must divide both the input channels ({input.C}) and the filters ({filters.Number})"));
            return null;
        }

        var height = Spatial(label, input, input.Height, kh.Number, stride.Value.H.Number, ph.Number, dilation.Value.H.Number, ceil: null, options);
        var width = Spatial(label, input, input.Width, kw.Number, stride.Value.W.Number, pw.Number, dilation.Value.W.Number, ceil: null, options);
        if (height is null || width is null)
            return null;

        long perFilter = input.C / groups.Number * kh.Number * kw.Number;
        long parameters = filters.Number * perFilter + (bias.Value ? filters.Number : 0) + (withBn.Value ? 2 * filters.Number : 0);
        long flops = 2 * filters.Number * height.Value * width.Value * perFilter;
        var output = TensorShape.Map(filters, height.Value, width.Value);
        string Describe(Func<Value, string> show) =>
            $"{(withBn.Value ? act == "none" ? "conv-bn" : "conv-bn-" + Activation(act).Kind : "conv")} {Geometry(kernel.Value, stride.Value, padding.Value, show)}, {show(filters)}{(show(groups) != "1" ? $", groups {show(groups)}" : "")}";
        var detail = Describe(Shown);
        var numbered = numbers && !(filters.IsConstant && groups.IsConstant && Constant(kernel.Value) && Constant(stride.Value) && Constant(padding.Value)) ? Describe(Number) : null;
        // Only a use's rows read a conv's geometry (a conv is never a functional step).
        var geometry = numbers ? GeometryOf(kernel.Value, stride.Value, padding.Value, (int)filters.Number, (int)groups.Number) : null;

        var conv = new Conv2dNode(input.Channels.AsExpr(), filters.AsExpr(), SymPair.Of(kernel.Value), SymPair.Of(stride.Value), SymPair.Of(padding.Value),
            SymPair.Of(dilation.Value), groups.AsExpr(), bias.Value);
        if (withBn.Value)
        {
            UsesUnit = true;
            var unit = new ConvUnitNode(conv, eps.AsExpr(), momentum.AsExpr(), act == "none" ? "none" : Activation(act).Kind);
            return new LayerPlan("conv", detail, output, parameters, flops, unit, Functional: false) { Label = numbered, Geometry = geometry };
        }

        return new LayerPlan("conv", detail, output, parameters, flops, conv, Functional: false,
            ActivationAfter: act == "none" ? null : PlanActivation(Activation(act), output)) { Label = numbered, Geometry = geometry };
    }

    /// <summary>pad: an integer, [h, w], "same" (keeps size at stride 1; odd kernels) or "valid" (0).</summary>
    private (IntValue H, IntValue W)? Padding(Options options, (IntValue H, IntValue W) kernel, (IntValue H, IntValue W) dilation)
    {
        if (options.Has("pad") && options.Raw("pad") is StringValue word)
        {
            if (word.Text == "valid")
                return (new IntValue(0), new IntValue(0));
            if (word.Text == "same")
            {
                if ((dilation.H.Number * (kernel.H.Number - 1)) % 2 != 0 || (dilation.W.Number * (kernel.W.Number - 1)) % 2 != 0)
                {
                    _diagnostics.Add(Descriptors.OutOfRange.Create(options.SpanOf("pad"), "pad", "explicit for an even kernel ('same' needs odd kernels)", "same"));
                    return null;
                }

                return (SamePadding(kernel.H, dilation.H), SamePadding(kernel.W, dilation.W));
            }

            _diagnostics.Add(Descriptors.WrongType.Create(options.SpanOf("pad"), "pad", "an integer, [h, w], 'same' or 'valid'", $"'{word.Text}'" + DidYouMean.Hint(word.Text, new[] { "same", "valid" })));
            return null;
        }

        return options.Pair("pad", 0, 0);
    }

    /// <summary>
    /// 'same' padding of one side, dilation * (kernel - 1) / 2. In a block class whose kernel or dilation is a
    /// constructor parameter it is computed there too: the first use's number would be wrong for the others.
    /// </summary>
    private static IntValue SamePadding(IntValue kernel, IntValue dilation)
    {
        var pad = new IntValue(dilation.Number * (kernel.Number - 1) / 2);
        if (kernel.IsConstant && dilation.IsConstant)
            return pad;
        SymExpr reach = new SymBinary("-", kernel.AsExpr(), new SymLiteral(new IntValue(1)));
        var span = dilation.IsConstant && dilation.Number == 1 ? reach : new SymBinary("*", dilation.AsExpr(), reach);
        return pad with { Expr = new SymBinary("//", span, new SymLiteral(new IntValue(2))) };
    }

    /// <summary>One output side, with the kernel-fits and positive-size checks.</summary>
    private long? Spatial(string label, TensorShape input, long size, long kernel, long stride, long pad, long dilation, bool? ceil, Options options)
    {
        long effective = dilation * (kernel - 1) + 1;
        long output = ceil is null ? ShapeRules.ConvOut(size, kernel, stride, pad, dilation) : ShapeRules.PoolOut(size, kernel, stride, pad, dilation, ceil.Value);
        if (size + 2 * pad < effective || output <= 0)
        {
            // A map already reduced to one pixel has collapsed; otherwise the kernel is simply too big.
            _diagnostics.Add(size == 1
                ? Descriptors.SpatialCollapsed.Create(options.Span, label, input, $"{kernel} (effective {effective})")
                : Descriptors.KernelTooLarge.Create(options.SpanOf("k"), label, $"{kernel} (effective {effective})", $"{input} padded by {pad}"));
            return null;
        }

        return output;
    }

    private LayerPlan? PlanPool(string op, string label, Options options, TensorShape input, bool numbers)
    {
        CurrentSpan = options.Span;
        if (!RequireMap(label, input))
            return null;
        var kernel = options.Pair("k", null, 1);
        var stride = options.Has("stride") ? options.Pair("stride", null, 1) : kernel;
        var pad = options.Pair("pad", 0, 0);
        var ceil = options.Bool("ceil", false);
        var includePad = op == "avgpool" ? options.Bool("count_include_pad", true) : true;
        if (kernel is null || stride is null || pad is null || ceil is null || includePad is null)
            return null;
        if (pad.Value.H.Number * 2 > kernel.Value.H.Number || pad.Value.W.Number * 2 > kernel.Value.W.Number)
        {
            _diagnostics.Add(Descriptors.OutOfRange.Create(options.SpanOf("pad"), "pad", "at most half the kernel", pad.Value.H.Number));
            return null;
        }

        var height = Spatial(label, input, input.Height, kernel.Value.H.Number, stride.Value.H.Number, pad.Value.H.Number, 1, ceil, options);
        var width = Spatial(label, input, input.Width, kernel.Value.W.Number, stride.Value.W.Number, pad.Value.W.Number, 1, ceil, options);
        if (height is null || width is null)
            return null;

        var output = TensorShape.Map(input.Channels, height.Value, width.Value);
        string Describe(Func<Value, string> show) =>
            $"{(op == "maxpool" ? "max" : "avg")} pool {Geometry(kernel.Value, stride.Value, pad.Value, show)}{(ceil.Value ? " ceil" : "")}{(op == "avgpool" && !includePad.Value ? " excl. pad" : "")}";
        var detail = Describe(Shown);
        var numbered = numbers && !(Constant(kernel.Value) && Constant(stride.Value) && Constant(pad.Value)) ? Describe(Number) : null;
        var geometry = GeometryOf(kernel.Value, stride.Value, pad.Value, 0, 1, ceil.Value, op == "avgpool" && !includePad.Value);
        var pool = new PoolNode(op == "maxpool", SymPair.Of(kernel.Value), SymPair.Of(stride.Value), SymPair.Of(pad.Value), ceil.Value, op == "maxpool" || includePad.Value);
        if (op == "maxpool")
        {
            return new LayerPlan("maxpool", detail, output, 0, 0, pool, Functional: true) { Label = numbered, Geometry = geometry };
        }

        return new LayerPlan("avgpool", detail, output, 0, 0, pool, Functional: true) { Label = numbered, Geometry = geometry };
    }

    /// <summary>A value in a comment: the number, or the C# that computes it in a block class.</summary>
    private static string Shown(Value value) => value.Shown;

    /// <summary>A value in a label for one use: the number.</summary>
    private static string Number(Value value) => value.Display;

    private static bool Constant((IntValue H, IntValue W) pair) => pair.H.IsConstant && pair.W.IsConstant;

    /// <summary>A conv's or pool's geometry in numbers (checked against the spec limits, so each fits an int).</summary>
    private static LayerGeometry GeometryOf((IntValue H, IntValue W) kernel, (IntValue H, IntValue W) stride, (IntValue H, IntValue W) pad,
        int filters, int groups, bool ceil = false, bool excludePad = false) =>
        new((int)kernel.H.Number, (int)kernel.W.Number, (int)stride.H.Number, (int)stride.W.Number, (int)pad.H.Number, (int)pad.W.Number, filters, groups, ceil, excludePad);

    private static string Geometry((IntValue H, IntValue W) kernel, (IntValue H, IntValue W) stride, (IntValue H, IntValue W) pad, Func<Value, string> show)
    {
        string Side((IntValue H, IntValue W) p) => show(p.H) == show(p.W) ? show(p.H) : $"{show(p.H)}x{show(p.W)}";
        var text = $"{show(kernel.H)}x{show(kernel.W)}";
        if (Side(stride) != "1") text += "/" + Side(stride);
        if (Side(pad) != "0") text += " pad " + Side(pad);
        return text;
    }

    /// <summary>Whether any layer uses the shared conv unit class (so it is emitted).</summary>
    public bool UsesUnit { get; private set; }

    /// <summary>The node being planned, for diagnostics raised by helpers.</summary>
    private InceptionDsl.Text.SourceSpan CurrentSpan { get; set; }
}
