using InceptionDsl.Analysis.Source;
using InceptionDsl.LanguageServer.Protocol;
using InceptionDsl.Syntax;

namespace InceptionDsl.LanguageServer.Features;

/// <summary>
/// Completion of keys (document, block, variant, aux head, node, a kind's options), node kinds, block
/// names after <c>use:</c>, parameter names in <c>args</c> and <c>$names</c> in expressions, each with
/// its description and default. The language's words come from <see cref="ILanguageCatalog"/>, the
/// spec's own names from the last analysis that read its YAML.
/// </summary>
public static class Completion
{
    private static readonly string[] Builtins = { "in_channels", "classes", "i" };

    public static CompletionList For(TextLines current, SourceIndex? index, Position position, ILanguageCatalog catalog)
    {
        var context = CompletionContext.At(current, position.Line, position.Character);
        var items = new List<CompletionItem>();
        if (context.Variable is not null)
        {
            var scope = ScopeBlock(context.Chain);
            if (index is not null)
            {
                foreach (var d in index.Definitions.Where(d => (d.Kind == DefinitionKind.ModelParameter) || (scope is not null && d.Block == scope && d.Kind is DefinitionKind.BlockParameter or DefinitionKind.Let)))
                    items.Add(new CompletionItem(d.Name, CompletionItemKind.Variable) { Detail = Describe(d), SortText = (d.Block is null ? "1" : "0") + d.Name });
            }

            items.AddRange(Builtins.Select(b => new CompletionItem(b, CompletionItemKind.Constant) { Detail = "built-in", SortText = "2" + b }));
            return new CompletionList(false, items.DistinctBy(i => i.Label).ToArray());
        }

        if (context.AfterUse)
        {
            if (index is not null)
                foreach (var block in index.DefinitionsOf(DefinitionKind.Block))
                    items.Add(new CompletionItem(block.Name, CompletionItemKind.Class) { Detail = "block" });
            return new CompletionList(false, items.ToArray());
        }

        if (!context.AtKey)
            return new CompletionList(false, Array.Empty<CompletionItem>());

        var chain = context.Chain;
        string? parent = chain.Count > 0 ? chain[0] : null;
        string? grand = chain.Count > 1 ? chain[1] : null;
        if (chain.Count == 0)
            items.AddRange(Keys(catalog.TopKeys));
        else if (grand == "blocks" && chain.Count == 2)
            items.AddRange(Keys(catalog.BlockKeys));
        else if (parent == "[]" && grand == "variants")
            items.AddRange(Keys(catalog.VariantKeys));
        else if (parent == "[]" && grand == "aux")
            items.AddRange(Keys(catalog.AuxKeys));
        else if (parent == "[]" && grand == "weights")
            items.AddRange(Keys(catalog.WeightsKeys));
        else if (parent == "input" && chain.Count == 1)
            items.AddRange(Keys(new[] { new CatalogEntry("channels", "Input channels."), new CatalogEntry("size", "Input size: n or [h, w].") }));
        else if (parent == "defaults" && chain.Count == 1)
            items.AddRange(Keys(catalog.NodeKinds.Where(k => catalog.OptionsOf(k.Name).Count > 0 && k.Name != "residual")));
        else if (grand == "defaults" && chain.Count == 2)
            items.AddRange(Keys(catalog.OptionsOf(parent!)));
        else if (parent == "args")
            items.AddRange(Arguments(index, chain, context.UseTarget));
        else if (parent == "shortcut" || (parent == "[]" && IsNodeList(grand)) || (parent == "[]" && grand == "[]"))
            items.AddRange(NodeItems(catalog));
        else if (parent is not null && catalog.OptionsOf(parent).Count > 0 && IsNodeChain(chain))
            items.AddRange(Keys(catalog.OptionsOf(parent)));
        return new CompletionList(false, items.ToArray());
    }

    private static bool IsNodeList(string? key) => key is "body" or "seq" or "concat" or "gate" or "shortcut" or "paths" or "attn";

    /// <summary>Whether the chain's second entry holds nodes (the first then names a node's kind).</summary>
    private static bool IsNodeChain(IReadOnlyList<string> chain) => chain.Count > 1 && chain[1] == "[]" || chain.Count > 1 && chain[1] == "shortcut";

    /// <summary>The block whose declaration holds the cursor: the key under <c>blocks</c> in the chain.</summary>
    private static string? ScopeBlock(IReadOnlyList<string> chain)
    {
        for (int i = 0; i + 1 < chain.Count; i++)
            if (chain[i + 1] == "blocks")
                return chain[i];
        return null;
    }

    private static IEnumerable<CompletionItem> NodeItems(ILanguageCatalog catalog) =>
        catalog.NodeKinds.Select(k => new CompletionItem(k.Name, CompletionItemKind.Keyword) { Detail = "node kind", Documentation = MarkupContent.Markdown(k.Description), SortText = "0" + k.Name })
            .Concat(Keys(catalog.NodeKeys).Select(i => i with { SortText = "1" + i.Label }));

    private static IEnumerable<CompletionItem> Keys(IEnumerable<CatalogEntry> entries) =>
        entries.Select(e => new CompletionItem(e.Name, CompletionItemKind.Property)
        {
            Detail = e.Default is null ? null : "default: " + e.Default,
            Documentation = MarkupContent.Markdown(e.Description),
            InsertText = e.Name + ": ",
        });

    /// <summary>The parameters of the block a node uses, or the model's for a variant's args.</summary>
    private static IEnumerable<CompletionItem> Arguments(SourceIndex? index, IReadOnlyList<string> chain, string? target)
    {
        if (index is null)
            return Array.Empty<CompletionItem>();
        bool variant = chain.Count > 2 && chain[1] == "[]" && chain[2] == "variants";
        var parameters = variant
            ? index.DefinitionsOf(DefinitionKind.ModelParameter)
            : index.Definitions.Where(d => d.Kind == DefinitionKind.BlockParameter && d.Block == target);
        return parameters.Select(p => new CompletionItem(p.Name, CompletionItemKind.Field)
        {
            Detail = Describe(p),
            InsertText = p.Name + ": ",
        });
    }

    private static string Describe(Definition d) =>
        (d.Kind switch
        {
            DefinitionKind.ModelParameter => "model parameter",
            DefinitionKind.BlockParameter => $"parameter of {d.Block}",
            DefinitionKind.Let => $"let of {d.Block}",
            _ => d.Kind.ToString(),
        }) + (d.Default is null ? "" : (d.Kind == DefinitionKind.Let ? " = " : ", default ") + d.Default);
}
