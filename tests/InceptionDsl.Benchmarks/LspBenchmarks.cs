using System.Diagnostics;
using InceptionDsl.LanguageServer;
using InceptionDsl.LanguageServer.Protocol;

namespace InceptionDsl.Benchmarks;

/// <summary>
/// The language server's figures (`-- --lsp`), through a real connection in process (framing, JSON,
/// notifications): keystroke to published diagnostics for the Inception-v4 and ResNet family specs
/// (target under 50 ms warm), and managed memory over 10,000 edits (target: flat).
/// </summary>
public static class LspBenchmarks
{
    public static int Run()
    {
        var specs = Inputs.ZooSpecs().ToDictionary(t => Path.GetFileName(t.Path), t => (t.Path, Text: t.GetText()!.ToString()));
        foreach (var name in new[] { "inception_v4.inception.yaml", "resnet.inception.yaml" })
        {
            var (path, text) = specs[name];
            AnalysisCost(name, path, text);
            foreach (int debounce in new[] { ServerSettings.DefaultDebounceMs, 0 })
                KeystrokeToDiagnostics(name, path, text, debounce).GetAwaiter().GetResult();
        }

        // Every edit is analysed, hovered and published: a one-model spec keeps 10,000 of them to minutes on a busy machine.
        var memory = specs["inception_v4.inception.yaml"];
        MemoryOverEdits(memory.Path, memory.Text, 10_000).GetAwaiter().GetResult();
        return 0;
    }

    /// <summary>A keystroke that keeps the spec valid: a comment typed at its end, one character more each time (up to 60, then again).</summary>
    private static string Edit(string text, int i) => text + "# " + new string('x', i % 60) + "\n";

    /// <summary>Where a keystroke's time goes: the build's checks alone (SpecCompiler), and with what the server adds.</summary>
    private static void AnalysisCost(string name, string path, string text)
    {
        double Median(Action action)
        {
            for (int i = 0; i < 10; i++)
                action();
            var times = new List<double>();
            for (int i = 0; i < 40; i++)
            {
                var watch = Stopwatch.StartNew();
                action();
                times.Add(watch.Elapsed.TotalMilliseconds);
            }

            times.Sort();
            return times[times.Count / 2];
        }

        int models = SpecCompiler.Compile(path, text).Models.Count;
        double compile = Median(() => SpecCompiler.Compile(path, text));
        double analysis = Median(() => InceptionDsl.Analysis.Source.SpecAnalysis.Analyze(path, text));
        double withIndex = Median(() => _ = InceptionDsl.Analysis.Source.SpecAnalysis.Analyze(path, text).Index);
        Console.WriteLine($"analysis {name,-28} ({models} models): SpecCompiler.Compile {compile,6:F1} ms, + node uses {analysis,6:F1} ms, + source index {withIndex,6:F1} ms (medians)");
    }

    private static async Task KeystrokeToDiagnostics(string name, string path, string text, int debounceMs)
    {
        await using var client = await InProcessClient.StartAsync(new { debounceMs });
        var uri = new Uri(path).AbsoluteUri;
        int version = await client.OpenAsync(uri, text);
        await client.DiagnosticsAsync(uri, version);
        const int warmup = 30, runs = 200;
        var times = new List<double>();
        int errors = 0;
        for (int i = 0; i < warmup + runs; i++)
        {
            var watch = Stopwatch.StartNew();
            version = await client.ChangeAsync(uri, Edit(text, i + 1));
            var published = await client.DiagnosticsAsync(uri, version);
            if (i >= warmup)
                times.Add(watch.Elapsed.TotalMilliseconds);
            errors += published.Diagnostics.Length;
        }

        times.Sort();
        Console.WriteLine($"keystroke->diagnostics {name,-28} debounce {debounceMs,2} ms: median {times[times.Count / 2],6:F1} ms  p95 {times[(int)(times.Count * 0.95)],6:F1} ms  max {times[^1],6:F1} ms  ({runs} edits, {errors} diagnostics)");
    }

    private static async Task MemoryOverEdits(string path, string text, int edits)
    {
        await using var client = await InProcessClient.StartAsync(new { debounceMs = 0 });
        var uri = new Uri(path).AbsoluteUri;
        int version = await client.OpenAsync(uri, text);
        await client.DiagnosticsAsync(uri, version);
        var hoverAt = new TextDocumentPositionParams(new TextDocumentIdentifier(uri), Locate(text, "use: "));
        var watch = Stopwatch.StartNew();
        var line = new List<string>();
        long first = 0;
        for (int i = 1; i <= edits; i++)
        {
            version = await client.ChangeAsync(uri, Edit(text, i));
            await client.RequestAsync<Hover?>("textDocument/hover", hoverAt);
            await client.DiagnosticsAsync(uri, version);
            if (i % 1000 == 0)
            {
                long bytes = GC.GetTotalMemory(forceFullCollection: true);
                if (first == 0)
                    first = bytes;
                line.Add($"{i / 1000}k: {bytes / 1024.0 / 1024.0:F1} MB");
                Console.WriteLine($"  after {i:N0} edits: managed heap {bytes / 1024.0 / 1024.0:F1} MB ({watch.Elapsed.TotalSeconds:F0} s)");
            }
        }

        long last = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"memory over {edits:N0} edits (edit + hover + diagnostics each, {watch.Elapsed.TotalSeconds:F1} s): {string.Join(", ", line)}");
        Console.WriteLine($"managed heap after 1k edits {first / 1024.0 / 1024.0:F1} MB, after {edits / 1000}k {last / 1024.0 / 1024.0:F1} MB (growth {(last - first) / 1024.0:F0} KB), working set {Environment.WorkingSet / 1024.0 / 1024.0:F0} MB, open documents {client.Server.OpenDocuments}");
    }

    private static Position Locate(string text, string needle)
    {
        int at = text.IndexOf(needle, StringComparison.Ordinal);
        int line = text.AsSpan(0, at).Count('\n');
        return new Position(line, at - (text.LastIndexOf('\n', at) + 1) + 2);
    }
}
