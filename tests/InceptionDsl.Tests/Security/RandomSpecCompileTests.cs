using System.Text;
using CsCheck;
using InceptionDsl.Syntax;
using InceptionDsl.Tests.Support;
using Xunit;

namespace InceptionDsl.Tests.Security;

/// <summary>
/// Accepted means it compiles: random specs (random blocks, branches, residuals, run-time switches, and
/// names from the whole allowed alphabet, edge names and C# keywords included) go through the real
/// generator driver; whenever a spec is accepted, its generated code compiles with no error and no
/// warning, and no spec makes the generator throw. A modest count in CI; scale with
/// <c>INCEPTIONDSL_PROPERTY_ITERATIONS</c> (10,000 recorded in docs/security.md).
/// </summary>
public sealed class RandomSpecCompileTests
{
    /// <summary>Node (state_dict) names at the alphabet's corners and next to generated names.</summary>
    private static readonly string[] EdgeSegments =
    [
        "_", "__", "__0", "0", "_0", "1", "class", "params", "this", "base", "var", "global", "value", "x", "input", "scope", "features",
        "shortcut", "residual", "aux", "auxOutputs", "computeAuxHeads", "child", "childName", "forward", "Fuse", "ParameterCount",
        "FlopCount", "ModelName", "FeatureInfos", "AuxHeadInfos", "ForwardWithAux", "_applyRelu", "_bnFolded", "FoldBatchNorms",
        "training", "Dispose", "branch0", "conv0", "inChannels", "numClasses", "torch", "System", "_scale0",
    ];

    /// <summary>Block parameter and let names: keywords, underscores, names that meet after the C# mapping.</summary>
    private static readonly string[] EdgeParameters =
    [
        "_", "a", "a_b", "aB", "class", "params", "var", "value", "global", "this", "x", "width", "in_", "channels", "on", "p0", "_p", "a__b",
    ];

    /// <summary>Block (type) names: valid identifiers, some taken by the generated code.</summary>
    private static readonly string[] EdgeTypes =
    [
        "A", "B", "_", "_A", "A_", "Block", "Class", "Params", "M", "Fuse", "ZooEntry", "BasicConv2d", "ModelZoo", "Unit", "X0", "System", "Module",
    ];

    private static Gen<string> Ident(string first, string rest, int maxRest) =>
        Gen.Select(Gen.Char[first], Gen.Char[rest].Array[0, maxRest], (f, r) => f + new string(r));

    private static readonly Gen<string> Segment = Gen.Frequency((2, Gen.OneOf(EdgeSegments)), (3, Ident("abcxyzABC_0123456789", "abcxyzABCXYZ_0123456789", 6)));
    private static readonly Gen<string> Parameter = Gen.Frequency((2, Gen.OneOf(EdgeParameters)), (2, Ident("abcxyz_", "abcxyzBXY_09", 5)));
    private static readonly Gen<string> TypeName = Gen.Frequency((1, Gen.OneOf(EdgeTypes)), (3, Ident("ABCXYZ_", "abcxyzABC_09", 5)));

    /// <summary>One node of a body, given the channels coming in; writes YAML and returns the channels going out.</summary>
    private sealed record Node(int Kind, string Name, int Filters, int Branches, bool Named);

    private static readonly Gen<Node> NodeGen = Gen.Select(Gen.Int[0, 5], Segment, Gen.Int[1, 12], Gen.Int[2, 3], Gen.Bool,
        (kind, name, filters, branches, named) => new Node(kind, name, filters, branches, named));

    /// <summary>A class block: its name, two parameters (a width and a switch), a let, and whether it has a residual with a run-time scale.</summary>
    private sealed record Block(string Name, string Width, string Switch, string Let, string Conv, string Bn, bool Residual, bool Scale);

    private static readonly Gen<Block> BlockGen = Gen.Select(TypeName, Parameter, Parameter, Parameter, Segment, Segment, Gen.Bool, Gen.Bool,
        (name, width, @switch, let, conv, bn, residual, scale) => new Block(name, width, @switch, let, conv, bn, residual, scale));

    private sealed record RandomSpec(string Model, Block[] Blocks, Node[] Body);

    private static readonly Gen<RandomSpec> SpecGen = Gen.Select(Gen.Frequency((4, Ident("ABCMN", "abcxyzABC_09", 6)), (1, Gen.OneOf("Model_", "_M", "X", "Net0"))),
        BlockGen.Array[0, 3], NodeGen.Array[1, 6], (model, blocks, body) => new RandomSpec(model, blocks, body));

    private static string Yaml(RandomSpec spec)
    {
        var text = new StringBuilder();
        text.Append("model: ").Append(spec.Model).Append("\ninput: { channels: 3, size: 16 }\nclasses: 10\n");
        var blocks = spec.Blocks.GroupBy(b => b.Name).Select(g => g.First()).ToList();
        if (blocks.Count > 0)
        {
            text.Append("blocks:\n");
            foreach (var block in blocks)
            {
                var width = block.Width;
                var @switch = block.Switch == width ? width + "_s" : block.Switch;
                // Distinct after the C# mapping, or the spec is (rightly) refused with IDSL016.
                var let = new[] { width, @switch }.Any(p => Identifiers.ToCamelCase(p) == Identifiers.ToCamelCase(block.Let)) ? "l_" + block.Let : block.Let;
                if (Identifiers.ToCamelCase(@switch) == Identifiers.ToCamelCase(width))
                    @switch = "s_" + @switch;
                text.Append("  ").Append(block.Name).Append(":\n");
                text.Append("    params: [").Append(width).Append(", ").Append(@switch).Append(": true]\n");
                text.Append("    let: { ").Append(let).Append(": $").Append(width).Append(" * 2 }\n");
                text.Append("    body:\n");
                var bn = block.Bn == block.Conv ? block.Bn + "_1" : block.Bn;
                if (block.Residual)
                {
                    text.Append("      - residual:\n");
                    if (block.Scale)
                        text.Append("          scale: $").Append(width).Append(" * 0.1\n");
                    text.Append("          body:\n");
                    text.Append("            - { name: \"").Append(block.Conv).Append("\", conv: { filters: $in_channels, k: 3, pad: 1 } }\n");
                    text.Append("            - { name: \"").Append(bn).Append("\", bn: {} }\n");
                }
                else
                {
                    text.Append("      - { name: \"").Append(block.Conv).Append("\", conv: { filters: $").Append(let).Append(", k: 3, pad: 1 } }\n");
                    text.Append("      - { name: \"").Append(bn).Append("\", bn: {} }\n");
                }

                text.Append("      - { relu: {}, if: $").Append(@switch).Append(" }\n");
            }
        }

        text.Append("body:\n");
        text.Append("  - { name: stem, conv: { filters: 8, k: 3, pad: 1 } }\n");
        var names = new HashSet<string> { "stem", "pool", "head" };
        string Unique(string name)
        {
            var candidate = name;
            for (int i = 1; !names.Add(candidate); i++)
                candidate = name + "_" + i;
            return candidate;
        }

        int index = 0;
        foreach (var node in spec.Body)
        {
            var name = Unique(node.Name);
            var nameField = node.Named ? $"name: \"{name}\", " : "";
            switch (node.Kind)
            {
                case 0:
                    text.Append($"  - {{ {nameField}conv: {{ filters: {node.Filters}, k: 1 }} }}\n");
                    break;
                case 1:
                    text.Append($"  - {{ {nameField}relu: {{}} }}\n");
                    break;
                case 2 when blocks.Count > 0:
                    var block = blocks[index % blocks.Count];
                    text.Append($"  - {{ name: \"{name}\", use: {block.Name}, args: [{node.Filters}] }}\n");
                    break;
                case 3:
                    text.Append($"  - name: \"{name}\"\n    concat:\n");
                    var branchNames = new HashSet<string>();
                    for (int b = 0; b < node.Branches; b++)
                    {
                        var branch = b == 0 ? name : b == 1 ? "branch" + b : spec.Body[(index + b) % spec.Body.Length].Name;
                        if (!branchNames.Add(branch))
                            branch += "_" + b;
                        branchNames.Add(branch);
                        text.Append($"      - name: \"{branch}\"\n        seq:\n          - conv: {{ filters: {node.Filters + b}, k: 1 }}\n          - relu\n");
                    }

                    break;
                case 4:
                    // A residual's body and shortcut nodes are its siblings in the state_dict.
                    text.Append($"  - name: \"{name}\"\n    residual:\n      body:\n        - {{ name: \"{Unique(node.Name)}\", conv: {{ filters: 8, k: 3, pad: 1 }} }}\n");
                    text.Append($"      shortcut: {{ name: \"{Unique("sc")}\", conv: {{ filters: 8, k: 1 }} }}\n");
                    break;
                default:
                    text.Append($"  - {{ name: \"{name}\", maxpool: {{ k: 3, stride: 1, pad: 1 }} }}\n");
                    break;
            }

            index++;
        }

        text.Append("  - { name: pool, global_avgpool: {} }\n  - { name: head, linear: $classes }\n");
        return text.ToString();
    }

    /// <summary>Specs generated and compiled together: one compilation's fixed cost serves several models.</summary>
    private const int Batch = 10;

    [Fact]
    public void EveryAcceptedRandomSpecCompilesWithoutErrorsOrWarnings()
    {
        int accepted = 0, total = 0;
        var refusals = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        int batches = (PropertyIterations.Scaled(40) + Batch - 1) / Batch;
        SpecGen.Array[Batch].Sample(specs =>
        {
            // Distinct model names (ignoring case), so the specs of a batch are independent.
            var files = specs.Select((spec, i) => ($"random{i}.inception.yaml", Yaml(spec with { Model = spec.Model + "_" + i }))).ToArray();
            var (run, output) = GeneratorHarness.Run(files);
            Assert.All(run.Results, r => Assert.Null(r.Exception));
            Assert.DoesNotContain(run.Diagnostics, d => d.Id is "CS8785" or "AD0001" or "IDSL099");
            var refused = run.Diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error)
                .GroupBy(d => d.Location.GetLineSpan().Path).ToList();
            foreach (var refusal in refused)
                refusals.AddOrUpdate(refusal.First().Id + " " + refusal.First().GetMessage(), 1, (_, n) => n + 1);
            Interlocked.Add(ref total, files.Length);
            Interlocked.Add(ref accepted, files.Length - refused.Count);
            var problems = GeneratorHarness.CompileProblems(output);
            Assert.True(problems.Count == 0, string.Join("\n", problems.Take(10)) + "\n" + string.Join("\n---\n", files.Select(f => f.Item2)));
        }, iter: batches, threads: 1);
        // The generator mostly makes valid specs: the property is about accepted ones.
        Assert.True(accepted * 2 >= total, $"only {accepted} of {total} random specs were accepted; refusals:\n" + string.Join("\n", refusals.Select(r => $"{r.Value} x {r.Key}")));
        Console.WriteLine($"random specs: {accepted} of {total} accepted, each compiled with no error or warning; refusals: {refusals.Values.Sum()} ({string.Join(", ", refusals.Keys.Select(k => k[..7]).Distinct())})");
    }
}
