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

    /// <summary>A JSON-RPC connection speaking LSP's framing and JSON.</summary>
    public static JsonRpc Connect(Stream input, Stream output)
    {
        var formatter = new SystemTextJsonFormatter { JsonSerializerOptions = SerializerOptions() };
        return new JsonRpc(new HeaderDelimitedMessageHandler(output, input, formatter));
    }

    /// <summary>Serves until <c>exit</c> or the client's end of the connection; returns the exit code LSP asks for (0 after shutdown, else 1).</summary>
    public static async Task<int> RunAsync(Stream input, Stream output, Action<SpecLanguageServer>? started = null)
    {
        using var rpc = Connect(input, output);
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
