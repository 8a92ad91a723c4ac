namespace InceptionDsl.LanguageServer.Wire;

/// <summary>
/// LSP 3.17's lifecycle, checked for every message before a handler sees it: before <c>initialize</c> a request is
/// answered -32002 (ServerNotInitialized) and a notification dropped; <c>initialize</c> is accepted once; after
/// <c>shutdown</c> a request is answered -32600 (InvalidRequest) and a notification dropped; <c>exit</c> always passes
/// (the server then ends with 0 after a shutdown, 1 without).
/// </summary>
public sealed class LspLifecycle
{
    /// <summary>LSP's ServerNotInitialized.</summary>
    public const int ServerNotInitialized = -32002;

    /// <summary>JSON-RPC's InvalidRequest.</summary>
    public const int InvalidRequest = -32600;

    private volatile bool _initialized, _shutdown;

    public bool Initialized => _initialized;

    public bool ShutDown => _shutdown;

    /// <summary>Why the message may not be handled now (code and message), or null when it may.</summary>
    public (int Code, string Message)? Refusal(string method, bool isRequest)
    {
        if (method == "exit")
            return null;
        if (_shutdown)
            return (InvalidRequest, $"the server is shut down: only 'exit' is accepted, not '{method}'");
        if (!_initialized && method != "initialize")
            return (ServerNotInitialized, $"the server is not initialized: send 'initialize' before '{method}'");
        if (_initialized && method == "initialize")
            return (InvalidRequest, "'initialize' was already received");
        return null;
    }

    /// <summary>Records a message passed to the handlers.</summary>
    public void Accepted(string method)
    {
        if (method == "initialize")
            _initialized = true;
        else if (method == "shutdown")
            _shutdown = true;
    }
}
