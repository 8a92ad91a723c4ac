using System.Collections.Generic;
using InceptionDsl.Text;

namespace InceptionDsl.Syntax;

/// <summary>
/// A YAML document reduced to what specs use: scalars, sequences and mappings, each with its
/// position. Built by <see cref="YamlTreeReader"/>, which bounds size and depth.
/// </summary>
public abstract class YNode
{
    protected YNode(SourceSpan span) => Span = span;

    public SourceSpan Span { get; }

    /// <summary>Nodes this one stands for once aliases are expanded (itself included).</summary>
    public abstract long ExpandedSize { get; }

    public abstract string KindName { get; }
}

public sealed class YScalar : YNode
{
    public YScalar(string value, bool quoted, SourceSpan span) : base(span)
    {
        Value = value;
        Quoted = quoted;
    }

    public string Value { get; }

    /// <summary>Quoted scalars are always strings; plain ones may be numbers, booleans or null.</summary>
    public bool Quoted { get; }

    public bool IsNull => !Quoted && (Value.Length == 0 || Value == "~" || Value == "null" || Value == "Null" || Value == "NULL");

    public override long ExpandedSize => 1;

    public override string KindName => IsNull ? "null" : "a scalar";
}

public sealed class YSequence : YNode
{
    public YSequence(IReadOnlyList<YNode> items, long expandedSize, SourceSpan span) : base(span)
    {
        Items = items;
        ExpandedSize = expandedSize;
    }

    public IReadOnlyList<YNode> Items { get; }

    public override long ExpandedSize { get; }

    public override string KindName => "a list";
}

public sealed class YMapping : YNode
{
    public YMapping(IReadOnlyList<KeyValuePair<YScalar, YNode>> entries, long expandedSize, SourceSpan span) : base(span)
    {
        Entries = entries;
        ExpandedSize = expandedSize;
    }

    public IReadOnlyList<KeyValuePair<YScalar, YNode>> Entries { get; }

    public override long ExpandedSize { get; }

    public override string KindName => "a mapping";

    public YNode? Get(string key)
    {
        foreach (var entry in Entries)
            if (entry.Key.Value == key)
                return entry.Value;
        return null;
    }
}
