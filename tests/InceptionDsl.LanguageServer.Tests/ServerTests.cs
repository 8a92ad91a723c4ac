using System.Globalization;
using System.Text.RegularExpressions;
using InceptionDsl.LanguageServer.Features;
using InceptionDsl.LanguageServer.Protocol;
using StreamJsonRpc;
using Xunit;

namespace InceptionDsl.LanguageServer.Tests;

/// <summary>The server driven in process over a duplex pipe, as an editor drives it (framing, JSON, notifications).</summary>
public sealed class ServerTests
{
    private static readonly string ResNetPath = Repo.Fixture("resnet");
    private static readonly string ResNetUri = Repo.Uri(ResNetPath);
    private static readonly string ResNet = File.ReadAllText(ResNetPath);

    private static TextDocumentPositionParams At(string uri, Position position) => new(new TextDocumentIdentifier(uri), position);

    [Fact]
    public async Task PublishesTheBuildsDiagnosticsOnOpenAndEveryChange()
    {
        await using var client = await InProcessClient.StartAsync();
        var uri = "file:///tmp/unsaved/net.inception.yaml";
        var broken = ResNet.Replace("filters: 64, k: 7", "filtrs: 64, k: 7");
        int version = await client.OpenAsync(uri, broken);
        var published = await client.DiagnosticsAsync(uri, version).WaitAsync(TimeSpan.FromSeconds(30));

        var expected = SpecCompiler.Compile(SpecDocuments.PathOf(uri), broken).Diagnostics;
        Assert.Equal(expected.Select(d => d.Id), published.Diagnostics.Select(d => d.Code));
        var unknown = Assert.Single(published.Diagnostics, d => d.Code == "IDSL002");
        Assert.Equal(TextAt.Find(broken, "filtrs"), unknown.Range.Start);
        Assert.Equal(TextAt.Find(broken, "filtrs", "filtrs".Length), unknown.Range.End);
        // The code links to its section of docs/diagnostics.md, as the build's help link does.
        Assert.Equal(InceptionDsl.Diagnostics.DiagnosticHelp.Link("IDSL002"), unknown.CodeDescription?.Href);

        version = await client.ChangeAsync(uri, ResNet);
        published = await client.DiagnosticsAsync(uri, version).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(published.Diagnostics);
    }

    [Fact]
    public async Task QuickFixAppliesTheDidYouMeanSuggestion()
    {
        await using var client = await InProcessClient.StartAsync();
        var uri = "file:///tmp/unsaved/fix.inception.yaml";
        var broken = ResNet.Replace("- { name: bn1, bn: {} }\n  - relu\n  - maxpool", "- { name: bn1, bn: {} }\n  - relu\n  - maxpol");
        Assert.NotEqual(ResNet, broken);
        int version = await client.OpenAsync(uri, broken);
        var published = await client.DiagnosticsAsync(uri, version).WaitAsync(TimeSpan.FromSeconds(30));
        var diagnostic = Assert.Single(published.Diagnostics, d => d.Code == "IDSL002");
        Assert.Contains("did you mean 'maxpool'", diagnostic.Message);

        var actions = await client.RequestAsync<CodeAction[]>("textDocument/codeAction",
            new CodeActionParams(new TextDocumentIdentifier(uri), diagnostic.Range, new CodeActionContext(published.Diagnostics)));
        var fix = Assert.Single(actions);
        var fixedText = TextAt.Apply(broken, fix.Edit.Changes[uri]);
        Assert.Equal(ResNet, fixedText);
    }

    [Fact]
    public async Task RelatedLocationPointsAtTheFirstDeclaration()
    {
        await using var client = await InProcessClient.StartAsync();
        var uri = "file:///tmp/unsaved/dup.inception.yaml";
        var text = ResNet.Replace("  - { name: bn1, bn: {} }\n  - relu\n  - maxpool", "  - { name: bn1, bn: {} }\n  - { name: conv1, bn: {} }\n  - maxpool");
        int version = await client.OpenAsync(uri, text);
        var published = await client.DiagnosticsAsync(uri, version).WaitAsync(TimeSpan.FromSeconds(30));
        var duplicate = Assert.Single(published.Diagnostics, d => d.Code == "IDSL006");
        var related = Assert.Single(duplicate.RelatedInformation!);
        Assert.Equal(TextAt.Find(text, "\n  - { name: conv1").Line + 1, related.Location.Range.Start.Line);
    }

    [Fact]
    public async Task HoverOnANodeShowsItsShapeCountsMemberAndPathPerVariant()
    {
        await using var client = await InProcessClient.StartAsync();
        await client.OpenAsync(ResNetUri, ResNet);
        var hover = await client.RequestAsync<Hover>("textDocument/hover", At(ResNetUri, TextAt.Find(ResNet, "conv: { filters: 64, k: 7", 1)));
        var models = SpecCompiler.Compile(ResNetPath, ResNet).Models;
        var text = hover.Contents.Value;
        foreach (var model in models)
        {
            var row = model.Layers.Single(r => r.Path == "conv1");
            Assert.Contains($"**{MarkdownText.Text(model.ClassName)}**: {row.Shape}", text);
            Assert.Contains($"{row.Parameters.ToString("N0", CultureInfo.InvariantCulture)} params", text);
        }

        Assert.Contains("C# `ResNet18.conv1`", text);
        Assert.Contains("- `conv1`: [3, 224, 224] → " + models[0].Layers.Single(r => r.Path == "conv1").Shape, text);
    }

    [Fact]
    public async Task HoverOnAParameterShowsItsValueAtThatUse()
    {
        await using var client = await InProcessClient.StartAsync();
        await client.OpenAsync(ResNetUri, ResNet);
        // $planes in the Bottleneck's conv3: 64, 128, 256, 512 across the stages of ResNet50.
        var hover = await client.RequestAsync<Hover>("textDocument/hover", At(ResNetUri, TextAt.Find(ResNet, "filters: $planes * 4, k: 1 }", "filters: $".Length)));
        var text = hover.Contents.Value;
        Assert.Contains("`$planes` — parameter of block `Bottleneck`", text);
        var resnet50 = SpecCompiler.Compile(ResNetPath, ResNet).Models.Single(m => m.ClassName == "ResNet50");
        // The conv3 of each stage's first block has planes * 4 filters: the values of $planes there.
        var planes = resnet50.Layers.Where(r => Regex.IsMatch(r.Path, @"^layer\d\.\d+\.conv3$")).Select(r => r.Shape.Channels / 4).Distinct().ToList();
        Assert.Equal(4, planes.Count);
        Assert.Contains("**ResNet50**: " + string.Join(", ", planes.Select(p => $"`{p}`")), text);
    }

    [Fact]
    public async Task HoverOnABlockShowsItsDocParamsAndInstances()
    {
        await using var client = await InProcessClient.StartAsync(new { variant = "ResNet50" });
        await client.OpenAsync(ResNetUri, ResNet);
        var hover = await client.RequestAsync<Hover>("textDocument/hover", At(ResNetUri, TextAt.Find(ResNet, "  Bottleneck:", 3)));
        var text = hover.Contents.Value;
        Assert.Contains("C# class `Bottleneck`", text);
        Assert.Contains("1x1 reduce, 3x3", text);
        Assert.Contains("`stride` = `1`", text);
        var resnet50 = SpecCompiler.Compile(ResNetPath, ResNet).Models.Single(m => m.ClassName == "ResNet50");
        int instances = resnet50.Instances.Count(i => i.Block == "Bottleneck");
        Assert.Contains($"**ResNet50**: {instances} instance(s)", text);
        Assert.Contains("`layer1.0`", text);
    }

    [Fact]
    public async Task InlayHintsShowEachNodesOutputForTheSelectedVariantAndCanBeTurnedOff()
    {
        var everything = new Protocol.Range(new Position(0, 0), new Position(ResNet.Count(c => c == '\n') + 1, 0));
        var models = SpecCompiler.Compile(ResNetPath, ResNet).Models;
        foreach (var variant in new[] { "ResNet18", "WideResNet50_2" })
        {
            await using var client = await InProcessClient.StartAsync(new { variant });
            await client.OpenAsync(ResNetUri, ResNet);
            var hints = await client.RequestAsync<InlayHint[]>("textDocument/inlayHint", new InlayHintParams(new TextDocumentIdentifier(ResNetUri), everything));
            var model = models.Single(m => m.ClassName == variant);
            var fc = hints.Single(h => h.Position.Line == TextAt.Find(ResNet, "{ name: fc,").Line);
            Assert.Equal("→ " + model.OutputShape, fc.Label);
            var layer2 = hints.Single(h => h.Position.Line == TextAt.Find(ResNet, "{ name: layer2,").Line);
            Assert.Equal("→ " + model.Layers.Single(r => r.Path == "layer2").Shape, layer2.Label);
            Assert.Equal(ResNet.Split('\n')[fc.Position.Line].Length, fc.Position.Character);
        }

        await using var off = await InProcessClient.StartAsync(new { inlayHints = false });
        await off.OpenAsync(ResNetUri, ResNet);
        Assert.Empty(await off.RequestAsync<InlayHint[]>("textDocument/inlayHint", new InlayHintParams(new TextDocumentIdentifier(ResNetUri), everything)));
    }

    [Fact]
    public async Task GoToDefinitionOfUseTargetsParametersAndLets()
    {
        await using var client = await InProcessClient.StartAsync();
        await client.OpenAsync(ResNetUri, ResNet);
        async Task<Position> Definition(Position at) =>
            Assert.Single(await client.RequestAsync<Location[]>("textDocument/definition", At(ResNetUri, at))).Range.Start;

        Assert.Equal(TextAt.Find(ResNet, "  Layer:", 2), await Definition(TextAt.Find(ResNet, "use: Layer", 6)));
        Assert.Equal(TextAt.Find(ResNet, "let: { width:", 7), await Definition(TextAt.Find(ResNet, "filters: $width", 10)));
        Assert.Equal(TextAt.Find(ResNet, "params: [block, depths", "params: [block, ".Length), await Definition(TextAt.Find(ResNet, "$depths[$stage]", 1)));
        Assert.Equal(TextAt.Find(ResNet, "params: [planes, stage, stride]", 17), await Definition(TextAt.Find(ResNet, "$depths[$stage]", 9)));
    }

    [Fact]
    public async Task ReferencesOfABlockAreEveryPlaceItsNameIsUsed()
    {
        await using var client = await InProcessClient.StartAsync();
        await client.OpenAsync(ResNetUri, ResNet);
        var references = await client.RequestAsync<Location[]>("textDocument/references",
            new ReferenceParams(new TextDocumentIdentifier(ResNetUri), TextAt.Find(ResNet, "  Bottleneck:", 3), new ReferenceContext(true)));
        // The declaration and each variant whose args name it.
        var document = SpecCompiler.Parse(ResNetPath, ResNet, new List<InceptionDsl.Diagnostics.SpecDiagnostic>())!;
        int expected = 1 + document.Variants.Count(v => v.Args.Any(a => a.Value.Display == "Bottleneck"));
        Assert.True(expected > 1);
        Assert.Equal(expected, references.Length);
        Assert.All(references, r => Assert.Equal("Bottleneck", LineText(r.Range.Start.Line).Substring(r.Range.Start.Character, "Bottleneck".Length)));
    }

    private static string LineText(int line) => ResNet.Split('\n')[line];

    [Fact]
    public async Task RenamingABlockOrAParameterKeepsTheSpecCompilingToTheSameModels()
    {
        await using var client = await InProcessClient.StartAsync();
        await client.OpenAsync(ResNetUri, ResNet);
        var before = SpecCompiler.Compile(ResNetPath, ResNet).Models.Select(m => (m.ClassName, m.Parameters, m.Flops)).ToList();
        foreach (var (at, name) in new[]
        {
            (TextAt.Find(ResNet, "  Bottleneck:", 3), "Bottle"),
            (TextAt.Find(ResNet, "filters: $width,", "filters: $".Length), "bottleneck_width"),
            (TextAt.Find(ResNet, "params: [planes, stage, stride]", "params: [planes, ".Length), "stage_index"),
            (TextAt.Find(ResNet, "params: [block, depths, groups", "params: [block, depths, ".Length), "cardinality"),
        })
        {
            var edit = await client.RequestAsync<WorkspaceEdit>("textDocument/rename", new RenameParams(new TextDocumentIdentifier(ResNetUri), at, name));
            var renamed = TextAt.Apply(ResNet, edit.Changes[ResNetUri]);
            Assert.Contains(name, renamed);
            var result = SpecCompiler.Compile(ResNetPath, renamed);
            Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
            Assert.Equal(before, result.Models.Select(m => (m.ClassName, m.Parameters, m.Flops)).ToList());
        }
    }

    [Fact]
    public async Task CompletionOffersKeysKindsOptionsBlocksArgumentsAndParameters()
    {
        await using var client = await InProcessClient.StartAsync();
        async Task<string[]> Complete(string text, string needle, int offset)
        {
            var uri = "file:///tmp/unsaved/complete.inception.yaml";
            await client.OpenAsync(uri, text);
            var list = await client.RequestAsync<CompletionList>("textDocument/completion", At(uri, TextAt.Find(text, needle, offset)));
            return list.Items.Select(i => i.Label).ToArray();
        }

        var options = await Complete(ResNet.Replace("{ filters: 64, k: 7, stride: 2, pad: 3 }", "{ filters: 64, k: 7,  }"), "k: 7, ", 6);
        Assert.Contains("stride", options);
        Assert.Contains("dilation", options);

        var blocks = await Complete(ResNet.Replace("use: Layer, args: { planes: 64", "use: , args: { planes: 64"), "use: , args", 5);
        Assert.Equal(new[] { "BasicBlock", "Bottleneck", "Layer" }, blocks.Order());

        var arguments = await Complete(ResNet.Replace("args: { planes: 64, stage: 0, stride: 1 }", "args: { planes: 64,  }"), "planes: 64,  }", 12);
        Assert.Equal(new[] { "planes", "stage", "stride" }, arguments.Order());

        var variables = await Complete(ResNet.Replace("filters: $width, k: 1", "filters: $, k: 1"), "filters: $, k: 1", 10);
        Assert.Contains("width", variables);
        Assert.Contains("planes", variables);
        Assert.Contains("groups", variables);

        var top = await Complete(ResNet + "\n", "- { name: fc, linear: $classes }\n", "- { name: fc, linear: $classes }\n".Length);
        Assert.Contains("aux", top);
        Assert.Contains("defaults", top);

        var weightsSpec = ResNet + "\nweights:\n  - name: V1\n    \n";
        var weightsKeys = await Complete(weightsSpec, "  - name: V1\n    \n", "  - name: V1\n    ".Length);
        Assert.Contains("sha256", weightsKeys);
        Assert.Contains("interpolation", weightsKeys);

        var kinds = await Complete(ResNet.Replace("  - global_avgpool\n", "  - glo\n"), "  - glo", 7);
        Assert.Contains("global_avgpool", kinds);
        Assert.Contains("conv", kinds);
    }

    [Fact]
    public async Task DocumentSymbolsListBlocksStagesAndAuxHeads()
    {
        await using var client = await InProcessClient.StartAsync();
        var path = Repo.Spec("inception_v3");
        var text = File.ReadAllText(path);
        await client.OpenAsync(Repo.Uri(path), text);
        var symbols = await client.RequestAsync<DocumentSymbol[]>("textDocument/documentSymbol", new { textDocument = new TextDocumentIdentifier(Repo.Uri(path)) });
        var document = SpecCompiler.Parse(path, text, new List<InceptionDsl.Diagnostics.SpecDiagnostic>())!;
        var names = symbols.Select(s => s.Name).ToList();
        Assert.All(document.Blocks, b => Assert.Contains(b.Name, names));
        Assert.All(document.Aux, a => Assert.Contains(a.Name, names));
        Assert.All(document.Body.Where(n => n.Name is not null), n => Assert.Contains(n.Name!, names));
        var model = SpecCompiler.Compile(path, text).Models[0];
        var last = symbols.Single(s => s.Name == document.Body.Last(n => n.Name is not null).Name);
        Assert.EndsWith(model.OutputShape, last.Detail);
    }

    [Fact]
    public async Task ShutdownThenExitEndsWithZeroAndExitAloneWithOne()
    {
        await using (var client = await InProcessClient.StartAsync())
        {
            await client.OpenAsync(ResNetUri, ResNet);
            Assert.Equal(0, await client.ShutdownAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        }

        await using var rude = await InProcessClient.StartAsync();
        await rude.Rpc.NotifyAsync("exit");
        Assert.Equal(1, await rude.ServerTask.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task CancelledRequestsEndCancelledAndTheServerKeepsAnswering()
    {
        await using var client = await InProcessClient.StartAsync();
        await client.OpenAsync(ResNetUri, ResNet);
        var position = At(ResNetUri, TextAt.Find(ResNet, "conv: { filters: 64, k: 7", 1));
        int cancelled = 0, answered = 0;
        var requests = new List<Task>();
        for (int i = 0; i < 50; i++)
        {
            // A new version each time (a trailing comment), so the hover has the whole spec to analyse again
            // and the cancellation reaches the server while it works, however fast the machine is.
            await client.ChangeAsync(ResNetUri, ResNet + "\n# edit " + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
            using var cancel = new CancellationTokenSource();
            var request = client.RequestAsync<Hover>("textDocument/hover", position, cancel.Token);
            cancel.Cancel();
            try
            {
                await request.WaitAsync(TimeSpan.FromSeconds(30));
                answered++;
            }
            catch (OperationCanceledException)
            {
                cancelled++;
            }
        }

        Assert.Equal(50, cancelled + answered);
        Assert.True(cancelled > 0, "no request was cancelled");
        var hover = await client.RequestAsync<Hover>("textDocument/hover", position);
        Assert.Contains("conv1", hover.Contents.Value);
    }

    [Fact]
    public async Task RequestsForDocumentsNotOpenAnswerEmptyAndOtherFilesAreNotServed()
    {
        await using var client = await InProcessClient.StartAsync();
        await client.OpenAsync("file:///tmp/notes.yaml", ResNet);
        Assert.Null(await client.RequestAsync<Hover?>("textDocument/hover", At("file:///tmp/notes.yaml", new Position(0, 0))));
        Assert.Empty(await client.RequestAsync<Location[]>("textDocument/definition", At("file:///tmp/other.inception.yml", new Position(0, 0))));
        Assert.Equal(0, client.Server.OpenDocuments);
        await Assert.ThrowsAsync<RemoteMethodNotFoundException>(() => client.RequestAsync<object>("textDocument/noSuchThing", new { }));
    }
}
