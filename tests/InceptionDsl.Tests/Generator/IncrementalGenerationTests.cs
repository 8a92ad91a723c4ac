using System.Collections.Immutable;
using InceptionDsl.Generator;
using InceptionDsl.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace InceptionDsl.Tests.Generator;

/// <summary>
/// The generator driven twice with step tracking on: the second run must redo only what an edit
/// touches. Step names are <see cref="InceptionGenerator.Steps"/>.
/// </summary>
public sealed class IncrementalGenerationTests
{
    private static readonly IncrementalStepRunReason[] Reused = { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged };

    private static string Tiny(string model, int width) => $$"""
        # {{model}}: a small spec for incrementality tests
        model: {{model}}
        input: { channels: 3, size: 32 }
        classes: 10
        defaults:
          conv: { bias: false, bn: { eps: 0.001 }, act: relu }
        blocks:
          Mixed:
            params: [a, b]
            body:
              - concat:
                  - { name: left, conv: { filters: $a, k: 1 } }
                  - name: right
                    seq:
                      - conv: { filters: $b, k: 1 }
                      - conv: { filters: $b, k: 3, pad: 1 }
        body:
          - { name: stem, conv: { filters: {{width}}, k: 3, stride: 2, pad: 1 } }
          - { name: mixed, use: Mixed, args: { a: 8, b: 12 } }
          - global_avgpool
          - { name: fc, linear: $classes }
        """;

    private static readonly (string Path, string Text)[] Specs =
    {
        ("/specs/alpha.inception.yaml", Tiny("AlphaNet", 16)),
        ("/specs/beta.inception.yaml", Tiny("BetaNet", 16)),
        ("/specs/gamma.inception.yaml", Tiny("GammaNet", 16)),
    };

    private sealed class State(GeneratorDriver driver, Compilation compilation, ImmutableArray<AdditionalText> texts)
    {
        public GeneratorDriver Driver { get; set; } = driver;
        public Compilation Compilation { get; set; } = compilation;
        public ImmutableArray<AdditionalText> Texts { get; set; } = texts;

        public GeneratorRunResult Result => Driver.GetRunResult().Results.Single();

        public GeneratorRunResult Run()
        {
            Driver = Driver.RunGenerators(Compilation);
            return Result;
        }

        public GeneratorRunResult Edit(string path, Func<string, string> edit)
        {
            var old = Texts.Single(t => t.Path == path);
            var replacement = new InMemoryAdditionalText(path, edit(old.GetText()!.ToString()));
            Driver = Driver.ReplaceAdditionalText(old, replacement);
            Texts = Texts.Replace(old, replacement);
            return Run();
        }
    }

    private static State Start(params (string Path, string Text)[] specs)
    {
        var texts = specs.Select(s => (AdditionalText)new InMemoryAdditionalText(s.Path, s.Text)).ToImmutableArray();
        var state = new State(GeneratorHarness.CreateDriver(trackSteps: true).AddAdditionalTexts(texts),
            CSharpCompilation.Create("Incremental", new[] { CSharpSyntaxTree.ParseText("class Existing { }") }), texts);
        var first = state.Run();
        Assert.Null(first.Exception);
        Assert.Empty(first.Diagnostics);
        return state;
    }

    /// <summary>The reasons of one step's outputs, per spec path where the value names one.</summary>
    private static IEnumerable<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorRunResult run, string step) =>
        run.TrackedSteps[step].SelectMany(s => s.Outputs);

    private static string? PathOf(object value) => value switch
    {
        (string path, string) => path,
        SpecResult result => result.Path,
        InceptionGenerator.SpecOutput output => output.Path,
        _ => null,
    };

    /// <summary>The run reasons of the source output steps (the calls that add sources and report diagnostics).</summary>
    private static List<IncrementalStepRunReason> OutputReasons(GeneratorRunResult run) =>
        run.TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();

    [Fact]
    public void EveryPipelineStepHasATrackingName()
    {
        var state = Start(Specs);
        foreach (var name in InceptionGenerator.Steps.All)
            Assert.True(state.Result.TrackedSteps.ContainsKey(name), "no tracked step " + name);
    }

    [Fact]
    public void EditingOneSpecRegeneratesThatSpecAlone()
    {
        var state = Start(Specs);
        var before = state.Result.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());
        var run = state.Edit("/specs/beta.inception.yaml", t => t.Replace("filters: 16,", "filters: 24,", StringComparison.Ordinal));
        Assert.Null(run.Exception);

        foreach (var step in new[] { InceptionGenerator.Steps.Specs, InceptionGenerator.Steps.Compiled, InceptionGenerator.Steps.Emitted })
        {
            var outputs = Outputs(run, step).Select(o => (Path: PathOf(o.Value), o.Reason)).ToList();
            Assert.Equal(3, outputs.Count);
            Assert.All(outputs.Where(o => o.Path != "/specs/beta.inception.yaml"), o => Assert.Contains(o.Reason, Reused));
            Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(outputs, o => o.Path == "/specs/beta.inception.yaml").Reason);
        }

        // The model owners did not change, so the other specs' emit inputs are unchanged.
        Assert.All(Outputs(run, InceptionGenerator.Steps.Models), o => Assert.Equal(IncrementalStepRunReason.Unchanged, o.Reason));

        var after = run.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());
        Assert.NotEqual(before["BetaNet.g.cs"], after["BetaNet.g.cs"]);
        Assert.Equal(before["AlphaNet.g.cs"], after["AlphaNet.g.cs"]);
        Assert.Equal(before["GammaNet.g.cs"], after["GammaNet.g.cs"]);
    }

    [Fact]
    public void EditingAZooSpecRegeneratesThatSpecAlone()
    {
        var zoo = GeneratorHarness.ZooSpecs();
        var state = Start(zoo);
        var edited = zoo.First(s => s.Text.Contains("eps: 0.001", StringComparison.Ordinal)).Path;
        var run = state.Edit(edited, t => t.Replace("eps: 0.001", "eps: 0.002", StringComparison.Ordinal));
        var emitted = Outputs(run, InceptionGenerator.Steps.Emitted).ToList();
        Assert.Equal(zoo.Length, emitted.Count);
        Assert.Equal(IncrementalStepRunReason.Modified, emitted.Single(o => PathOf(o.Value) == edited).Reason);
        Assert.All(emitted.Where(o => PathOf(o.Value) != edited), o => Assert.Contains(o.Reason, Reused));
    }

    [Fact]
    public void EditingAnUnrelatedCSharpFileRegeneratesNothing()
    {
        var state = Start(Specs);
        var oldTree = state.Compilation.SyntaxTrees.Single();
        state.Compilation = state.Compilation.ReplaceSyntaxTree(oldTree, CSharpSyntaxTree.ParseText("class Existing { int changed; }"))
            .AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Another { }"));
        var run = state.Run();
        foreach (var step in InceptionGenerator.Steps.All)
            Assert.All(Outputs(run, step), o => Assert.Contains(o.Reason, Reused));
        Assert.NotEmpty(OutputReasons(run));
        Assert.All(OutputReasons(run), r => Assert.Contains(r, Reused));
    }

    [Theory]
    [InlineData("whitespace")]
    [InlineData("comment")]
    [InlineData("blank lines")]
    public void AWhitespaceOrCommentEditLeavesTheOutputUnchanged(string kind)
    {
        var state = Start(Specs);
        var before = state.Result.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());
        Func<string, string> edit = kind switch
        {
            "whitespace" => t => t.Replace("{ name: stem, conv:", "{ name:   stem,    conv:", StringComparison.Ordinal),
            "comment" => t => t.Replace("classes: 10", "classes: 10   # ten classes", StringComparison.Ordinal) + "\n# trailing note\n",
            _ => t => "\n\n# header\n\n" + t,
        };
        var run = state.Edit("/specs/gamma.inception.yaml", edit);

        // The text changed...
        Assert.Equal(IncrementalStepRunReason.Modified, Outputs(run, InceptionGenerator.Steps.Specs).Single(o => PathOf(o.Value) == "/specs/gamma.inception.yaml").Reason);
        // ...the emitted C# did not, so no source output is redone.
        Assert.All(Outputs(run, InceptionGenerator.Steps.Emitted), o => Assert.Contains(o.Reason, Reused));
        Assert.NotEmpty(OutputReasons(run));
        Assert.All(OutputReasons(run), r => Assert.Contains(r, Reused));
        Assert.Equal(before, run.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString()));
    }

    [Fact]
    public void ASecondRunWithNoEditRedoesNothing()
    {
        var state = Start(GeneratorHarness.ZooSpecs());
        var run = state.Run();
        foreach (var step in InceptionGenerator.Steps.All)
            Assert.All(Outputs(run, step), o => Assert.Contains(o.Reason, Reused));
    }
}
