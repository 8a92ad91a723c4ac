using System.Collections.Concurrent;
using System.Text.Json;
using InceptionDsl.LanguageServer.Protocol;
using Nerdbank.Streams;
using StreamJsonRpc;

namespace InceptionDsl.LanguageServer;

/// <summary>
/// A minimal LSP client wired to a server in the same process over a duplex pipe, with the framing
/// and JSON of a real connection: what the tests and benchmarks drive the server with.
/// </summary>
public sealed class InProcessClient : IAsyncDisposable
{
    private readonly JsonRpc _rpc;
    private readonly ConcurrentDictionary<string, PublishDiagnosticsParams> _latest = new();
    private readonly object _gate = new();
    private readonly List<(string Uri, int Version, TaskCompletionSource<PublishDiagnosticsParams> Done)> _waiters = new();
    private int _version;

    private InProcessClient(JsonRpc rpc, Task<int> server, SpecLanguageServer instance)
    {
        _rpc = rpc;
        ServerTask = server;
        Server = instance;
    }

    /// <summary>The server's run: completes with its exit code after <c>exit</c> or the end of the connection.</summary>
    public Task<int> ServerTask { get; }

    public SpecLanguageServer Server { get; }

    public JsonRpc Rpc => _rpc;

    /// <summary>Every publishDiagnostics received, counted.</summary>
    public int PublishedCount;

    /// <summary>Starts a server and a client connected to it, and initializes with <paramref name="initializationOptions"/>.</summary>
    public static async Task<InProcessClient> StartAsync(object? initializationOptions = null)
    {
        var (clientStream, serverStream) = FullDuplexStream.CreatePair();
        var started = new TaskCompletionSource<SpecLanguageServer>(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = Task.Run(() => LanguageServerHost.RunAsync(serverStream, serverStream, s => started.TrySetResult(s)));
        var rpc = LanguageServerHost.Connect(clientStream, clientStream);
        var client = new InProcessClient(rpc, server, await started.Task.ConfigureAwait(false));
        rpc.AddLocalRpcMethod(typeof(InProcessClient).GetMethod(nameof(OnPublish), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!, client,
            new JsonRpcMethodAttribute("textDocument/publishDiagnostics") { UseSingleObjectParameterDeserialization = true });
        rpc.StartListening();
        var options = initializationOptions is null ? (JsonElement?)null : JsonSerializer.SerializeToElement(initializationOptions, LanguageServerHost.SerializerOptions());
        await rpc.InvokeWithParameterObjectAsync<InitializeResult>("initialize", new InitializeParams(Environment.ProcessId, null, options)).ConfigureAwait(false);
        await rpc.NotifyWithParameterObjectAsync("initialized", new { }).ConfigureAwait(false);
        return client;
    }

    private void OnPublish(PublishDiagnosticsParams published)
    {
        Interlocked.Increment(ref PublishedCount);
        _latest[published.Uri] = published;
        lock (_gate)
        {
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                var (uri, version, done) = _waiters[i];
                if (uri == published.Uri && (published.Version ?? -1) >= version)
                {
                    done.TrySetResult(published);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>The diagnostics published for <paramref name="uri"/> at <paramref name="version"/> or later.</summary>
    public Task<PublishDiagnosticsParams> DiagnosticsAsync(string uri, int version)
    {
        var done = new TaskCompletionSource<PublishDiagnosticsParams>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_latest.TryGetValue(uri, out var latest) && (latest.Version ?? -1) >= version)
                return Task.FromResult(latest);
            _waiters.Add((uri, version, done));
        }

        return done.Task;
    }

    public async Task<int> OpenAsync(string uri, string text)
    {
        int version = Interlocked.Increment(ref _version);
        await _rpc.NotifyWithParameterObjectAsync("textDocument/didOpen", new DidOpenTextDocumentParams(new TextDocumentItem(uri, "yaml", version, text))).ConfigureAwait(false);
        return version;
    }

    public async Task<int> ChangeAsync(string uri, string text)
    {
        int version = Interlocked.Increment(ref _version);
        await _rpc.NotifyWithParameterObjectAsync("textDocument/didChange",
            new DidChangeTextDocumentParams(new VersionedTextDocumentIdentifier(uri, version), new[] { new TextDocumentContentChangeEvent(text) })).ConfigureAwait(false);
        return version;
    }

    public Task CloseAsync(string uri) =>
        _rpc.NotifyWithParameterObjectAsync("textDocument/didClose", new DidCloseTextDocumentParams(new TextDocumentIdentifier(uri)));

    public Task<T> RequestAsync<T>(string method, object parameters, CancellationToken cancellation = default) =>
        _rpc.InvokeWithParameterObjectAsync<T>(method, parameters, cancellation);

    /// <summary>shutdown then exit; returns the server's exit code.</summary>
    public async Task<int> ShutdownAsync()
    {
        await _rpc.InvokeWithParameterObjectAsync<object?>("shutdown", null).ConfigureAwait(false);
        await _rpc.NotifyAsync("exit").ConfigureAwait(false);
        return await ServerTask.ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        _rpc.Dispose();
        return ValueTask.CompletedTask;
    }
}
