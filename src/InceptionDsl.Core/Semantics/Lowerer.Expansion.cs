using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using InceptionDsl.Diagnostics;
using InceptionDsl.Expressions;
using InceptionDsl.Syntax;
using InceptionDsl.Text;

namespace InceptionDsl.Semantics;

/// <summary>
/// The layer count of a model, computed arithmetically before anything is expanded, so that a
/// spec whose blocks multiply (thirty levels of blocks each using the next twice: 2^30 layers)
/// fails with IDSL012 at once instead of after the lowering has built 100,000 layers.
/// </summary>
/// <remarks>
/// A node repeated r times over a body of n layers counts r * (1 + n); a block's body is counted
/// once per distinct set of argument values and reused (memoized). A class block's class is lowered
/// once more, the first time it is used: its body is added once to a separate sum, so that it is not
/// multiplied again by the uses around it. Conditions are ignored (every node counts: a seq member's or an aux
/// head's <c>if</c> too), and every kind of node is one layer plus what it holds (a seq's, chain's, concat's,
/// residual's or gate's children, a residual's shortcut whichever is registered first), so the count is an upper bound
/// except where an expression cannot be evaluated, which the lowering then reports. The counting
/// runs on a scratch lowerer whose diagnostics are discarded; counting stops once past the cap, so
/// its own work is bounded by the cap.
/// </remarks>
internal sealed partial class Lowerer
{
    private readonly Dictionary<string, double> _blockLayerCounts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _classBodiesCounted = new(StringComparer.Ordinal);
    private double _classBodies;
    private double _countCap;
    private long _countInChannels;

    /// <summary>
    /// Counts the model's layers (body and aux heads) before lowering. Returns the count, or null after
    /// reporting IDSL012 at the top-level node where the count passes the model's or the spec's limit.
    /// </summary>
    private long? CheckExpansion(VariantDecl variant, Scope modelScope, LayerBudget budget)
    {
        long specLeft = SpecLimits.MaxSpecLayers - budget.Used;
        long limit = Math.Min(SpecLimits.MaxLayers, specLeft);
        var counter = new Lowerer(_spec, new List<SpecDiagnostic>()) { _globals = _globals, _countCap = limit + 1.0, _countInChannels = (variant.Input ?? _spec.Input).Channels };
        double total = 0;
        var parts = _spec.Body.Select(node => (node.Span, Count: (Func<double>)(() => counter.CountNode(node, modelScope))))
            .Concat(_spec.Aux.Select(head => (head.Span, Count: (Func<double>)(() => counter.CountAux(head, modelScope)))));
        foreach (var (span, count) in parts)
        {
            total += count();
            if (total + counter._classBodies <= limit)
                continue;
            total += counter._classBodies;
            var counted = total >= 1e15 ? total.ToString("E3", CultureInfo.InvariantCulture) : total.ToString("F0", CultureInfo.InvariantCulture);
            var what = limit == SpecLimits.MaxLayers
                ? $"The layers of model '{variant.Model}' (at least {counted} by this node, counted before expanding)"
                : $"The layers of all models of this spec ({budget.Used} before model '{variant.Model}', and at least {counted} in it by this node)";
            _diagnostics.Add(Descriptors.LimitExceeded.Create(span, what, (limit == SpecLimits.MaxLayers ? SpecLimits.MaxLayers : SpecLimits.MaxSpecLayers).ToString(CultureInfo.InvariantCulture)));
            return null;
        }

        return (long)(total + counter._classBodies);
    }

    /// <summary>Layers of one node with its repeats: each copy is one layer plus what it contains.</summary>
    private double CountNode(NodeSyntax node, Scope scope)
    {
        long repeat = 1;
        if (node.Repeat is not null && ExprEvaluator.Evaluate(node.Repeat, scope, _diagnostics) is IntValue { IsConstant: true, Number: >= 1 } count)
            repeat = Math.Min(count.Number, SpecLimits.MaxRepeat);
        double total = 0;
        for (long i = 0; i < repeat && total <= _countCap; i++)
        {
            var copyScope = scope;
            if (node.Repeat is not null)
            {
                copyScope = new Scope(scope, scope.Description);
                copyScope.Set("i", new IntValue(i));
            }

            total += 1 + CountContents(node, copyScope);
        }

        return total;
    }

    private double CountContents(NodeSyntax node, Scope scope)
    {
        if (node.Op == "use")
            return ResolveBlock(node, scope) is { } block ? CountBlockUse(block, node.Args, scope, node.Span) : 0;
        double total = CountAll(node.Children, scope);
        if (node.Shortcut is not null && total <= _countCap)
            total += CountNode(node.Shortcut, scope);
        return total;
    }

    private double CountAll(IEnumerable<NodeSyntax> nodes, Scope scope)
    {
        double total = 0;
        foreach (var child in nodes)
        {
            total += CountNode(child, scope);
            if (total > _countCap)
                break;
        }

        return total;
    }

    private double CountAux(AuxDecl head, Scope scope)
    {
        if (!_blocks.TryGetValue(head.Block, out var block))
            return 1;
        return 1 + CountBlockUse(block, head.Args, scope, head.Span);
    }

    /// <summary>The layers one use of a block adds: its body with these arguments, and a class block's body once more for its class.</summary>
    private double CountBlockUse(BlockDecl block, EquatableArray<ArgSyntax> args, Scope callerScope, SourceSpan span)
    {
        if (!EnterBlock(block, span))
            return 0;
        try
        {
            var scope = new Scope(_globals, $"block '{block.Name}'");
            scope.Set("in_channels", new IntValue(_countInChannels));
            var bound = BindArguments(block.Params, args, callerScope, scope, span, block.Name, symbolic: false);
            if (bound is null)
                return 0;
            BindLets(block, scope, symbolic: false, lets: null);
            var key = block.Name + "(" + string.Join(", ", bound.Select(b => b.Value.Display)) + ")";
            if (!_blockLayerCounts.TryGetValue(key, out var body))
            {
                body = CountAll(block.Body, scope);
                _blockLayerCounts[key] = body;
            }

            if (!block.Inline && _classBodiesCounted.Add(block.Name))
                _classBodies += body;
            return body;
        }
        finally
        {
            _blockStack.RemoveAt(_blockStack.Count - 1);
        }
    }
}

/// <summary>The layers the models of one spec have used so far, against <see cref="SpecLimits.MaxSpecLayers"/>.</summary>
internal sealed class LayerBudget
{
    public long Used { get; set; }
}
