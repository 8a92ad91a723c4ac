using System.Diagnostics;
using System.Text;
using System.Text.Json;
using InceptionDsl.LanguageServer.Wire;
using Nerdbank.Streams;
using Xunit;

namespace InceptionDsl.LanguageServer.Tests;

/// <summary>
/// The server's wire under hostile bytes (docs/security.md, "The language server's wire"): malformed frames are
/// answered as JSON-RPC and LSP 3.17 say and the server reads on; the lifecycle is enforced; no error carries data.
/// The raw side of the pipe is written byte by byte as a client (or an attacker) would.
/// </summary>
public sealed class WireTests
{
    /// <summary>A server on a pipe, and the raw client end: frames written as bytes, answers read as JSON.</summary>
    private sealed class RawServer : IAsyncDisposable
    {
        private readonly Stream _client;
        private readonly byte[] _one = new byte[1];
        public readonly Task<int> Exit;
        public readonly StringWriter Log = new();

        public RawServer()
        {
            var (client, server) = FullDuplexStream.CreatePair();
            _client = client;
            Exit = Task.Run(() => LanguageServerHost.RunAsync(server, server, log: TextWriter.Synchronized(Log)));
        }

        public Task SendRawAsync(string text) => SendRawAsync(Encoding.UTF8.GetBytes(text));

        public async Task SendRawAsync(byte[] bytes)
        {
            await _client.WriteAsync(bytes);
            await _client.FlushAsync();
        }

        public Task SendAsync(string json) => SendRawAsync($"Content-Length: {Encoding.UTF8.GetByteCount(json)}\r\n\r\n{json}");

        /// <summary>The next message the server sends (diagnostics notifications skipped).</summary>
        public async Task<JsonElement> ReceiveAsync()
        {
            while (true)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                int length = -1;
                var line = new StringBuilder();
                while (true)
                {
                    if (await _client.ReadAsync(_one, timeout.Token) == 0)
                        throw new EndOfStreamException("the server closed the connection");
                    if (_one[0] != '\n')
                    {
                        line.Append((char)_one[0]);
                        continue;
                    }

                    var text = line.ToString().TrimEnd('\r');
                    line.Clear();
                    if (text.Length == 0)
                        break;
                    if (text.StartsWith("Content-Length:", StringComparison.Ordinal))
                        length = int.Parse(text["Content-Length:".Length..].Trim());
                }

                var body = new byte[length];
                await _client.ReadExactlyAsync(body, timeout.Token);
                var message = JsonDocument.Parse(body).RootElement.Clone();
                if (message.TryGetProperty("method", out var method) && method.GetString() is "textDocument/publishDiagnostics" or "window/logMessage")
                    continue;
                return message;
            }
        }

        public async Task<JsonElement> RequestAsync(int id, string method, string parameters = "{}")
        {
            await SendAsync($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"{method}\",\"params\":{parameters}}}");
            return await ReceiveAsync();
        }

        public async Task InitializeAsync()
        {
            var answer = await RequestAsync(1, "initialize", "{\"processId\":null,\"rootUri\":null}");
            Assert.True(answer.TryGetProperty("result", out _), answer.ToString());
        }

        public async ValueTask DisposeAsync()
        {
            await _client.DisposeAsync();
            await Exit.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    private static int Code(JsonElement answer) => answer.GetProperty("error").GetProperty("code").GetInt32();

    private static void AssertNoData(JsonElement answer) => Assert.False(answer.GetProperty("error").TryGetProperty("data", out _), answer.ToString());

    [Fact]
    public async Task MalformedFramesAreAnsweredAndTheServerKeepsServing()
    {
        await using var server = new RawServer();
        await server.InitializeAsync();

        await server.SendAsync("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":");
        var truncated = await server.ReceiveAsync();
        Assert.Equal(-32700, Code(truncated));
        Assert.Equal(JsonValueKind.Null, truncated.GetProperty("id").ValueKind);

        foreach (var body in new[] { "[]", "42", "\"text\"" })
        {
            await server.SendAsync(body);
            Assert.Equal(-32600, Code(await server.ReceiveAsync()));
        }

        await server.SendAsync("{\"jsonrpc\":\"2.0\",\"id\":7}");
        var noMethod = await server.ReceiveAsync();
        Assert.Equal(-32600, Code(noMethod));
        Assert.Equal(7, noMethod.GetProperty("id").GetInt32());

        // After a header it cannot read, the server skips to the next "Content-Length:", so a frame without one comes first.
        foreach (var header in new[] { "Content-Type: x", "Content-Length: -5", "Content-Length: abc", "Content-Length: 99999999999999999999", $"Content-Length: {LspMessageHandler.MaxContentLength + 1L}" })
        {
            await server.SendRawAsync(header + "\r\n\r\n{}");
            Assert.Equal(-32700, Code(await server.ReceiveAsync()));
        }

        // Still serving: a request after all that is answered.
        var shutdown = await server.RequestAsync(9, "shutdown", "null");
        Assert.Equal(9, shutdown.GetProperty("id").GetInt32());
        Assert.True(shutdown.TryGetProperty("result", out _), shutdown.ToString());
        Assert.Contains("refused (-32700)", server.Log.ToString());
    }

    [Fact]
    public async Task TheLifecycleIsEnforced()
    {
        await using var server = new RawServer();
        var early = await server.RequestAsync(1, "textDocument/hover", "{\"textDocument\":{\"uri\":\"file:///a.inception.yaml\"},\"position\":{\"line\":0,\"character\":0}}");
        Assert.Equal(LspLifecycle.ServerNotInitialized, Code(early));
        await server.InitializeAsync();
        Assert.Equal(-32600, Code(await server.RequestAsync(2, "initialize", "{}")));

        // Wrong-typed and missing params: -32602, never a stack trace.
        var wrong = await server.RequestAsync(3, "textDocument/hover", "{\"textDocument\":42,\"position\":\"x\"}");
        Assert.Equal(-32602, Code(wrong));
        AssertNoData(wrong);
        var missing = await server.RequestAsync(4, "textDocument/hover", "{}");
        Assert.Equal(-32602, Code(missing));
        AssertNoData(missing);
        Assert.Equal(-32602, Code(await server.RequestAsync(5, "textDocument/hover", "7")));

        var shutdown = await server.RequestAsync(6, "shutdown", "null");
        Assert.True(shutdown.TryGetProperty("result", out _), shutdown.ToString());
        Assert.Equal(-32600, Code(await server.RequestAsync(7, "textDocument/hover", "{}")));
        await server.SendAsync("{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}");
        Assert.Equal(0, await server.Exit.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task BadInitializationOptionsFallBackToTheDefaults()
    {
        await using var server = new RawServer();
        var answer = await server.RequestAsync(1, "initialize", "{\"processId\":null,\"rootUri\":null,\"initializationOptions\":{\"debounceMs\":\"fast\",\"inlayHints\":3,\"variant\":[1]}}");
        Assert.True(answer.TryGetProperty("result", out _), answer.ToString());
    }

    [Fact]
    public async Task RenameToANameThatBreaksTheSpecIsRefused()
    {
        await using var server = new RawServer();
        await server.InitializeAsync();
        const string uri = "file:///tmp/rename.inception.yaml";
        var spec = File.ReadAllText(Repo.Fixture("resnet"));
        await server.SendAsync($"{{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{{\"textDocument\":{{\"uri\":\"{uri}\",\"languageId\":\"inceptiondsl\",\"version\":1,\"text\":{JsonSerializer.Serialize(spec)}}}}}}}");
        var at = TextAt.Find(spec, "  Bottleneck:", 3);
        string Rename(string name) => $"{{\"textDocument\":{{\"uri\":\"{uri}\"}},\"position\":{{\"line\":{at.Line},\"character\":{at.Character}}},\"newName\":\"{name}\"}}";
        int id = 2;
        foreach (var name in new[] { "class", "a-b", "BasicBlock", "" })
        {
            var refused = await server.RequestAsync(id++, "textDocument/rename", Rename(name));
            Assert.Equal(-32803, Code(refused));
            AssertNoData(refused);
        }

        var good = await server.RequestAsync(id, "textDocument/rename", Rename("Bottle"));
        Assert.True(good.TryGetProperty("result", out var edit) && edit.ValueKind == JsonValueKind.Object, good.ToString());
    }

    [Fact]
    public async Task TenThousandFuzzedFramesNeitherEndTheServerNorGrowItsMemory()
    {
        await using var server = new RawServer();
        await server.InitializeAsync();
        var random = new Random(24);
        var watch = Stopwatch.StartNew();
        // Answers are drained while frames are written, so neither side's pipe fills.
        int answers = 0;
        using var stop = new CancellationTokenSource();
        var drain = Task.Run(async () =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var answer = await server.ReceiveAsync();
                    if (answer.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number && id.GetInt32() == 424242)
                        return answer;
                    Interlocked.Increment(ref answers);
                }
            }
            catch (EndOfStreamException)
            {
            }

            return default;
        });

        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = GC.GetTotalMemory(forceFullCollection: true);
        for (int i = 0; i < 10_000; i++)
            await server.SendRawAsync(FuzzFrame(random));
        // A truncated frame claims at most 64 bytes more than it has: padding ends it, the final request stays whole.
        await server.SendRawAsync(Encoding.ASCII.GetBytes(new string('\n', 128)));
        await server.SendAsync("{\"jsonrpc\":\"2.0\",\"id\":424242,\"method\":\"shutdown\",\"params\":null}");
        var last = await drain.WaitAsync(TimeSpan.FromSeconds(120));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long after = GC.GetTotalMemory(forceFullCollection: true);

        Assert.Equal(424242, last.GetProperty("id").GetInt32());
        Assert.False(server.Exit.IsCompleted, "the server ended");
        Assert.True(answers > 5_000, $"only {answers} frames were answered");
        Assert.True(after - before < 64L << 20, $"memory grew by {(after - before) >> 20} MiB");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
    }

    private static byte[] FuzzFrame(Random random)
    {
        string body = random.Next(6) switch
        {
            0 => "{\"jsonrpc\":\"2.0\",\"id\":" + random.Next(1000) + ",\"method\":\"textDocument/hover\",\"params\":" + (random.Next(2) == 0 ? "[]" : "{\"textDocument\":1}") + "}",
            1 => "{\"jsonrpc\":\"2.0\",\"id\":" + random.Next(1000) + ",\"method\":" + random.Next() + "}",
            2 => "[" + new string('[', random.Next(100)),
            3 => "{\"jsonrpc\":\"1.0\",\"id\":{},\"method\":\"x\"}",
            _ => Encoding.Latin1.GetString(RandomBytes(random, random.Next(1, 200))),
        };
        var bytes = Encoding.UTF8.GetBytes(body);
        return random.Next(5) switch
        {
            // random bytes, no header at all
            0 => RandomBytes(random, random.Next(1, 300)),
            // truncated: the header claims more than the body has
            1 => Encoding.ASCII.GetBytes($"Content-Length: {bytes.Length + random.Next(1, 64)}\r\n\r\n").Concat(bytes).ToArray(),
            // oversized, negative or not a number
            2 => Encoding.ASCII.GetBytes($"Content-Length: {(random.Next(3) switch { 0 => "9999999999999", 1 => "-1", _ => "NaN" })}\r\n\r\n").Concat(bytes).ToArray(),
            _ => Encoding.ASCII.GetBytes($"Content-Length: {bytes.Length}\r\n\r\n").Concat(bytes).ToArray(),
        };
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
