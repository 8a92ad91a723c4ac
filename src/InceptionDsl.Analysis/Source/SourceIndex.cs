using System.Text.RegularExpressions;
using InceptionDsl.Syntax;

namespace InceptionDsl.Analysis.Source;

/// <summary>What a declared name is.</summary>
public enum DefinitionKind
{
    /// <summary>A block under <c>blocks:</c>.</summary>
    Block,
    /// <summary>A model (family) parameter under the top-level <c>params:</c>.</summary>
    ModelParameter,
    /// <summary>A block's parameter.</summary>
    BlockParameter,
    /// <summary>A block's <c>let</c> name.</summary>
    Let,
    /// <summary>A model of a family under <c>variants:</c> (or the spec's <c>model:</c>).</summary>
    Model,
    /// <summary>An auxiliary head under <c>aux:</c>.</summary>
    AuxHead,
}

/// <summary>A declaration: its name where written and the whole entry it heads.</summary>
/// <param name="Block">The block that declares it (parameters, lets), else null.</param>
/// <param name="Default">A parameter's default as written, if any.</param>
public sealed record Definition(string Name, DefinitionKind Kind, string? Block, TextRange NameRange, TextRange Extent, string? Default = null);

/// <summary>What a use of a name refers to.</summary>
public enum ReferenceKind
{
    /// <summary>A block name as a value: <c>use: Stem</c>, <c>block: BasicBlock</c> in args.</summary>
    Block,
    /// <summary><c>$name</c> in an expression.</summary>
    Variable,
    /// <summary>A named argument's key: a parameter of <see cref="Reference.Target"/> (a block, or null for the model's).</summary>
    Argument,
}

/// <summary>A use of a name.</summary>
/// <param name="Range">The name's characters (for a variable, without its <c>$</c>).</param>
/// <param name="Scope">The block whose body or declaration holds the use, else null.</param>
/// <param name="Target">For an argument, the block it is passed to (null: the model's parameters, from a variant).</param>
public sealed record Reference(string Name, ReferenceKind Kind, TextRange Range, string? Scope, string? Target = null);

/// <summary>A node of a body as written: its kind key, its name, and the lines it spans.</summary>
/// <param name="KeyRange">The kind key (<c>conv</c>, <c>use</c>, ...) or the bare kind word: where the reader places the node.</param>
/// <param name="Block">The block whose body holds it, else null (the model's body or an aux head).</param>
/// <param name="BlockName">For <c>use</c>, the block named (a literal name, not a <c>$parameter</c>).</param>
public sealed record NodeSite(string Op, string? Name, TextRange KeyRange, TextRange Extent, string? Block, int Depth, string? BlockName, IReadOnlyList<NodeSite> Children);

/// <summary>
/// Where everything is in a spec's text: declarations, uses of names, and nodes, read from its YAML
/// tree alone, so it answers for a spec the compiler rejects (a misspelt key, a wrong shape) as long
/// as the YAML itself parses.
/// </summary>
public sealed partial class SourceIndex
{
    private readonly HashSet<YNode> _visited = new(ReferenceEqualityComparer.Instance);
    private readonly string _text;
    private readonly TextLines _lines;
    private readonly HashSet<string> _blockNames = new(StringComparer.Ordinal);

    private SourceIndex(TextLines lines)
    {
        _lines = lines;
        _text = lines.Text;
    }

    public List<Definition> Definitions { get; } = new();

    public List<Reference> References { get; } = new();

    /// <summary>Top-level nodes of the model's body, in order, each with its children.</summary>
    public List<NodeSite> Body { get; } = new();

    /// <summary>Every node, depth first.</summary>
    public List<NodeSite> Nodes { get; } = new();

    /// <summary>Reads the index from a parsed YAML tree.</summary>
    public static SourceIndex Build(YNode root, TextLines lines)
    {
        var index = new SourceIndex(lines);
        if (root is YMapping map)
            index.ReadRoot(map);
        return index;
    }

    public IEnumerable<Definition> DefinitionsOf(DefinitionKind kind) => Definitions.Where(d => d.Kind == kind);

    public Definition? Block(string name) => Definitions.FirstOrDefault(d => d.Kind == DefinitionKind.Block && d.Name == name);

    /// <summary>The declaration a <c>$name</c> used in <paramref name="scope"/> (a block, or null) refers to.</summary>
    public Definition? ResolveVariable(string name, string? scope)
    {
        if (scope is not null)
        {
            var local = Definitions.FirstOrDefault(d => d.Block == scope && d.Name == name && d.Kind is DefinitionKind.BlockParameter or DefinitionKind.Let);
            if (local is not null)
                return local;
        }

        return Definitions.FirstOrDefault(d => d.Kind == DefinitionKind.ModelParameter && d.Name == name);
    }

    /// <summary>The declaration a reference refers to, if it is declared in this spec.</summary>
    public Definition? Resolve(Reference reference) => reference.Kind switch
    {
        ReferenceKind.Block => Block(reference.Name),
        ReferenceKind.Variable => ResolveVariable(reference.Name, reference.Scope),
        ReferenceKind.Argument when reference.Target is null => Definitions.FirstOrDefault(d => d.Kind == DefinitionKind.ModelParameter && d.Name == reference.Name),
        ReferenceKind.Argument => Definitions.FirstOrDefault(d => d.Kind == DefinitionKind.BlockParameter && d.Block == reference.Target && d.Name == reference.Name),
        _ => null,
    };

    /// <summary>Every use that resolves to <paramref name="definition"/>.</summary>
    public IEnumerable<Reference> ReferencesTo(Definition definition) => References.Where(r => Resolve(r) == definition);

    /// <summary>The innermost node whose lines hold the position.</summary>
    public NodeSite? NodeAt(int line, int character)
    {
        NodeSite? best = null;
        foreach (var node in Nodes)
        {
            if (node.Extent.Contains(line, character) && (best is null || node.Depth >= best.Depth))
                best = node;
        }

        return best;
    }

    private void ReadRoot(YMapping map)
    {
        if (map.Get("blocks") is YMapping declared)
            foreach (var entry in declared.Entries)
                _blockNames.Add(entry.Key.Value);

        foreach (var entry in map.Entries)
        {
            switch (entry.Key.Value)
            {
                case "params":
                    ReadParams(entry.Value, null);
                    break;
                case "model" when entry.Value is YScalar model:
                    Definitions.Add(new Definition(model.Value, DefinitionKind.Model, null, Range(model), Range(model)));
                    break;
                case "variants" when entry.Value is YSequence variants:
                    foreach (var item in variants.Items.OfType<YMapping>())
                        ReadVariant(item);
                    break;
                case "blocks" when entry.Value is YMapping blocks:
                    foreach (var block in blocks.Entries)
                        ReadBlock(block.Key, block.Value);
                    break;
                case "body":
                    ReadNodes(entry.Value, null, 0, Body);
                    break;
                case "aux" when entry.Value is YSequence heads:
                    foreach (var head in heads.Items.OfType<YMapping>())
                        ReadAux(head);
                    break;
                default:
                    ScanValues(entry.Value, null);
                    break;
            }
        }
    }

    private void ReadVariant(YMapping variant)
    {
        foreach (var entry in variant.Entries)
        {
            if (entry.Key.Value == "model" && entry.Value is YScalar model)
                Definitions.Add(new Definition(model.Value, DefinitionKind.Model, null, Range(model), Extent(variant)));
            else if (entry.Key.Value == "args")
                ReadArgs(entry.Value, null, null);
            else
                ScanValues(entry.Value, null);
        }
    }

    private void ReadBlock(YScalar key, YNode value)
    {
        Definitions.Add(new Definition(key.Value, DefinitionKind.Block, null, Range(key), Union(Range(key), Extent(value))));
        if (value is not YMapping map)
            return;
        foreach (var entry in map.Entries)
        {
            switch (entry.Key.Value)
            {
                case "params":
                    ReadParams(entry.Value, key.Value);
                    break;
                case "let" when entry.Value is YMapping lets:
                    foreach (var let in lets.Entries)
                    {
                        Definitions.Add(new Definition(let.Key.Value, DefinitionKind.Let, key.Value, Range(let.Key), Union(Range(let.Key), Extent(let.Value)), Raw(let.Value)));
                        ScanValues(let.Value, key.Value);
                    }

                    break;
                case "body":
                    ReadNodes(entry.Value, key.Value, 0, new List<NodeSite>());
                    break;
                case "doc" or "inline":
                    break;
                default:
                    ScanValues(entry.Value, key.Value);
                    break;
            }
        }
    }

    private void ReadParams(YNode value, string? block)
    {
        if (value is not YSequence items)
            return;
        var kind = block is null ? DefinitionKind.ModelParameter : DefinitionKind.BlockParameter;
        foreach (var item in items.Items)
        {
            if (item is YScalar name)
            {
                Definitions.Add(new Definition(name.Value, kind, block, Range(name), Range(name)));
            }
            else if (item is YMapping { Entries.Count: 1 } withDefault)
            {
                var entry = withDefault.Entries[0];
                Definitions.Add(new Definition(entry.Key.Value, kind, block, Range(entry.Key), Union(Range(entry.Key), Extent(entry.Value)), Raw(entry.Value)));
                ScanValues(entry.Value, block);
            }
        }
    }

    private void ReadAux(YMapping head)
    {
        string? target = (head.Get("use") as YScalar)?.Value;
        foreach (var entry in head.Entries)
        {
            switch (entry.Key.Value)
            {
                case "name" when entry.Value is YScalar name:
                    Definitions.Add(new Definition(name.Value, DefinitionKind.AuxHead, null, Range(name), Extent(head)));
                    break;
                case "use" when entry.Value is YScalar use:
                    References.Add(new Reference(use.Value, ReferenceKind.Block, Range(use), null));
                    break;
                case "args":
                    ReadArgs(entry.Value, null, target);
                    break;
                case "at" or "register_after":
                    break;
                default:
                    ScanValues(entry.Value, null);
                    break;
            }
        }
    }

    private void ReadArgs(YNode value, string? scope, string? target)
    {
        if (value is YMapping named)
        {
            foreach (var entry in named.Entries)
            {
                References.Add(new Reference(entry.Key.Value, ReferenceKind.Argument, Range(entry.Key), scope, target));
                ScanValues(entry.Value, scope);
            }
        }
        else
        {
            ScanValues(value, scope);
        }
    }

    /// <summary>A list of nodes (a body, a seq, a branch), or a single node.</summary>
    private void ReadNodes(YNode value, string? block, int depth, List<NodeSite> into)
    {
        if (!_visited.Add(value))
            return;
        if (value is YSequence list)
        {
            foreach (var item in list.Items)
                ReadNode(item, block, depth, into);
        }
        else
        {
            ReadNode(value, block, depth, into);
        }
    }

    private void ReadNode(YNode item, string? block, int depth, List<NodeSite> into)
    {
        if (item is YScalar word)
        {
            if (word.Value.Length == 0)
                return;
            var bare = new NodeSite(word.Value, null, Range(word), Range(word), block, depth, null, Array.Empty<NodeSite>());
            into.Add(bare);
            Nodes.Add(bare);
            return;
        }

        if (item is YSequence branch)
        {
            // A concat branch written as a list of nodes.
            ReadNodes(branch, block, depth, into);
            return;
        }

        if (item is not YMapping map || !_visited.Add(map))
            return;
        var opEntry = map.Entries.FirstOrDefault(e => OpCatalog.TryGet(e.Key.Value, out _));
        string? name = (map.Get("name") as YScalar)?.Value;
        var children = new List<NodeSite>();
        string? blockName = null;
        int position = Nodes.Count;
        foreach (var entry in map.Entries)
        {
            if (opEntry.Key is not null && ReferenceEquals(entry.Key, opEntry.Key))
                continue;
            if (entry.Key.Value == "args")
                ReadArgs(entry.Value, block, (opEntry.Value as YScalar)?.Value is { } target && !target.StartsWith("$", StringComparison.Ordinal) ? target : null);
            else if (entry.Key.Value != "doc")
                ScanValues(entry.Value, block);
        }

        if (opEntry.Key is null)
            return;
        var site = new NodeSite(opEntry.Key.Value, name, Range(opEntry.Key), Extent(map), block, depth, null, children);
        Nodes.Insert(position, site);
        switch (opEntry.Key.Value)
        {
            case "use" when opEntry.Value is YScalar use:
                if (use.Value.StartsWith("$", StringComparison.Ordinal))
                    ScanValues(use, block);
                else
                {
                    References.Add(new Reference(use.Value, ReferenceKind.Block, Range(use), block));
                    blockName = use.Value;
                }

                break;
            case "seq" or "concat" or "gate":
                ReadNodes(opEntry.Value, block, depth + 1, children);
                break;
            case "residual" or "select" when opEntry.Value is YMapping residual:
                foreach (var part in residual.Entries)
                {
                    if (part.Key.Value is "body" or "shortcut" or "paths" or "attn")
                        ReadNodes(part.Value, block, depth + 1, children);
                    else
                        ScanValues(part.Value, block);
                }

                break;
            default:
                ScanValues(opEntry.Value, block);
                break;
        }

        if (blockName is not null)
        {
            site = site with { BlockName = blockName };
            Nodes[position] = site;
        }

        into.Add(site);
    }

    [GeneratedRegex(@"\$([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex VariablePattern();

    /// <summary>Records the <c>$names</c> and block names written in the values under <paramref name="value"/>.</summary>
    private void ScanValues(YNode value, string? scope)
    {
        if (!_visited.Add(value))
            return;
        switch (value)
        {
            case YScalar scalar:
                if (_blockNames.Contains(scalar.Value))
                    References.Add(new Reference(scalar.Value, ReferenceKind.Block, Range(scalar), scope));
                if (scalar.Value.IndexOf('$') < 0)
                    return;
                // Positions come from the source characters, so quoting and folding do not shift them.
                int start = _lines.Offset(scalar.Span.Line - 1, scalar.Span.Column - 1);
                int end = _lines.Offset(scalar.Span.EndLine - 1, scalar.Span.EndColumn - 1);
                if (end <= start)
                    return;
                foreach (Match match in VariablePattern().Matches(_text.Substring(start, end - start)))
                {
                    var (line, character) = _lines.Position(start + match.Index + 1);
                    var name = match.Groups[1].Value;
                    References.Add(new Reference(name, ReferenceKind.Variable, new TextRange(line, character, line, character + name.Length), scope));
                }

                break;
            case YSequence list:
                foreach (var item in list.Items)
                    ScanValues(item, scope);
                break;
            case YMapping map:
                foreach (var entry in map.Entries)
                    ScanValues(entry.Value, scope);
                break;
        }
    }

    private string? Raw(YNode node)
    {
        if (node is YScalar scalar)
            return scalar.Value;
        var range = Extent(node);
        int start = _lines.Offset(range.StartLine, range.StartCharacter), end = _lines.Offset(range.EndLine, range.EndCharacter);
        return end > start ? _text.Substring(start, end - start) : null;
    }

    private static TextRange Range(YNode node) => TextRange.From(node.Span);

    private static TextRange Union(TextRange a, TextRange b)
    {
        var (sl, sc) = (a.StartLine, a.StartCharacter) .CompareTo((b.StartLine, b.StartCharacter)) <= 0 ? (a.StartLine, a.StartCharacter) : (b.StartLine, b.StartCharacter);
        var (el, ec) = (a.EndLine, a.EndCharacter).CompareTo((b.EndLine, b.EndCharacter)) >= 0 ? (a.EndLine, a.EndCharacter) : (b.EndLine, b.EndCharacter);
        return new TextRange(sl, sc, el, ec);
    }

    /// <summary>From a node's start to the end of the last thing written in it.</summary>
    private static TextRange Extent(YNode node)
    {
        var range = Range(node);
        var stack = new Stack<YNode>();
        var seen = new HashSet<YNode>(ReferenceEqualityComparer.Instance);
        stack.Push(node);
        while (stack.Count > 0)
        {
            var current = stack.Pop();
            if (!seen.Add(current))
                continue;
            range = Union(range, Range(current));
            if (current is YSequence list)
                foreach (var item in list.Items)
                    stack.Push(item);
            else if (current is YMapping map)
                foreach (var entry in map.Entries)
                {
                    range = Union(range, Range(entry.Key));
                    stack.Push(entry.Value);
                }
        }

        return range;
    }
}
