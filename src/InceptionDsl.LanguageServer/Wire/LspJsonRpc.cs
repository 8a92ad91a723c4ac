using System.Text.Json;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace InceptionDsl.LanguageServer.Wire;

/// <summary>
/// The server's JSON-RPC connection: a request whose params do not deserialize into the method's parameter type (a
/// wrong type, a required member missing or null) is answered -32602 (InvalidParams) as JSON-RPC says, not as a failed
/// invocation; and no error carries <c>data</c> (StreamJsonRpc would put the .NET exception, stack trace included, there).
/// </summary>
public sealed class LspJsonRpc(IJsonRpcMessageHandler handler) : JsonRpc(handler)
{
    protected override JsonRpcError.ErrorDetail CreateErrorDetails(JsonRpcRequest request, Exception exception)
    {
        var detail = base.CreateErrorDetails(request, exception);
        for (var cause = exception; cause is not null; cause = cause.InnerException)
        {
            if (cause is JsonException)
                return new JsonRpcError.ErrorDetail { Code = JsonRpcErrorCode.InvalidParams, Message = $"the params of '{request.Method}' do not fit it: {cause.Message}" };
        }

        return new JsonRpcError.ErrorDetail { Code = detail.Code, Message = detail.Message };
    }
}
