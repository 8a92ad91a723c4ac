using InceptionDsl.Diagnostics;
using InceptionDsl.Syntax;

namespace InceptionDsl.Analysis.Source;

/// <summary>
/// One spec text analysed for an editor: the build's diagnostics and models (<see cref="SpecCompiler"/>,
/// the very checks the generator runs), what each node became for each use in each model, and where
/// every name and node is written. Never throws on any text.
/// </summary>
public sealed class SpecAnalysis
{
    private readonly Dictionary<(int Line, int Column), List<NodeUse>> _usesByNode = new();

    private readonly Lazy<SourceIndex?> _index;

    private SpecAnalysis(string path, TextLines lines, SpecResult result, SpecDocument? document, IReadOnlyList<NodeUse> uses)
    {
        Path = path;
        Lines = lines;
        Result = result;
        Document = document;
        Uses = uses;
        _index = new Lazy<SourceIndex?>(() => ReadIndex(path, lines), LazyThreadSafetyMode.ExecutionAndPublication);
        foreach (var use in uses)
        {
            var key = (use.Span.Line, use.Span.Column);
            if (!_usesByNode.TryGetValue(key, out var list))
                _usesByNode[key] = list = new List<NodeUse>();
            list.Add(use);
        }

        Models = uses.Select(u => u.Model).Concat(result.Models.Select(m => m.ClassName)).Distinct(StringComparer.Ordinal).ToList();
    }

    public string Path { get; }

    public TextLines Lines { get; }

    /// <summary>Diagnostics and, when there is no error, the compiled models.</summary>
    public SpecResult Result { get; }

    /// <summary>The spec as read, when the reader accepted it.</summary>
    public SpecDocument? Document { get; }

    /// <summary>Every node use of every model, in lowering order.</summary>
    public IReadOnlyList<NodeUse> Uses { get; }

    /// <summary>The models (family variants) lowered, in order.</summary>
    public IReadOnlyList<string> Models { get; }

    /// <summary>Positions of names and nodes, read on first need (diagnostics alone do not); null when the YAML does not parse.</summary>
    public SourceIndex? Index => _index.Value;

    public static SpecAnalysis Analyze(string path, string text)
    {
        var lines = new TextLines(text);
        var collector = new NodeUseCollector();
        var result = SpecCompiler.Compile(path, text, collector);
        return new SpecAnalysis(path, lines, result, collector.Document, collector.Uses);
    }

    private static SourceIndex? ReadIndex(string path, TextLines lines)
    {
        try
        {
            var tree = YamlTreeReader.Read(path, lines.Text, new List<SpecDiagnostic>());
            return tree is null ? null : SourceIndex.Build(tree, lines);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The index only serves navigation; the compiler's diagnostics already say what is wrong.
            return null;
        }
    }

    /// <summary>The uses of the node written at <paramref name="site"/> (all models; each use once per copy and instance).</summary>
    public IReadOnlyList<NodeUse> UsesOf(NodeSite site) =>
        _usesByNode.TryGetValue((site.KeyRange.StartLine + 1, site.KeyRange.StartCharacter + 1), out var list) ? list : Array.Empty<NodeUse>();
}
