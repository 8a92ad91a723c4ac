using InceptionDsl.LanguageServer.Features;
using InceptionDsl.LanguageServer.Protocol;
using StreamJsonRpc;

namespace InceptionDsl.LanguageServer;

/// <summary>
/// Publishes each document's diagnostics after its changes pause for the debounce delay (at once on
/// open): a newer change cancels the pending analysis of an older text, and a result is published
/// only while its text is still the document's latest.
/// </summary>
public sealed class DiagnosticsScheduler(JsonRpc rpc, Func<ServerSettings> settings) : IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, (CancellationTokenSource Cancel, OpenDocument Document)> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OpenDocument> _latest = new(StringComparer.Ordinal);

    /// <summary>Raised after diagnostics are sent (for the benchmarks): the document and its diagnostics.</summary>
    public event Action<OpenDocument, Diagnostic[]>? Published;

    public void Schedule(OpenDocument document, bool immediately)
    {
        var cancel = new CancellationTokenSource();
        lock (_gate)
        {
            if (_pending.TryGetValue(document.Uri, out var previous))
                previous.Cancel.Cancel();
            _pending[document.Uri] = (cancel, document);
            _latest[document.Uri] = document;
        }

        int delay = immediately ? 0 : settings().DebounceMs;
        _ = Task.Run(() => PublishAsync(document, delay, cancel.Token));
    }

    private async Task PublishAsync(OpenDocument document, int delay, CancellationToken cancellation)
    {
        try
        {
            if (delay > 0)
                await Task.Delay(delay, cancellation).ConfigureAwait(false);
            cancellation.ThrowIfCancellationRequested();
            var diagnostics = DiagnosticsBuilder.Build(document.Analysis, document.Uri);
            lock (_gate)
            {
                if (!_latest.TryGetValue(document.Uri, out var latest) || latest != document)
                    return;
                _pending.Remove(document.Uri);
            }

            await rpc.NotifyWithParameterObjectAsync("textDocument/publishDiagnostics", new PublishDiagnosticsParams(document.Uri, document.Version, diagnostics)).ConfigureAwait(false);
            Published?.Invoke(document, diagnostics);
        }
        catch (OperationCanceledException)
        {
            // A newer text replaced this one, or the server is shutting down.
        }
        catch (Exception exception) when (exception is ObjectDisposedException or ConnectionLostException)
        {
            // The client went away; nothing to publish to.
        }
    }

    /// <summary>Forgets a closed document and clears its diagnostics in the client.</summary>
    public void Clear(string uri)
    {
        lock (_gate)
        {
            if (_pending.Remove(uri, out var pending))
                pending.Cancel.Cancel();
            _latest.Remove(uri);
        }

        _ = SendEmptyAsync(uri);
    }

    private async Task SendEmptyAsync(string uri)
    {
        try
        {
            await rpc.NotifyWithParameterObjectAsync("textDocument/publishDiagnostics", new PublishDiagnosticsParams(uri, null, Array.Empty<Diagnostic>())).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is ObjectDisposedException or ConnectionLostException)
        {
            // The client went away.
        }
    }

    public void CancelAll()
    {
        lock (_gate)
        {
            foreach (var pending in _pending.Values)
                pending.Cancel.Cancel();
            _pending.Clear();
        }
    }

    public void Dispose() => CancelAll();
}
