using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using InceptionDsl.Diagnostics;
using InceptionDsl.Expressions;
using InceptionDsl.Syntax;
using InceptionDsl.Text;

namespace InceptionDsl.Semantics;

/// <summary>
/// A <c>seq</c>: one Sequential field whose children are named 0, 1, ... by position (as PyTorch's
/// nn.Sequential) unless a child carries a name. Its members may come from an inline block (its
/// body's members take the next positions, as if written there), a conv's activation takes the
/// position after the conv (torchvision's VGG: <c>features.0</c> Conv2d, <c>features.1</c> ReLU), a member
/// whose <c>if</c> depends on a block parameter is decided when the block is constructed (left out,
/// the members after it move up, as <c>nn.Sequential(*list)</c>), and a <c>repeat</c> counted by a
/// block parameter becomes a loop of the constructor. The class is lowered with its first use's
/// values; each use is checked with its own, where every condition and count is a constant.
/// </summary>
internal sealed partial class Lowerer
{
    /// <summary>The locals the constructor being lowered declares for itself; a scratch set outside a block class's own walk.</summary>
    private ConstructorLocals _locals = new(GeneratedNames.BlockParameters);

    private LayerPlan? PlanSequential(NodeSyntax node, string label, TensorShape input, Frame frame)
    {
        var members = new Frame(new ClassBuilder(label, new HashSet<string>()), frame.Scope, frame.Path + label + ".", frame.Depth + 1, frame.RecordLayers);
        var seq = new SeqBuild(label, node.Span, input, members, _layers.Count);
        if (!AddSeqMembers(node.Children, frame.Scope, null, kept: true, seq, seq.Entries))
            return null;
        if (seq.Children.Count == 0 && seq.Entries.Count == 0)
        {
            _diagnostics.Add(Descriptors.BadNode.Create(node.Span, $"seq '{label}' has no members"));
            return null;
        }

        var module = new SequentialNode(seq.Entries.ToEquatableArray()) { ListName = seq.ListName };
        return new LayerPlan("seq", $"Sequential of {seq.Children.Count}", seq.Shape, seq.Parameters, seq.Flops, module, Functional: false, RowIndex: seq.RowIndex)
            { Children = seq.Children.ToEquatableArray() };
    }

    /// <summary>
    /// Adds <paramref name="children"/> (evaluated in <paramref name="scope"/>) to the seq, each under
    /// <paramref name="condition"/> (the run-time condition of an inline block's use around them).
    /// <paramref name="kept"/> is false where the first use leaves them out: the class builds them
    /// for the uses that keep them, but they take no position in this walk.
    /// </summary>
    private bool AddSeqMembers(IEnumerable<NodeSyntax> children, Scope scope, SymExpr? condition, bool kept, SeqBuild seq, List<SequentialItem> into)
    {
        foreach (var child in children)
        {
            var own = EvaluateCondition(child, scope);
            if (own.Skip)
                continue;
            var both = BothConditions(condition, own.Code);
            var count = RepeatCount(child, scope, seq.Members.RecordLayers ? RunTimeRepeatAtModel : null);
            if (count is null)
                return false;
            if (!count.IsConstant)
            {
                if (!AddSeqLoop(child, count, scope, both, kept && own.Active, seq, into))
                    return false;
                continue;
            }

            for (long i = 0; i < count.Number; i++)
            {
                var copyScope = scope;
                if (child.Repeat is not null)
                {
                    copyScope = new Scope(scope, scope.Description);
                    copyScope.Set("i", new IntValue(i));
                }

                if (!AddSeqMember(child, i, copyScope, null, both, kept && own.Active, seq, into))
                    return false;
            }
        }

        return true;
    }

    /// <summary>One copy of one member: a module at the next position, or an inline block's members.</summary>
    private bool AddSeqMember(NodeSyntax child, long index, Scope scope, IntValue? loopIndex, SymExpr? condition, bool kept, SeqBuild seq, List<SequentialItem> into)
    {
        if (!CountLayer(child.Span))
            return false;
        if (child.Op is "concat" or "residual" or "chain" or "gate" or "select")
        {
            _diagnostics.Add(Descriptors.BadNode.Create(child.Span, $"A seq holds modules; a {child.Op} is not one: put it in a block and 'use' the block here"));
            return false;
        }

        if (child.Op == "use")
        {
            var block = ResolveBlock(child, scope);
            if (block is null)
                return false;
            if (block.Inline)
                return SpliceInline(child, block, scope, condition, kept, seq, into);
        }

        // Inside a loop of the constructor (here or around an inline block) a name is computed as it builds.
        var nameCode = loopIndex is null && _loopNesting == 0 ? null : new List<SymExpr>();
        var explicitName = InstanceName(child, index, scope, loopIndex, nameCode);
        var childName = explicitName ?? seq.Children.Count.ToString(CultureInfo.InvariantCulture);
        var frame = kept ? seq.Members : new Frame(new ClassBuilder(seq.Label, new HashSet<string>()), scope, "", 0, false);
        var input = seq.Shape;
        var plan = PlanLayer(child, childName, input, frame.WithScope(scope));
        if (plan is null)
            return false;
        bool act = plan.ActivationAfter is not null;
        if (act && explicitName is not null)
        {
            _diagnostics.Add(ActInSeq(child, seq.Members.Path + childName, named: true));
            return false;
        }

        EquatableArray<SymExpr>? name = explicitName is null ? null
            : nameCode is { Count: > 0 } ? nameCode.ToEquatableArray() : new[] { (SymExpr)new SymLiteral(new StringValue(explicitName)) }.ToEquatableArray();
        into.Add(new SequentialMember(name, childName, condition, plan.Module));
        // A conv's activation is a module of its own at the next position, as torchvision's VGG writes it.
        var activation = plan.ActivationAfter;
        if (activation is not null)
            into.Add(new SequentialMember(null, (seq.Children.Count + 1).ToString(CultureInfo.InvariantCulture), condition, activation.Module));
        if (!kept)
        {
            // Left out by the first use: the class builds it for the uses that keep it, and what follows reads
            // the channels it would give there (a run-time choice of the constructor, as MobileNetV2's expansion).
            if (condition is not null)
                seq.Shape = AfterConditional(condition, (activation ?? plan).Output, input, kept: false);
            return true;
        }

        Observe(child, seq.Members.Path + childName, null, input, plan.Output, plan.Parameters, plan.Flops, seq.Members);
        if (!AddSeqChild(child, childName, plan, seq)
            || (activation is not null && !AddSeqChild(child, seq.Children.Count.ToString(CultureInfo.InvariantCulture), activation, seq)))
            return false;
        if (condition is not null)
            seq.Shape = AfterConditional(condition, seq.Shape, input, kept: true);
        return true;
    }

    /// <summary>
    /// The shape after a member built only where <paramref name="condition"/> holds (a block parameter): this
    /// walk's numbers, and channels that the constructor computes as <c>condition ? its output : its input</c>,
    /// so the members after it are built right for every use (torchvision's InvertedResidual leaves its
    /// expansion out where expand_ratio is 1, and the depthwise conv then reads the block's input).
    /// </summary>
    private static TensorShape AfterConditional(SymExpr condition, TensorShape output, TensorShape input, bool kept)
    {
        var basis = kept ? output : input;
        if (output.Channels.AsExpr() == input.Channels.AsExpr())
            return basis;
        var channels = new IntValue(basis.C) { Expr = new SymConditional(condition, output.Channels.AsExpr(), input.Channels.AsExpr()) };
        return basis with { Channels = channels };
    }

    private bool AddSeqChild(NodeSyntax child, string name, LayerPlan plan, SeqBuild seq)
    {
        if (seq.Names.TryGetValue(name, out var first))
        {
            _diagnostics.Add(ClassBuilder.Duplicate(child.Span, name, first));
            return false;
        }

        seq.Names[name] = child.Span;
        Record(seq.Members, name, plan);
        seq.Children.Add(new SequentialChildIR(name, plan.Kind, plan.Detail) { Children = plan.Children });
        seq.Shape = plan.Output;
        seq.Parameters += plan.Parameters;
        seq.Flops += plan.Flops;
        return true;
    }

    /// <summary>
    /// An inline block used in a seq: its body's members take the next positions, as if written there,
    /// with its arguments bound (and under the use's run-time condition). Errors inside point at the use.
    /// </summary>
    private bool SpliceInline(NodeSyntax use, BlockDecl block, Scope callerScope, SymExpr? condition, bool kept, SeqBuild seq, List<SequentialItem> into)
    {
        var at = seq.Members.Path + seq.Children.Count.ToString(CultureInfo.InvariantCulture);
        if (use.Name is not null)
        {
            _diagnostics.Add(Descriptors.BadNode.Create(use.Span,
                $"The use of inline block '{block.Name}' at '{at}' has a name, but in a seq its members take the next positions themselves (as if written there): leave out 'name', or name the members in the block"));
            return false;
        }

        int before = _diagnostics.Count;
        bool ok = SpliceInlineAt(use, block, callerScope, condition, kept, seq, into);
        NoteUse(before, use, at, callerScope);
        return ok;
    }

    private bool SpliceInlineAt(NodeSyntax use, BlockDecl block, Scope callerScope, SymExpr? condition, bool kept, SeqBuild seq, List<SequentialItem> into)
    {
        if (!EnterBlock(block, use.Span))
            return false;
        try
        {
            var scope = new Scope(_globals, $"block '{block.Name}'");
            scope.Set("in_channels", seq.Shape.Channels);
            if (BindArguments(block.Params, use.Args, callerScope, scope, use.Span, block.Name, symbolic: false) is null || !BindLets(block, scope, symbolic: false, lets: null))
                return false;
            return AddSeqMembers(block.Body, scope, condition, kept, seq, into);
        }
        finally
        {
            _blockStack.RemoveAt(_blockStack.Count - 1);
        }
    }

    /// <summary>
    /// A repeat counted by a block parameter: a loop of the class's constructor. Each copy of the
    /// first use is walked with the loop's index as C# (<c>i</c>) and the channels flowing in as a
    /// local the loop carries from copy to copy, so every copy must read as the same C#; the copies'
    /// shapes and costs are the first use's, and every use is checked with its own count.
    /// </summary>
    private bool AddSeqLoop(NodeSyntax child, IntValue count, Scope scope, SymExpr? condition, bool kept, SeqBuild seq, List<SequentialItem> into)
    {
        var index = _locals.Claim("i", child.Span);
        var stem = Identifiers.IsIdentifier(seq.Label) ? Identifiers.ToCamelCase(seq.Label).TrimStart('@') : "seq";
        var (carried, fresh) = _locals.ClaimCarried(stem + "Channels", child.Span);
        seq.ListName ??= _locals.Claim("members", seq.Key);
        var start = seq.Shape.Channels;
        List<SequentialItem>? body;
        SymExpr? next;
        bool outermost = _loopNesting == 0;
        _loopNesting++;
        try
        {
            if (!WalkLoopCopies(child, count, index, carried, scope, condition, kept, seq, out body, out next))
                return false;
        }
        finally
        {
            _loopNesting--;
        }

        // The local is needed where a copy reads the channels flowing in or changes them for the next.
        bool reads = body!.SelectMany(b => b.Expressions()).SelectMany(e => e.Names()).Contains(carried);
        bool changes = !(next is SymName { } same && same.Name == carried);
        SymExpr? reset = null;
        if (reads || changes)
        {
            // Declared among the lets; set before the loop unless that declaration already holds its start.
            bool startKnown = outermost && fresh && !_locals.ReadsCarried(start);
            _locals.Declare(carried, startKnown ? start.AsExpr() : new SymLiteral(new IntValue(0)));
            reset = startKnown ? null : start.AsExpr();
        }

        // After the loop the channels are the carried local's (its last copy's value), or where no copy changes them, the start's.
        seq.Shape = seq.Shape with { Channels = changes ? seq.Shape.Channels with { Expr = new SymName(carried) } : start };
        into.Add(new SequentialLoop(index, count.AsExpr(), reads || changes ? carried : null, reset, changes ? next : null, body!.ToEquatableArray()));
        return true;
    }

    /// <summary>How many loops of a constructor the walk is inside (a local declared before them cannot start from their values).</summary>
    private int _loopNesting;

    /// <summary>Walks each copy of the first use; every copy must read as the first one's C#.</summary>
    private bool WalkLoopCopies(NodeSyntax child, IntValue count, string index, string carried, Scope scope, SymExpr? condition, bool kept, SeqBuild seq,
        out List<SequentialItem>? body, out SymExpr? next)
    {
        (body, next) = (null, null);
        for (long i = 0; i < count.Number; i++)
        {
            var copyScope = new Scope(scope, scope.Description);
            var loopIndex = new IntValue(i) { Expr = new SymName(index) };
            copyScope.Set("i", loopIndex);
            seq.Shape = seq.Shape with { Channels = seq.Shape.Channels with { Expr = new SymName(carried) } };
            var copy = new List<SequentialItem>();
            if (!AddSeqMember(child, i, copyScope, loopIndex, condition, kept, seq, copy))
                return false;
            var output = seq.Shape.Channels.AsExpr();
            if (body is null)
            {
                (body, next) = (copy, output);
            }
            else if (!copy.SequenceEqual(body) || output != next)
            {
                _diagnostics.Add(Descriptors.BadNode.Create(child.Span,
                    $"The copies of this repeat (counted by '{count.Shown}', a block parameter) must differ only through $i, since the constructor builds them in one loop; copy {i} reads otherwise than copy 0: write each value that changes from copy to copy as an expression of $i"));
                return false;
            }
        }

        return body is not null;
    }

    /// <summary>Both run-time conditions (an inline block's use and its member's), or the one there is.</summary>
    private static SymExpr? BothConditions(SymExpr? outer, SymExpr? inner) =>
        outer is null || inner is null ? outer ?? inner : new SymBinary("&&", outer, inner);

    private const string RunTimeRepeatAtModel =
        "must be known at build time: a repeat count may use the model's and blocks' parameters, not the model's run-time class count or input channels";

    /// <summary>
    /// A named conv without bn that carries <c>act</c> inside a seq: its activation takes the position
    /// after it, which a named member does not have. Reported at the <c>act</c> that asks for it (the
    /// <c>defaults:</c> line when it comes from there), with the conv as a related place.
    /// </summary>
    /// <remarks>
    /// Without <paramref name="named"/> (a select's path: one module per position of a ModuleList) the
    /// activation has no position to take at all.
    /// </remarks>
    private SpecDiagnostic ActInSeq(NodeSyntax conv, string path, bool named = false)
    {
        var own = conv.Options.FirstOrDefault(o => o.Key == "act");
        var inherited = own is null && _defaults.TryGetValue("conv", out var defaults) ? defaults.LastOrDefault(o => o.Key == "act") : null;
        var where = own?.Span ?? inherited?.Span ?? conv.Span;
        var source = inherited is not null ? $"'act: {inherited.Value.Display}' from defaults: (line {inherited.Span.Line})" : $"'act: {own?.Value.Display ?? "relu"}'";
        var diagnostic = Descriptors.BadNode.Create(where, named
            ? $"'{path}' is a named conv without bn in a seq: its {source} would be an activation module at the next position, which has no name to take; leave the conv unnamed (the activation then takes the position after it), or write 'act: none' and add the activation as a member after it"
            : $"'{path}' is a conv without bn where each member is one module at one position: its {source} would need a position of its own; write 'act: none' on it and apply the activation after, or give it 'bn'");
        return diagnostic.WithRelated(conv.Span, $"the conv '{path}'");
    }

    /// <summary>A seq being lowered: its members' frame, what its constructor code adds, and what this walk made of it.</summary>
    private sealed class SeqBuild
    {
        public SeqBuild(string label, SourceSpan key, TensorShape input, Frame members, int rowIndex)
        {
            Label = label;
            Key = key;
            Shape = input;
            Members = members;
            RowIndex = rowIndex;
        }

        public string Label { get; }

        /// <summary>The seq node's place in the spec: its constructor names are claimed under it, so every copy of a loop gets the same.</summary>
        public SourceSpan Key { get; }

        /// <summary>The frame of the members: their path (<c>features.</c>) and whether rows are recorded.</summary>
        public Frame Members { get; }

        public int RowIndex { get; }

        public List<SequentialItem> Entries { get; } = new();

        public List<SequentialChildIR> Children { get; } = new();

        public Dictionary<string, SourceSpan> Names { get; } = new();

        public TensorShape Shape { get; set; }

        public long Parameters { get; set; }

        public long Flops { get; set; }

        /// <summary>The builder list's name in the constructor, once a loop needs one.</summary>
        public string? ListName { get; set; }
    }
}
