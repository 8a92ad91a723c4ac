using InceptionDsl.Analysis.Source;
using InceptionDsl.LanguageServer.Protocol;

namespace InceptionDsl.LanguageServer.Features;

/// <summary>The outline: models, blocks (with their nodes), the body's stages and the aux heads.</summary>
public static class Symbols
{
    public static DocumentSymbol[] For(SpecAnalysis analysis, ServerSettings settings)
    {
        if (analysis.Index is not { } index)
            return Array.Empty<DocumentSymbol>();
        var selected = Figures.Selected(analysis, settings);
        var symbols = new List<DocumentSymbol>();
        foreach (var model in index.DefinitionsOf(DefinitionKind.Model))
            symbols.Add(new DocumentSymbol(model.Name, SymbolKind.Class, Lsp.Range(model.Extent), Lsp.Range(model.NameRange)) { Detail = "model" });
        foreach (var block in index.DefinitionsOf(DefinitionKind.Block))
        {
            var body = index.Nodes.Where(n => n.Block == block.Name && n.Depth == 0).Select(n => Node(analysis, n, selected)).ToArray();
            symbols.Add(new DocumentSymbol(block.Name, SymbolKind.Class, Lsp.Range(block.Extent), Lsp.Range(block.NameRange)) { Detail = "block", Children = body });
        }

        foreach (var stage in index.Body)
            symbols.Add(Node(analysis, stage, selected));
        foreach (var head in index.DefinitionsOf(DefinitionKind.AuxHead))
            symbols.Add(new DocumentSymbol(head.Name, SymbolKind.Event, Lsp.Range(head.Extent), Lsp.Range(head.NameRange)) { Detail = "aux head" });
        return symbols.ToArray();
    }

    private static DocumentSymbol Node(SpecAnalysis analysis, NodeSite node, string? selected)
    {
        var uses = analysis.UsesOf(node).Where(u => u.Model == selected).ToList();
        var name = node.Name ?? (node.BlockName is null ? node.Op : $"{node.Op} {node.BlockName}");
        var detail = (node.Name is null ? "" : node.BlockName ?? node.Op) + (uses.Count > 0 ? " → " + Figures.Outputs(uses) : "");
        var kind = node.Op switch { "use" => SymbolKind.Module, "seq" or "concat" or "residual" or "gate" or "select" => SymbolKind.Namespace, _ => SymbolKind.Field };
        return new DocumentSymbol(name, kind, Lsp.Range(node.Extent), Lsp.Range(node.KeyRange))
        {
            Detail = detail.Trim(),
            Children = node.Children.Count == 0 ? null : node.Children.Select(c => Node(analysis, c, selected)).ToArray(),
        };
    }
}
