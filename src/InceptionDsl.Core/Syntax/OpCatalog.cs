using System.Collections.Generic;
using System.Linq;

namespace InceptionDsl.Syntax;

/// <summary>One node kind of the language: its YAML key, options, and scalar shorthand.</summary>
public sealed record OpInfo(string Key, string Description, IReadOnlyList<string> Options, string? ShorthandOption, OpShape Shape);

/// <summary>How a node kind's value is written in YAML.</summary>
public enum OpShape
{
    /// <summary>A mapping of options, or a scalar for the shorthand option, or nothing.</summary>
    Options,
    /// <summary>A list of nodes (seq, gate).</summary>
    NodeList,
    /// <summary>A list of branches (concat).</summary>
    Branches,
    /// <summary>A mapping with body, shortcut and scale (residual).</summary>
    Residual,
    /// <summary>A block name (use).</summary>
    BlockName,
    /// <summary>A mapping with paths, attn and split (select).</summary>
    Select,
}

/// <summary>The node kinds (read from <see cref="Kinds.NodeKinds"/>), their options, and the keys every node may carry.</summary>
public static class OpCatalog
{
    public static readonly IReadOnlyList<string> NodeKeys = LanguageCatalog.Names(LanguageCatalog.NodeKeys);

    /// <summary>Every node kind, as <see cref="Kinds.NodeKinds"/> describes it.</summary>
    public static readonly IReadOnlyList<OpInfo> Ops = Kinds.NodeKinds.All.Select(k => k.Info).ToArray();

    private static readonly Dictionary<string, OpInfo> ByKey = Build();

    public static bool TryGet(string key, out OpInfo info) => ByKey.TryGetValue(key, out info!);

    public static IEnumerable<string> OpKeys
    {
        get
        {
            foreach (var op in Ops)
                yield return op.Key;
        }
    }

    private static Dictionary<string, OpInfo> Build()
    {
        var map = new Dictionary<string, OpInfo>();
        foreach (var op in Ops)
            map[op.Key] = op;
        return map;
    }
}
