using System.Reflection;
using InceptionDsl.LanguageServer.Features;
using InceptionDsl.LanguageServer.Protocol;
using StreamJsonRpc;

namespace InceptionDsl.LanguageServer;

/// <summary>
/// The server's request and notification handlers, bound by name to a <see cref="JsonRpc"/>
/// connection (<see cref="LanguageServerHost"/>). Text comes only from the client (didOpen/didChange,
/// full sync), so unsaved buffers are served as saved files are. Every handler answers from one
/// immutable snapshot of its document; a request for a document the server does not hold answers
/// empty rather than failing.
/// </summary>
public sealed class SpecLanguageServer : IDisposable
{
    private readonly SpecDocuments _documents = new();
    private readonly DiagnosticsScheduler _diagnostics;
    private readonly ILanguageCatalog _catalog;
    private readonly TaskCompletionSource<bool> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _shutdown;

    private readonly JsonRpc _rpc;

    public SpecLanguageServer(JsonRpc rpc, ILanguageCatalog? catalog = null)
    {
        _rpc = rpc;
        _catalog = catalog ?? OpCatalogLanguage.Instance;
        _diagnostics = new DiagnosticsScheduler(rpc, () => Settings);
    }

    public ServerSettings Settings { get; private set; } = new();

    /// <summary>Completes on <c>exit</c>: true when a <c>shutdown</c> came first (exit code 0), false otherwise (1).</summary>
    public Task<bool> Exited => _exited.Task;

    /// <summary>The open documents (a test reads it to see memory stay flat).</summary>
    public int OpenDocuments => _documents.Count;

    [JsonRpcMethod("initialize", UseSingleObjectParameterDeserialization = true)]
    public InitializeResult Initialize(InitializeParams request)
    {
        Settings = WithWarnings(request.InitializationOptions, "initializationOptions");
        var version = typeof(SpecLanguageServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        return new InitializeResult(new ServerCapabilities(), new ServerInfo("inceptiondsl", version));
    }

    [JsonRpcMethod("initialized")]
    public void Initialized()
    {
    }

    [JsonRpcMethod("shutdown")]
    public object? Shutdown()
    {
        _shutdown = true;
        _diagnostics.CancelAll();
        return null;
    }

    [JsonRpcMethod("exit")]
    public void Exit() => _exited.TrySetResult(_shutdown);

    [JsonRpcMethod("workspace/didChangeConfiguration", UseSingleObjectParameterDeserialization = true)]
    public void DidChangeConfiguration(DidChangeConfigurationParams request) => Settings = WithWarnings(request.Settings, "settings");

    /// <summary>The settings updated from a client's JSON; what is ill-typed keeps its value and is told to the client as a warning.</summary>
    private ServerSettings WithWarnings(System.Text.Json.JsonElement? json, string where)
    {
        var warnings = new List<string>();
        var settings = Settings.With(json, warnings);
        foreach (var warning in warnings)
            _ = _rpc.NotifyWithParameterObjectAsync("window/logMessage", new LogMessageParams(MessageType.Warning, $"inceptiondsl: {where}: {warning}"));
        return settings;
    }

    [JsonRpcMethod("textDocument/didOpen", UseSingleObjectParameterDeserialization = true)]
    public void DidOpen(DidOpenTextDocumentParams request)
    {
        var item = request.TextDocument;
        if (!SpecDocuments.Serves(item.Uri))
            return;
        _diagnostics.Schedule(_documents.Set(item.Uri, item.Text ?? "", item.Version), immediately: true);
    }

    [JsonRpcMethod("textDocument/didChange", UseSingleObjectParameterDeserialization = true)]
    public void DidChange(DidChangeTextDocumentParams request)
    {
        var uri = request.TextDocument.Uri;
        if (!SpecDocuments.Serves(uri) || request.ContentChanges is not { Length: > 0 } changes)
            return;
        // Full sync: the last change holds the whole text.
        _diagnostics.Schedule(_documents.Set(uri, changes[^1].Text ?? "", request.TextDocument.Version), immediately: false);
    }

    [JsonRpcMethod("textDocument/didSave")]
    public void DidSave()
    {
    }

    [JsonRpcMethod("textDocument/didClose", UseSingleObjectParameterDeserialization = true)]
    public void DidClose(DidCloseTextDocumentParams request)
    {
        var uri = request.TextDocument.Uri;
        _documents.Close(uri);
        _diagnostics.Clear(uri);
    }

    [JsonRpcMethod("textDocument/hover", UseSingleObjectParameterDeserialization = true)]
    public Hover? Hover(TextDocumentPositionParams request, CancellationToken cancellation) =>
        With(request.TextDocument, cancellation, d => HoverText.For(_documents.Lowered(d), request.Position, Settings, _catalog));

    [JsonRpcMethod("textDocument/inlayHint", UseSingleObjectParameterDeserialization = true)]
    public InlayHint[] InlayHint(InlayHintParams request, CancellationToken cancellation) =>
        With(request.TextDocument, cancellation, d => InlayHints.For(_documents.Lowered(d), d.Analysis.Lines, request.Range, Settings)) ?? Array.Empty<InlayHint>();

    [JsonRpcMethod("textDocument/definition", UseSingleObjectParameterDeserialization = true)]
    public Location[] Definition(TextDocumentPositionParams request, CancellationToken cancellation) =>
        With(request.TextDocument, cancellation, d => Navigation.Definition(d.Analysis, d.Uri, request.Position)) ?? Array.Empty<Location>();

    [JsonRpcMethod("textDocument/references", UseSingleObjectParameterDeserialization = true)]
    public Location[] References(ReferenceParams request, CancellationToken cancellation) =>
        With(request.TextDocument, cancellation, d => Navigation.References(d.Analysis, d.Uri, request.Position, request.Context?.IncludeDeclaration ?? true)) ?? Array.Empty<Location>();

    [JsonRpcMethod("textDocument/prepareRename", UseSingleObjectParameterDeserialization = true)]
    public PrepareRenameResult? PrepareRename(TextDocumentPositionParams request, CancellationToken cancellation) =>
        With(request.TextDocument, cancellation, d => Navigation.PrepareRename(d.Analysis, request.Position));

    [JsonRpcMethod("textDocument/rename", UseSingleObjectParameterDeserialization = true)]
    public WorkspaceEdit? Rename(RenameParams request, CancellationToken cancellation) =>
        With(request.TextDocument, cancellation, d => Navigation.Rename(d.Analysis, d.Uri, request.Position, request.NewName ?? ""));

    [JsonRpcMethod("textDocument/completion", UseSingleObjectParameterDeserialization = true)]
    public CompletionList Completion(TextDocumentPositionParams request, CancellationToken cancellation) =>
        With(request.TextDocument, cancellation, d => Features.Completion.For(d.Analysis.Lines, (d.Analysis.Index ?? _documents.Lowered(d).Index), request.Position, _catalog))
        ?? new CompletionList(false, Array.Empty<CompletionItem>());

    [JsonRpcMethod("textDocument/documentSymbol", UseSingleObjectParameterDeserialization = true)]
    public DocumentSymbol[] DocumentSymbol(DocumentSymbolParams request, CancellationToken cancellation) =>
        With(request.TextDocument, cancellation, d => Symbols.For(d.Analysis, Settings)) ?? Array.Empty<DocumentSymbol>();

    [JsonRpcMethod("textDocument/codeAction", UseSingleObjectParameterDeserialization = true)]
    public CodeAction[] CodeAction(CodeActionParams request, CancellationToken cancellation) =>
        With(request.TextDocument, cancellation, d => CodeActions.For(d.Analysis, d.Uri, request)) ?? Array.Empty<CodeAction>();

    /// <summary>Runs a request on the document's current snapshot; null when the document is not open.</summary>
    private T? With<T>(TextDocumentIdentifier document, CancellationToken cancellation, Func<OpenDocument, T?> answer) where T : class
    {
        cancellation.ThrowIfCancellationRequested();
        if (_documents.Get(document.Uri) is not { } open)
            return null;
        var result = answer(open);
        cancellation.ThrowIfCancellationRequested();
        return result;
    }

    public void Dispose() => _diagnostics.Dispose();
}
