using InceptionDsl.Analysis.Source;

namespace InceptionDsl.LanguageServer;

/// <summary>An open spec: its latest text and version, and the analysis of that text once made.</summary>
public sealed class OpenDocument(string uri, string path, string text, int version)
{
    private SpecAnalysis? _analysis;

    public string Uri { get; } = uri;

    /// <summary>The file path the diagnostics name (the URI's path; the URI itself for an unsaved buffer).</summary>
    public string Path { get; } = path;

    public string Text { get; } = text;

    public int Version { get; } = version;

    /// <summary>The analysis of <see cref="Text"/>, made on first need and kept.</summary>
    public SpecAnalysis Analysis => LazyInitializer.EnsureInitialized(ref _analysis, () => SpecAnalysis.Analyze(Path, Text));

    public bool IsAnalyzed => Volatile.Read(ref _analysis) is not null;
}

/// <summary>
/// The open specs by URI. Each change replaces the document whole (immutable snapshots), so a request
/// reads one consistent text and analysis however edits interleave. Remembers per URI the last
/// analysis that lowered a model, so hover and hints keep answering while a line is half typed.
/// </summary>
public sealed class SpecDocuments
{
    private readonly object _gate = new();
    private readonly Dictionary<string, OpenDocument> _open = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SpecAnalysis> _lastLowered = new(StringComparer.Ordinal);

    /// <summary>Whether a URI names a spec this server serves: *.inception.yaml or *.inception.yml.</summary>
    public static bool Serves(string uri) =>
        uri.EndsWith(".inception.yaml", StringComparison.OrdinalIgnoreCase) || uri.EndsWith(".inception.yml", StringComparison.OrdinalIgnoreCase);

    public OpenDocument Set(string uri, string text, int version)
    {
        var document = new OpenDocument(uri, PathOf(uri), text, version);
        lock (_gate)
            _open[uri] = document;
        return document;
    }

    public OpenDocument? Get(string uri)
    {
        lock (_gate)
            return _open.TryGetValue(uri, out var document) ? document : null;
    }

    public void Close(string uri)
    {
        lock (_gate)
        {
            _open.Remove(uri);
            _lastLowered.Remove(uri);
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
                return _open.Count;
        }
    }

    /// <summary>
    /// The document's analysis when it lowered a model; else the last one of this URI that did (its
    /// positions may lag the text by the half-typed edit), else the current one.
    /// </summary>
    public SpecAnalysis Lowered(OpenDocument document)
    {
        var analysis = document.Analysis;
        lock (_gate)
        {
            if (analysis.Uses.Count > 0)
            {
                if (_open.TryGetValue(document.Uri, out var current) && current == document)
                    _lastLowered[document.Uri] = analysis;
                return analysis;
            }

            return _lastLowered.TryGetValue(document.Uri, out var last) ? last : analysis;
        }
    }

    /// <summary>A file URI's local path; any other URI (an unsaved buffer) as it is.</summary>
    public static string PathOf(string uri) =>
        System.Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.IsFile ? parsed.LocalPath : uri;
}
