using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using InceptionDsl.Text;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace InceptionDsl.LanguageServer.Wire;

/// <summary>
/// The server's end of the wire: LSP's <c>Content-Length</c> framing read defensively, so that no byte stream can end
/// the server. A frame that is not a JSON-RPC 2.0 message is answered as JSON-RPC and LSP 3.17 say (-32700 for bytes
/// that are not JSON or a header that cannot be read, -32600 for JSON that is not a request, with the request's id when
/// it can be known), logged as one line, and the server reads on; after a header it cannot read it looks for the next
/// <c>Content-Length:</c>. A <c>Content-Length</c> over <see cref="MaxContentLength"/> is refused without allocating it.
/// The lifecycle (<see cref="LspLifecycle"/>) is enforced here too, before any handler runs. Every error sent carries a
/// one-line message and no <c>data</c> (never a .NET stack trace).
/// </summary>
public sealed class LspMessageHandler : MessageHandlerBase
{
    /// <summary>The largest message body accepted: 64 MiB (a spec is at most 1,000,000 characters; JSON escaping at most sextuples it).</summary>
    public const int MaxContentLength = 64 << 20;

    /// <summary>The largest header block (all header lines of one frame).</summary>
    public const int MaxHeaderBytes = 8192;

    private static readonly byte[] ContentLengthName = Encoding.ASCII.GetBytes("content-length:");

    private readonly Stream _input;
    private readonly Stream _output;
    private readonly TextWriter _log;
    private readonly IJsonRpcMessageFactory _factory;
    // Unread data lies in _buffer[_start.._end]; _start never goes below Headroom, so a matched name can be put back.
    private const int Headroom = 16;
    private readonly byte[] _buffer = new byte[Headroom + 64 * 1024];
    private int _start = Headroom, _end = Headroom;
    private bool _ended, _resync;

    public LspMessageHandler(Stream input, Stream output, SystemTextJsonFormatter formatter, TextWriter? log = null)
        : base(formatter)
    {
        _input = input;
        _output = output;
        _log = log ?? TextWriter.Null;
        _factory = formatter;
    }

    /// <summary>Where the protocol stands: before initialize, serving, shut down.</summary>
    public LspLifecycle Lifecycle { get; } = new();

    /// <summary>Frames refused so far (a test reads it).</summary>
    public int Refused { get; private set; }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    protected override async ValueTask<JsonRpcMessage?> ReadCoreAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var (body, problem) = await ReadFrameAsync(cancellationToken).ConfigureAwait(false);
            if (body is null && problem is null)
                return null; // the client closed its end
            if (problem is not null)
            {
                await RefuseAsync(null, JsonRpcErrorCode.ParseError, problem, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var message = await AcceptAsync(body!, cancellationToken).ConfigureAwait(false);
            if (message is not null)
                return message;
        }
    }

    protected override async ValueTask WriteCoreAsync(JsonRpcMessage content, CancellationToken cancellationToken)
    {
        // The one place every answer passes: an error keeps its code and a one-line message, never data (a stack trace).
        if (content is JsonRpcError { Error: { } error })
        {
            error.Data = null;
            error.Message = OneLine(error.Message ?? "error");
        }

        var body = new ArrayBufferWriter<byte>();
        Formatter.Serialize(body, content);
        var header = Encoding.ASCII.GetBytes($"Content-Length: {body.WrittenCount.ToString(CultureInfo.InvariantCulture)}\r\n\r\n");
        await _output.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        await _output.WriteAsync(body.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    protected override ValueTask FlushAsync(CancellationToken cancellationToken) => new(_output.FlushAsync(cancellationToken));

    /// <summary>The message the body holds, or null when it was refused (answered and logged) or ignored.</summary>
    private async ValueTask<JsonRpcMessage?> AcceptAsync(byte[] body, CancellationToken cancellationToken)
    {
        RequestId id = default;
        string? method;
        bool isRequest;
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                await RefuseAsync(null, JsonRpcErrorCode.InvalidRequest, $"a message is a JSON object, not {Kind(root)} (LSP has no batches)", cancellationToken).ConfigureAwait(false);
                return null;
            }

            if (root.TryGetProperty("id", out var idElement))
            {
                if (idElement.ValueKind == JsonValueKind.String)
                    id = new RequestId(idElement.GetString());
                else if (idElement.ValueKind == JsonValueKind.Number && idElement.TryGetInt64(out long number))
                    id = new RequestId(number);
                else if (idElement.ValueKind != JsonValueKind.Null)
                {
                    await RefuseAsync(null, JsonRpcErrorCode.InvalidRequest, $"'id' must be a string or an integer, not {Kind(idElement)}", cancellationToken).ConfigureAwait(false);
                    return null;
                }
            }

            isRequest = !id.IsEmpty;
            if (!root.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String || version.GetString() != "2.0")
                return await RefuseOrDropAsync(isRequest, id, JsonRpcErrorCode.InvalidRequest, "'jsonrpc' must be \"2.0\"", cancellationToken).ConfigureAwait(false);
            if (!root.TryGetProperty("method", out var methodElement))
            {
                if (root.TryGetProperty("result", out _) || root.TryGetProperty("error", out _))
                {
                    // The server sends no requests, so a response answers nothing.
                    Log("a response to no request of the server was ignored");
                    return null;
                }

                return await RefuseOrDropAsync(isRequest, id, JsonRpcErrorCode.InvalidRequest, "the message has no 'method'", cancellationToken).ConfigureAwait(false);
            }

            if (methodElement.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(methodElement.GetString()))
                return await RefuseOrDropAsync(isRequest, id, JsonRpcErrorCode.InvalidRequest, $"'method' must be a non-empty string, not {Kind(methodElement)}", cancellationToken).ConfigureAwait(false);
            method = methodElement.GetString()!;
            if (root.TryGetProperty("params", out var parameters) && parameters.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null))
                return await RefuseOrDropAsync(isRequest, id, JsonRpcErrorCode.InvalidParams, $"'params' of {method} must be an object, not {Kind(parameters)}", cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException error)
        {
            await RefuseAsync(null, JsonRpcErrorCode.ParseError, "the body is not JSON: " + error.Message, cancellationToken).ConfigureAwait(false);
            return null;
        }

        if (Lifecycle.Refusal(method, isRequest) is { } refusal)
            return await RefuseOrDropAsync(isRequest, id, (JsonRpcErrorCode)refusal.Code, refusal.Message, cancellationToken).ConfigureAwait(false);

        try
        {
            var message = Formatter.Deserialize(new ReadOnlySequence<byte>(body));
            Lifecycle.Accepted(method);
            return message;
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            return await RefuseOrDropAsync(isRequest, id, JsonRpcErrorCode.InvalidRequest, "the message cannot be read: " + error.Message, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<JsonRpcMessage?> RefuseOrDropAsync(bool isRequest, RequestId id, JsonRpcErrorCode code, string message, CancellationToken cancellationToken)
    {
        if (isRequest)
            await RefuseAsync(id, code, message, cancellationToken).ConfigureAwait(false);
        else
            Log($"notification dropped: {message}");
        return null;
    }

    /// <summary>Answers an error (to the id, or to null when no id can be known) and logs it.</summary>
    private async ValueTask RefuseAsync(RequestId? id, JsonRpcErrorCode code, string message, CancellationToken cancellationToken)
    {
        Refused++;
        Log($"refused ({(int)code}): {message}");
        var error = _factory.CreateErrorMessage();
        error.RequestId = id ?? RequestId.Null;
        error.Error = new JsonRpcError.ErrorDetail { Code = code, Message = message };
        await WriteAsync(error, cancellationToken).ConfigureAwait(false);
    }

    private void Log(string line)
    {
        try
        {
            _log.WriteLine("inceptiondsl lsp: " + OneLine(line));
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException)
        {
            // A log that cannot be written must not stop the server.
        }
    }

    private static string OneLine(string text)
    {
        var shown = ShownText.Of(text);
        return shown.Length <= 300 ? shown : shown.Substring(0, 300) + "...";
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Object => "an object",
        _ => "nothing",
    };

    // ---- framing -------------------------------------------------------------------------------

    /// <summary>
    /// The next frame's body; or a problem with the frame (the reader has moved past it); or (null, null) at the end of
    /// the stream. The header is at most <see cref="MaxHeaderBytes"/>; lines end with CRLF (a bare LF is accepted).
    /// </summary>
    private async ValueTask<(byte[]? Body, string? Problem)> ReadFrameAsync(CancellationToken cancellationToken)
    {
        if (_resync)
        {
            _resync = false;
            await ResyncAsync(cancellationToken).ConfigureAwait(false);
        }

        long? length = null;
        string? problem = null;
        int headerBytes = 0;
        while (true)
        {
            var line = await ReadLineAsync(MaxHeaderBytes - headerBytes, cancellationToken).ConfigureAwait(false);
            if (line is null)
            {
                if (headerBytes > 0)
                    Log("the stream ended inside a frame's header");
                return (null, null);
            }

            if (line.Length == 0 && headerBytes == 0)
                continue; // blank lines between frames are harmless
            headerBytes += line.Length + 2;
            if (line.Length > MaxHeaderBytes || headerBytes > MaxHeaderBytes)
                return (null, Resync($"the header is longer than {MaxHeaderBytes} bytes"));
            if (line.Length == 0)
                break;
            int colon = line.IndexOf(':');
            if (colon <= 0)
                return (null, Resync($"'{Shorten(line)}' is not a header line (Name: value)"));
            var name = line.Substring(0, colon).Trim();
            var value = line.Substring(colon + 1).Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (value.Length == 0 || value.Length > 12 || !value.All(c => c is >= '0' and <= '9'))
                    problem = $"Content-Length '{Shorten(value)}' is not a number of bytes";
                else if (long.Parse(value, CultureInfo.InvariantCulture) is var parsed && parsed > MaxContentLength)
                    problem = $"Content-Length {parsed} is over the limit of {MaxContentLength} bytes; the body was not read";
                else
                    length = long.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        if (problem is not null)
            return (null, Resync(problem));
        if (length is null)
            return (null, Resync("the header has no Content-Length"));
        var body = new byte[length.Value];
        int filled = 0;
        while (filled < body.Length)
        {
            if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                Log($"the stream ended inside a frame's body ({filled} of {body.Length} bytes)");
                return (null, null);
            }

            int take = Math.Min(body.Length - filled, _end - _start);
            Buffer.BlockCopy(_buffer, _start, body, filled, take);
            _start += take;
            filled += take;
        }

        return (body, null);
    }

    /// <summary>Marks that the next read first skips to the next frame's header (after the problem is answered); returns the problem.</summary>
    private string Resync(string problem)
    {
        _resync = true;
        return problem;
    }

    /// <summary>Skips to the next <c>Content-Length:</c> (any case), where the next frame's header starts.</summary>
    private async ValueTask ResyncAsync(CancellationToken cancellationToken)
    {
        int matched = 0;
        while (true)
        {
            if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
                return;
            byte b = _buffer[_start];
            byte lower = b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b;
            if (lower == ContentLengthName[matched])
            {
                matched++;
                _start++;
                if (matched == ContentLengthName.Length)
                {
                    // Put the name back: the header reader reads it as the first line of the next frame.
                    Unread(ContentLengthName);
                    return;
                }
            }
            else if (matched > 0)
            {
                matched = 0; // look at this byte again as a possible start
            }
            else
            {
                _start++;
            }
        }
    }

    /// <summary>Places bytes before the unread data: the buffer always keeps <see cref="Headroom"/> bytes free before it.</summary>
    private void Unread(byte[] bytes)
    {
        _start -= bytes.Length;
        Buffer.BlockCopy(bytes, 0, _buffer, _start, bytes.Length);
    }

    /// <summary>One header line without its line end, as Latin-1 text; a line longer than <paramref name="limit"/> is cut there; null at the end of the stream.</summary>
    private async ValueTask<string?> ReadLineAsync(int limit, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        while (true)
        {
            if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
                return line.Length > 0 ? line.ToString() : null;
            byte b = _buffer[_start++];
            if (b == (byte)'\n')
            {
                if (line.Length > 0 && line[line.Length - 1] == '\r')
                    line.Length--;
                return line.ToString();
            }

            line.Append((char)b);
            if (line.Length > limit)
                return line.ToString();
        }
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_ended)
            return false;
        if (_start == _end)
            _start = _end = Headroom;
        if (_end == _buffer.Length)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, Headroom, _end - _start);
            _end = Headroom + _end - _start;
            _start = Headroom;
        }

        int read = await _input.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            _ended = true;
            return false;
        }

        _end += read;
        return true;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text.Substring(0, 40) + "...";
}
