using System.Text.Json;
using System.Text.Json.Serialization;
using StreamJsonRpc;

namespace InceptionDsl.LanguageServer;

/// <summary>
/// Runs the server on a pair of streams (stdin/stdout for <c>inceptiondsl lsp</c>, pipes in tests):
/// LSP's <c>Content-Length</c> framing (<see cref="HeaderDelimitedMessageHandler"/>), JSON with
/// camelCase names, and LSP's <c>$/cancelRequest</c> (StreamJsonRpc's standard cancellation).
/// </summary>
public static class LanguageServerHost
{
    public static JsonSerializerOptions SerializerOptions() => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNameCaseInsensitive = true,
    };

    /// <summary>
    /// The server's JSON options: as <see cref="SerializerOptions"/>, and a missing or null member the protocol requires
    /// (a request's <c>textDocument</c>, <c>position</c>) fails the request's parameters, answered -32602 (InvalidParams),
    /// instead of reaching a handler as null.
    /// </summary>
    public static JsonSerializerOptions ServerSerializerOptions()
    {
        var options = SerializerOptions();
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        return options;
    }

    /// <summary>The server's connection: the defensive framing and lifecycle of <see cref="Wire.LspMessageHandler"/>.</summary>
    public static JsonRpc ConnectServer(Stream input, Stream output, TextWriter? log, out Wire.LspMessageHandler handler)
    {
        var formatter = new SystemTextJsonFormatter { JsonSerializerOptions = ServerSerializerOptions() };
        handler = new Wire.LspMessageHandler(input, output, formatter, log);
        return new Wire.LspJsonRpc(handler);
    }

    /// <summary>A JSON-RPC connection speaking LSP's framing and JSON (the clients of the tests and benchmarks).</summary>
    public static JsonRpc Connect(Stream input, Stream output)
    {
        var formatter = new SystemTextJsonFormatter { JsonSerializerOptions = SerializerOptions() };
        return new JsonRpc(new HeaderDelimitedMessageHandler(output, input, formatter));
    }

    /// <summary>Serves until <c>exit</c> or the client's end of the connection; returns the exit code LSP asks for (0 after shutdown, else 1).</summary>
    public static async Task<int> RunAsync(Stream input, Stream output, Action<SpecLanguageServer>? started = null, TextWriter? log = null)
    {
        using var rpc = ConnectServer(input, output, log, out _);
        using var server = new SpecLanguageServer(rpc);
        rpc.AddLocalRpcTarget(server, new JsonRpcTargetOptions { AllowNonPublicInvocation = false });
        rpc.StartListening();
        started?.Invoke(server);
        var finished = await Task.WhenAny(server.Exited, rpc.Completion).ConfigureAwait(false);
        if (finished == server.Exited)
            return await server.Exited.ConfigureAwait(false) ? 0 : 1;
        return 1;
    }
}
