using System.Text;
using InceptionDsl.Analysis.Source;
using InceptionDsl.LanguageServer.Protocol;
using InceptionDsl.Syntax;

namespace InceptionDsl.LanguageServer.Features;

/// <summary>
/// Hover on a node, a block, a <c>use</c> or a <c>$parameter</c>: kind, output shape, parameters and
/// FLOPs per model of the spec, the C# member and state_dict path, the block's doc, and the value a
/// parameter has at that use.
/// </summary>
public static class HoverText
{
    /// <summary>Uses listed one by one before the rest are summed up.</summary>
    private const int ListedUses = 6;

    public static Hover? For(SpecAnalysis analysis, Position position, ServerSettings settings, ILanguageCatalog catalog)
    {
        if (analysis.Index is not { } index)
            return null;
        int line = position.Line, character = position.Character;
        var reference = index.References.FirstOrDefault(r => r.Range.Contains(line, character));
        if (reference is not null)
        {
            var target = index.Resolve(reference);
            var text = reference.Kind == ReferenceKind.Block
                ? target is null ? null : Block(analysis, target, settings)
                : Variable(analysis, reference.Name, target, index.NodeAt(line, character), reference.Scope, settings);
            return text is null ? null : new Hover(MarkupContent.Markdown(text), Lsp.Range(reference.Range));
        }

        var definition = index.Definitions.FirstOrDefault(d => d.NameRange.Contains(line, character));
        if (definition is not null)
        {
            var text = definition.Kind switch
            {
                DefinitionKind.Block => Block(analysis, definition, settings),
                DefinitionKind.ModelParameter or DefinitionKind.BlockParameter or DefinitionKind.Let => Variable(analysis, definition.Name, definition, null, definition.Block, settings),
                _ => null,
            };
            if (text is not null)
                return new Hover(MarkupContent.Markdown(text), Lsp.Range(definition.NameRange));
        }

        if (index.NodeAt(line, character) is { } node)
            return new Hover(MarkupContent.Markdown(Node(analysis, node, settings, catalog)), Lsp.Range(node.KeyRange));
        return null;
    }

    private static string Node(SpecAnalysis analysis, NodeSite node, ServerSettings settings, ILanguageCatalog catalog)
    {
        var sb = new StringBuilder();
        var kind = catalog.NodeKinds.FirstOrDefault(k => k.Name == node.Op);
        sb.Append($"**{MarkdownText.Text(node.Op)}**");
        if (node.BlockName is not null)
            sb.Append($" {MarkdownText.Code(node.BlockName)}");
        if (node.Name is not null)
            sb.Append($" named {MarkdownText.Code(node.Name)}");
        if (kind is not null)
            sb.Append(" — ").Append(kind.Description);
        sb.AppendLine().AppendLine();
        if (node.BlockName is not null && analysis.Index?.Block(node.BlockName) is { } block && analysis.Document?.Blocks.FirstOrDefault(b => b.Name == block.Name)?.Doc is { } doc)
            sb.AppendLine("> " + MarkdownText.Text(doc)).AppendLine();

        var uses = analysis.UsesOf(node);
        if (uses.Count == 0)
        {
            sb.AppendLine(analysis.Models.Count == 0 ? "_Not lowered: the spec has errors before it._" : "_Not used by any model of this spec._");
            return sb.ToString();
        }

        var selected = Figures.Selected(analysis, settings);
        var first = uses.FirstOrDefault(u => u.Model == selected) ?? uses[0];
        // An inline block's single node takes the use's name: that node is the module.
        if (first.Node.Path is null && node.Op == "use" && node.Name is { } name
            && analysis.Uses.FirstOrDefault(u => u.Model == first.Model && u.Node.Path == name && u.Node.Member is not null) is { } expanded)
            first = expanded;
        if (first.Node.Member is { } member)
            sb.AppendLine($"C# {MarkdownText.Code($"{first.Node.Owner}.{member}")} · state_dict {MarkdownText.Code(first.Node.Path)}  ");
        else if (first.Node.Path is not null)
            sb.AppendLine($"C# a child of a Sequential in {MarkdownText.Code(first.Node.Owner)}  ");
        else
            sb.AppendLine($"C# a step of {MarkdownText.Code($"{first.Node.Owner}.forward")} (no parameters of its own)  ");
        sb.AppendLine();
        foreach (var model in analysis.Models)
        {
            var mine = uses.Where(u => u.Model == model).ToList();
            if (mine.Count == 0)
                continue;
            long parameters = mine.Sum(u => u.Node.Parameters), flops = mine.Sum(u => u.Node.Flops);
            sb.Append($"**{MarkdownText.Text(model)}**: {Figures.Outputs(mine)}");
            if (parameters > 0 || flops > 0)
                sb.Append($" · {Figures.Count(parameters)} params · {Figures.Flops(flops)}");
            sb.AppendLine("  ");
            if (model != (selected ?? first.Model))
                continue;
            foreach (var use in mine.Take(ListedUses))
            {
                sb.Append($"- {MarkdownText.Code(use.Node.Path ?? use.Node.Syntax.Name ?? node.Op)}: {use.Node.Input} → {use.Node.Output}");
                if (use.Node.Parameters > 0 || use.Node.Flops > 0)
                    sb.Append($", {Figures.Count(use.Node.Parameters)} params, {Figures.Flops(use.Node.Flops)}");
                sb.AppendLine();
            }

            if (mine.Count > ListedUses)
                sb.AppendLine($"- … {mine.Count - ListedUses} more");
        }

        if (node.Op != "use" && analysis.Document?.Blocks is { } blocks && node.Block is { } owner && blocks.FirstOrDefault(b => b.Name == owner)?.Doc is { } ownerDoc)
            sb.AppendLine().AppendLine($"in block {MarkdownText.Code(owner)}: {ownerDoc}");
        return sb.ToString();
    }

    private static string Block(SpecAnalysis analysis, Definition block, ServerSettings settings)
    {
        var sb = new StringBuilder();
        var declared = analysis.Document?.Blocks.FirstOrDefault(b => b.Name == block.Name);
        sb.AppendLine($"**block** {MarkdownText.Code(block.Name)}" + (declared is { Inline: true } ? " (inline: expanded in place)" : $" → C# class {MarkdownText.Code(block.Name)}"));
        sb.AppendLine();
        if (declared?.Doc is { } doc)
            sb.AppendLine("> " + MarkdownText.Text(doc)).AppendLine();
        var parameters = analysis.Index!.Definitions.Where(d => d.Block == block.Name && d.Kind == DefinitionKind.BlockParameter).ToList();
        if (parameters.Count > 0)
            sb.AppendLine("params: " + string.Join(", ", parameters.Select(p => p.Default is null ? $"{MarkdownText.Code(p.Name)}" : $"{MarkdownText.Code(p.Name)} = {MarkdownText.Code(p.Default)}"))).AppendLine();
        var uses = analysis.Uses.Where(u => u.Node.Syntax.Op == "use" && u.Node.Path is not null && UsesBlock(analysis, u, block.Name)).ToList();
        foreach (var model in analysis.Models)
        {
            var mine = uses.Where(u => u.Model == model).ToList();
            if (mine.Count > 0)
                sb.AppendLine($"**{MarkdownText.Text(model)}**: {mine.Count} instance(s), {Figures.Outputs(mine)} · {Figures.Count(mine.Sum(u => u.Node.Parameters))} params · {Figures.Flops(mine.Sum(u => u.Node.Flops))}  ");
        }

        var selected = Figures.Selected(analysis, settings);
        var listed = uses.Where(u => u.Model == selected).Take(ListedUses).ToList();
        if (listed.Count > 0)
            sb.AppendLine().AppendLine("state_dict: " + string.Join(", ", listed.Select(u => $"{MarkdownText.Code(u.Node.Path)}")) + (uses.Count(u => u.Model == selected) > listed.Count ? ", …" : ""));
        return sb.ToString();
    }

    /// <summary>Whether a use node instantiates <paramref name="block"/> (its name written, or a $parameter holding it).</summary>
    private static bool UsesBlock(SpecAnalysis analysis, NodeUse use, string block)
    {
        var written = use.Node.Syntax.Block;
        if (written == block)
            return true;
        return written is not null && written.StartsWith("$", StringComparison.Ordinal)
            && use.Node.Scope.TryGet(written.Substring(1), out var value) && value.Display == block;
    }

    private static string? Variable(SpecAnalysis analysis, string name, Definition? definition, NodeSite? at, string? scope, ServerSettings settings)
    {
        var sb = new StringBuilder();
        string what = definition?.Kind switch
        {
            DefinitionKind.ModelParameter => "model parameter",
            DefinitionKind.BlockParameter => $"parameter of block {MarkdownText.Code(definition.Block)}",
            DefinitionKind.Let => $"let of block {MarkdownText.Code(definition.Block)}",
            _ => name switch
            {
                "in_channels" => "built-in: the input channels of the block (or model)",
                "classes" => "built-in: the number of classes",
                "i" => "built-in: the repeat index",
                _ => "not declared here",
            },
        };
        sb.AppendLine($"{MarkdownText.Code("$" + name)} — {what}");
        if (definition?.Default is { } written)
            sb.AppendLine().AppendLine($"{(definition.Kind == DefinitionKind.Let ? "=" : "default")} {MarkdownText.Code(written)}");

        // Its value at this use: from the uses of the node here, or of any node of its block (or model).
        var selected = Figures.Selected(analysis, settings);
        IEnumerable<NodeUse> uses = at is not null ? analysis.UsesOf(at) : Array.Empty<NodeUse>();
        if (!uses.Any() && analysis.Index is { } index)
        {
            var sites = index.Nodes.Where(n => n.Block == scope).ToList();
            uses = sites.Count > 0 ? analysis.UsesOf(sites[0]) : Array.Empty<NodeUse>();
        }

        var values = new List<string>();
        foreach (var model in analysis.Models)
        {
            var mine = uses.Where(u => u.Model == model).ToList();
            var distinct = mine.Select(u => (Use: u, Value: u.Node.Scope.TryGet(name, out var v) ? v.Display : null))
                .Where(x => x.Value is not null).GroupBy(x => x.Value).ToList();
            if (distinct.Count == 0)
                continue;
            if (model == selected && mine.Count > 1 && distinct.Count > 1)
            {
                values.Add($"**{MarkdownText.Text(model)}**: " + string.Join(", ", distinct.Take(ListedUses).Select(g => $"{MarkdownText.Code(g.Key)} at {MarkdownText.Code(g.First().Use.Node.Path ?? g.First().Use.Node.Syntax.Op)}")) + (distinct.Count > ListedUses ? ", …" : ""));
            }
            else
            {
                values.Add($"**{MarkdownText.Text(model)}**: " + string.Join(", ", distinct.Take(ListedUses).Select(g => $"{MarkdownText.Code(g.Key)}")) + (distinct.Count > ListedUses ? ", …" : ""));
            }
        }

        if (values.Count > 0)
            sb.AppendLine().AppendLine("value here:  ").AppendLine(string.Join("  \n", values));
        return sb.ToString();
    }
}
