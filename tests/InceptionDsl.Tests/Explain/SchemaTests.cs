using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using InceptionDsl.Cli.Explain;
using InceptionDsl.Syntax;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using Xunit;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace InceptionDsl.Tests.Explain;

public class SchemaTests
{
    private static string SchemaPath => Path.Combine(ExplainModels.SpecsDir, SpecSchema.FileName);

    private static IEnumerable<string> SpecFiles => Directory.EnumerateFiles(ExplainModels.SpecsDir, "*.inception.yaml").Order(StringComparer.Ordinal);

    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromJsonAsync(File.ReadAllText(SchemaPath)).GetAwaiter().GetResult());

    /// <summary>YAML to JSON the way YAML 1.2's core schema types plain scalars (numbers, booleans, null).</summary>
    private static JToken ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JObject(map.Children.Select(e => new JProperty(((YamlScalarNode)e.Key).Value!, ToJson(e.Value)))),
        YamlSequenceNode seq => new JArray(seq.Children.Select(ToJson)),
        YamlScalarNode { Style: ScalarStyle.Plain } s => Plain(s.Value ?? ""),
        YamlScalarNode s => new JValue(s.Value),
        _ => JValue.CreateNull(),
    };

    private static JToken Plain(string text)
    {
        if (text is "" or "~" or "null") return JValue.CreateNull();
        if (text is "true" or "false") return new JValue(text == "true");
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) return new JValue(n);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return new JValue(d);
        return new JValue(text);
    }

    private static ICollection<NJsonSchema.Validation.ValidationError> Validate(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return Schema.Value.Validate(ToJson(stream.Documents[0].RootNode));
    }

    [Fact]
    public void CommittedSchemaIsWhatTheSchemaCommandWrites()
    {
        Assert.Equal(SpecSchema.Text(), File.ReadAllText(SchemaPath).Replace("\r\n", "\n"));
    }

    [Fact]
    public void EverySpecPointsToTheSchemaAndValidates()
    {
        var files = SpecFiles.ToList();
        Assert.True(files.Count >= 7);
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            Assert.StartsWith("# yaml-language-server: $schema=inceptiondsl.schema.json", text);
            var errors = Validate(text);
            Assert.True(errors.Count == 0, Path.GetFileName(file) + ": " + string.Join("; ", errors.Select(e => $"{e.Path} {e.Kind} line {e.LineNumber}")));
        }
    }

    [Theory]
    [InlineData("bodyy:\n  - relu\n")]                                             // unknown top-level key
    [InlineData("body:\n  - { name: c, conv: { filters: 8, k: 3, kernel: 3 } }\n")] // unknown conv option
    [InlineData("body:\n  - { name: c, convv: { filters: 8 } }\n")]                // unknown node kind
    [InlineData("body:\n  - { conv: 8, relu: null }\n")]                           // two kinds in one node
    [InlineData("body:\n  - softmax\n")]                                            // unknown bare word
    [InlineData("body:\n  - residual: { body: [relu], scal: 0.1 }\n")]              // unknown residual key
    public void WrongSpecsFailValidation(string body)
    {
        var yaml = "model: T\ninput: { channels: 3, size: 32 }\n" + body;
        Assert.NotEmpty(Validate(yaml));
    }

    [Fact]
    public void ARightSpecPassesValidation()
    {
        var yaml = "model: T\ninput: { channels: 3, size: [32, 32] }\nclasses: 10\nblocks:\n  B:\n    params: [c, s: 1]\n    body:\n      - concat:\n          - { name: a, conv: { filters: $c, k: 1, bn: { eps: 0.001 } } }\n          - [ { name: b, conv: [$c] }, maxpool: 3 ]\nbody:\n  - { name: b0, use: B, args: [8] }\n  - global_avgpool\n  - { name: fc, linear: $classes }\n";
        var errors = Validate(yaml);
        Assert.True(errors.Count == 0, string.Join("; ", errors.Select(e => $"{e.Path} {e.Kind}")));
    }

    private static string[] ReaderKeys(string field)
    {
        var type = typeof(SpecCompiler).Assembly.GetType("InceptionDsl.Syntax.SpecReader")!;
        return (string[])type.GetField(field, BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Public)!.GetValue(null)!;
    }

    private static List<string> Keys(JsonNode? properties) => properties!.AsObject().Select(p => p.Key).ToList();

    [Fact]
    public void SchemaStaysInStepWithTheParser()
    {
        var schema = JsonNode.Parse(File.ReadAllText(SchemaPath))!;
        var definitions = schema["definitions"]!;

        Assert.Equal(ReaderKeys("TopKeys").Order(), Keys(schema["properties"]).Order());
        Assert.Equal(ReaderKeys("TopKeys"), SpecSchema.TopKeys);
        Assert.Equal(ReaderKeys("VariantKeys").Order(), Keys(schema["properties"]!["variants"]!["items"]!["properties"]).Order());
        Assert.Equal(ReaderKeys("BlockKeys").Order(), Keys(schema["properties"]!["blocks"]!["additionalProperties"]!["properties"]).Order());
        Assert.Equal(ReaderKeys("AuxKeys").Order(), Keys(schema["properties"]!["aux"]!["items"]!["properties"]).Order());
        Assert.Equal(ReaderKeys("InputKeys").Order(), Keys(schema["properties"]!["input"]!["properties"]).Order());
        Assert.Equal(ReaderKeys("AccuracyKeys").Order(), Keys(definitions["accuracy"]!["properties"]).Order());
        Assert.Equal(ReaderKeys("WeightsKeys").Order(), Keys(definitions["weights"]!["items"]!["properties"]).Order());

        // Node kinds and the keys every node may carry.
        var node = definitions["node"]!["anyOf"]![1]!;
        Assert.Equal(OpCatalog.NodeKeys.Concat(OpCatalog.OpKeys).Order(), Keys(node["properties"]).Order());
        Assert.Equal(OpCatalog.Ops.Count, node["oneOf"]!.AsArray().Count);
        // Options of every option-taking kind, the residual's keys, and defaults.
        foreach (var op in OpCatalog.Ops)
        {
            if (op.Shape == OpShape.Options)
                Assert.Equal(op.Options.Order(), Keys(definitions["options_" + op.Key]!["anyOf"]![1]!["properties"]).Order());
            if (op.Shape is OpShape.Residual or OpShape.Select)
                Assert.Equal(op.Options.Order(), Keys(node["properties"]![op.Key]!["properties"]).Order());
        }

        Assert.Equal(OpCatalog.Ops.Where(o => o.Shape == OpShape.Options && o.Options.Count > 0).Select(o => o.Key).Order(),
            Keys(schema["properties"]!["defaults"]!["properties"]).Order());
    }
}
