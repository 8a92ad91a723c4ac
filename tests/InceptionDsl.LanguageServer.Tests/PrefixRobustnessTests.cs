using System.Diagnostics;
using InceptionDsl.Analysis.Source;
using InceptionDsl.LanguageServer.Features;
using InceptionDsl.LanguageServer.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace InceptionDsl.LanguageServer.Tests;

/// <summary>
/// Half-typed YAML never crashes or hangs the server: every prefix of every spec in specs/, cut at
/// every line and at every <see cref="Stride"/>-th character (every character with
/// INCEPTIONDSL_LSP_EVERY_CHARACTER=1), gets an answer from every feature within the time limit.
/// </summary>
public sealed class PrefixRobustnessTests(ITestOutputHelper output)
{
    /// <summary>Per prefix, all features together; far above the few milliseconds they take, to stay clear of a loaded machine.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    private static int Stride => Environment.GetEnvironmentVariable("INCEPTIONDSL_LSP_EVERY_CHARACTER") == "1" ? 1 : 37;

    public static TheoryData<string> SpecNames => new(Repo.Specs.Select(p => Path.GetFileName(p)));

    [Theory]
    [MemberData(nameof(SpecNames))]
    public async Task EveryPrefixAnswersWithinTheLimit(string spec)
    {
        var text = File.ReadAllText(Path.Combine(Repo.SpecsDir, spec));
        var cuts = new SortedSet<int>();
        for (int i = 0; i < text.Length; i++)
            if (text[i] == '\n')
                cuts.Add(i + 1);
        for (int i = 0; i <= text.Length; i += Stride)
            cuts.Add(i);
        cuts.Add(text.Length);

        var slowest = TimeSpan.Zero;
        var watch = Stopwatch.StartNew();
        foreach (int cut in cuts)
        {
            var prefix = text.Substring(0, cut);
            var run = Task.Run(() => Exercise(prefix));
            var finished = await Task.WhenAny(run, Task.Delay(Limit));
            Assert.True(finished == run, $"{spec} cut at {cut}: no answer within {Limit.TotalSeconds} s");
            var elapsed = await run;
            if (elapsed > slowest)
                slowest = elapsed;
        }

        output.WriteLine($"{spec}: {cuts.Count} prefixes in {watch.Elapsed.TotalSeconds:F1} s, slowest {slowest.TotalMilliseconds:F0} ms");
    }

    /// <summary>Every feature on one text, at its end (where the user types) and at its start.</summary>
    private static TimeSpan Exercise(string text)
    {
        var watch = Stopwatch.StartNew();
        const string uri = "file:///tmp/prefix.inception.yaml";
        var analysis = SpecAnalysis.Analyze("prefix.inception.yaml", text);
        var diagnostics = DiagnosticsBuilder.Build(analysis, uri);
        var (line, character) = analysis.Lines.Position(text.Length);
        var settings = new ServerSettings();
        var everything = new Protocol.Range(new Position(0, 0), new Position(line + 1, 0));
        foreach (var at in new[] { new Position(line, character), new Position(Math.Max(0, line - 1), 4), new Position(0, 0) })
        {
            HoverText.For(analysis, at, settings, OpCatalogLanguage.Instance);
            Navigation.Definition(analysis, uri, at);
            Navigation.References(analysis, uri, at, true);
            Navigation.Rename(analysis, uri, at, "renamed");
            Completion.For(analysis.Lines, analysis.Index, at, OpCatalogLanguage.Instance);
        }

        InlayHints.For(analysis, analysis.Lines, everything, settings);
        Symbols.For(analysis, settings);
        CodeActions.For(analysis, uri, new CodeActionParams(new TextDocumentIdentifier(uri), everything, new CodeActionContext(diagnostics)));
        return watch.Elapsed;
    }

    [Fact]
    public async Task TheServerAnswersEveryLinePrefixTypedIntoOneDocument()
    {
        await using var client = await InProcessClient.StartAsync(new { debounceMs = 0 });
        var text = File.ReadAllText(Repo.Spec("mini_inception"));
        const string uri = "file:///tmp/typed.inception.yaml";
        await client.OpenAsync(uri, "");
        int version = 0;
        for (int cut = text.IndexOf('\n'); cut >= 0; cut = text.IndexOf('\n', cut + 1))
        {
            var prefix = text.Substring(0, cut + 1);
            version = await client.ChangeAsync(uri, prefix);
            var (line, character) = new TextLines(prefix).Position(prefix.Length);
            var at = new TextDocumentPositionParams(new TextDocumentIdentifier(uri), new Position(Math.Max(0, line - 1), 6));
            await client.RequestAsync<Hover?>("textDocument/hover", at).WaitAsync(Limit);
            await client.RequestAsync<CompletionList>("textDocument/completion", at).WaitAsync(Limit);
            await client.RequestAsync<InlayHint[]>("textDocument/inlayHint",
                new InlayHintParams(new TextDocumentIdentifier(uri), new Protocol.Range(new Position(0, 0), new Position(line, character)))).WaitAsync(Limit);
        }

        var last = await client.DiagnosticsAsync(uri, version).WaitAsync(Limit);
        Assert.Empty(last.Diagnostics);
    }
}
