using InceptionDsl.Analysis.Source;
using InceptionDsl.LanguageServer.Protocol;

namespace InceptionDsl.LanguageServer.Features;

/// <summary>Each node's output shape at the end of its kind key's line, for the selected model.</summary>
public static class InlayHints
{
    /// <remarks><paramref name="current"/> is the text shown: the analysis may be of an earlier one (while a line is half typed).</remarks>
    public static InlayHint[] For(SpecAnalysis analysis, TextLines current, Protocol.Range range, ServerSettings settings)
    {
        if (!settings.InlayHints || analysis.Index is not { } index || Figures.Selected(analysis, settings) is not { } model)
            return Array.Empty<InlayHint>();
        var labels = new SortedDictionary<int, List<string>>();
        foreach (var node in index.Nodes)
        {
            int line = node.KeyRange.StartLine;
            if (line < range.Start.Line || line > range.End.Line || line >= current.Count)
                continue;
            var uses = analysis.UsesOf(node).Where(u => u.Model == model).ToList();
            if (uses.Count == 0)
                continue;
            if (!labels.TryGetValue(line, out var list))
                labels[line] = list = new List<string>();
            list.Add(Figures.Outputs(uses));
        }

        return labels.Select(entry => new InlayHint(new Position(entry.Key, current.Line(entry.Key).Length), "→ " + string.Join(", ", entry.Value))
            { Tooltip = $"output shape in {model}" }).ToArray();
    }
}
