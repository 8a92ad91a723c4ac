using System.Text.Json;
using System.Text.Json.Nodes;
using InceptionDsl.Syntax;

namespace InceptionDsl.Cli.Explain;

/// <summary>
/// The JSON Schema (draft-07) of the spec format, for editor completion and validation. Node kinds
/// and their options come from <see cref="OpCatalog"/>; the document keys are the ones SpecReader
/// accepts (a test keeps the two in step). Expressions (<c>$param</c>, <c>$a * 2</c>) are strings
/// wherever a number is expected, so option values accept numbers, strings, booleans and lists.
/// The committed copy is specs/inceptiondsl.schema.json.
/// </summary>
public static class SpecSchema
{
    public const string FileName = "inceptiondsl.schema.json";

    /// <summary>
    /// The schema's stable identity: a name (URN), not a download address, so it never points nowhere;
    /// editors find the file through the spec's modeline (docs/language.md, "Editor schema").
    /// </summary>
    public const string Id = "urn:inceptiondsl:spec-schema:v1";

    public static readonly string[] TopKeys = LanguageCatalog.Names(LanguageCatalog.TopKeys);
    public static readonly string[] VariantKeys = LanguageCatalog.Names(LanguageCatalog.VariantKeys);
    public static readonly string[] BlockKeys = LanguageCatalog.Names(LanguageCatalog.BlockKeys);
    public static readonly string[] AuxKeys = LanguageCatalog.Names(LanguageCatalog.AuxKeys);

    public static string Text() => Build().ToJsonString(new JsonSerializerOptions { WriteIndented = true }).Replace("\r\n", "\n") + "\n";

    private static JsonObject Ref(string name) => new() { ["$ref"] = "#/definitions/" + name };

    private static JsonObject Desc(JsonObject schema, string description)
    {
        schema["description"] = description;
        return schema;
    }

    private static JsonArray Types(params string[] types) => new(types.Select(t => (JsonNode)JsonValue.Create(t)!).ToArray());

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(t => (JsonNode)JsonValue.Create(t)!).ToArray());

    public static JsonObject Build()
    {
        var definitions = new JsonObject
        {
            ["expr"] = new JsonObject { ["description"] = "A number, a boolean, a list, or an expression string such as $planes * 4.", ["type"] = Types("number", "integer", "string", "boolean", "array") },
            ["name"] = new JsonObject { ["type"] = "string", ["pattern"] = "^[A-Za-z_][A-Za-z0-9_{}]*$" },
            ["member_name"] = new JsonObject
            {
                ["type"] = "string", ["pattern"] = "^[^.\\s]+$",
                ["description"] = "A state_dict segment: any text without dots or spaces; {expression} parts are replaced by their value, i the repeat index (block{i+4}).",
            },
            ["accuracy"] = new JsonObject
            {
                ["type"] = "object", ["additionalProperties"] = false,
                ["properties"] = new JsonObject { ["top1"] = new JsonObject { ["type"] = "number" }, ["top5"] = new JsonObject { ["type"] = "number" } },
            },
            ["params"] = new JsonObject
            {
                ["description"] = "Parameters: names, or single-key mappings name: default.",
                ["type"] = "array",
                ["items"] = new JsonObject { ["anyOf"] = new JsonArray(Ref("name"), new JsonObject { ["type"] = "object", ["minProperties"] = 1, ["maxProperties"] = 1, ["additionalProperties"] = Ref("expr") }) },
            },
            ["args"] = new JsonObject
            {
                ["description"] = "Block or variant arguments: positional (a list) or named (a mapping).",
                ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "array" }, new JsonObject { ["type"] = "object", ["additionalProperties"] = Ref("expr") }),
            },
            ["weights"] = WeightsSchema(),
            ["nodes"] = new JsonObject { ["type"] = "array", ["items"] = Ref("node") },
            ["node"] = BuildNode(),
        };

        foreach (var op in OpCatalog.Ops.Where(o => o.Shape == OpShape.Options))
            definitions["options_" + op.Key] = Options(op);

        var variant = new JsonObject
        {
            ["type"] = "object", ["additionalProperties"] = false, ["required"] = Strings(new[] { "model" }),
            ["properties"] = new JsonObject
            {
                ["model"] = Ref("name"), ["args"] = Ref("args"), ["paper"] = new JsonObject { ["type"] = "string" }, ["peer"] = new JsonObject { ["type"] = "string" },
                ["accuracy"] = Ref("accuracy"), ["notes"] = new JsonObject { ["type"] = "string" }, ["reference"] = new JsonObject { ["type"] = "string" },
                ["classes"] = Desc(Ref("expr"), "This variant's class count (may use the family's parameters); default: the spec's classes."),
                ["input"] = Desc(InputSchema(), "This variant's input; default: the spec's input."),
                ["weights"] = Ref("weights"),
            },
        };
        var defaults = new JsonObject { ["type"] = "object", ["additionalProperties"] = false, ["properties"] = new JsonObject() };
        foreach (var op in OpCatalog.Ops.Where(o => o.Shape == OpShape.Options && o.Options.Count > 0))
            ((JsonObject)defaults["properties"]!)[op.Key] = new JsonObject { ["type"] = "object", ["additionalProperties"] = false, ["properties"] = OptionProperties(op) };
        var block = new JsonObject
        {
            ["type"] = "object", ["additionalProperties"] = false, ["required"] = Strings(new[] { "body" }),
            ["properties"] = new JsonObject
            {
                ["params"] = Ref("params"),
                ["let"] = new JsonObject { ["type"] = "object", ["additionalProperties"] = Ref("expr"), ["description"] = "Locals computed once: name: expression." },
                ["body"] = Ref("nodes"),
                ["inline"] = new JsonObject { ["type"] = "boolean", ["description"] = "true: a template expanded in place instead of a class." },
                ["doc"] = new JsonObject { ["type"] = "string" },
            },
        };
        var aux = new JsonObject
        {
            ["type"] = "object", ["additionalProperties"] = false, ["required"] = Strings(new[] { "name", "at", "use" }),
            ["properties"] = new JsonObject
            {
                ["name"] = Ref("name"), ["at"] = Desc(new JsonObject { ["type"] = "string" }, "The top-level node whose output the head reads."),
                ["use"] = Desc(new JsonObject { ["type"] = "string" }, "The block that makes the head."), ["args"] = Ref("args"),
                ["weight"] = Desc(new JsonObject { ["type"] = "number" }, "Loss weight in training."),
                ["register_after"] = Desc(new JsonObject { ["type"] = "string" }, "Place the head's parameters after this node in the state_dict."),
                ["if"] = Ref("expr"),
            },
        };

        var schema = new JsonObject
        {
            ["$schema"] = "http://json-schema.org/draft-07/schema#",
            ["$id"] = Id,
            ["title"] = "InceptionDsl spec (*.inception.yaml)",
            ["description"] = "A convolutional network declared in YAML and compiled to TorchSharp modules by the InceptionDsl source generator.",
            ["type"] = "object",
            ["additionalProperties"] = false,
            ["required"] = Strings(new[] { "input", "body" }),
            ["anyOf"] = new JsonArray(new JsonObject { ["required"] = Strings(new[] { "model" }) }, new JsonObject { ["required"] = Strings(new[] { "variants" }) }),
            ["properties"] = new JsonObject
            {
                ["$schema"] = new JsonObject { ["type"] = "string" },
                ["model"] = Desc(Ref("name"), "The C# class name of the model (or use variants)."),
                ["paper"] = new JsonObject { ["type"] = "string" },
                ["peer"] = Desc(new JsonObject { ["type"] = "string" }, "The implementation whose layout and state_dict names the spec follows."),
                ["accuracy"] = Ref("accuracy"),
                ["notes"] = new JsonObject { ["type"] = "string" },
                ["reference"] = Desc(new JsonObject { ["type"] = "string" }, "Id of the reference file (models/<id>.json)."),
                ["input"] = InputSchema(),
                ["classes"] = Ref("expr"),
                ["params"] = Ref("params"),
                ["variants"] = new JsonObject { ["type"] = "array", ["items"] = variant },
                ["defaults"] = defaults,
                ["blocks"] = new JsonObject { ["type"] = "object", ["additionalProperties"] = block },
                ["body"] = Ref("nodes"),
                ["aux"] = new JsonObject { ["type"] = "array", ["items"] = aux },
                ["weights"] = Ref("weights"),
            },
            ["definitions"] = definitions,
        };
        DescribeFromCatalog(schema);
        return schema;
    }

    /// <summary>A key's description as the schema shows it: what it means, then its type and default.</summary>
    public static string Description(KeyInfo key) => $"{key.Description} ({key.Type}{(key.Default is null ? "" : "; default: " + key.Default)})";

    /// <summary>Every key's description and default, from the language catalog (LanguageCatalog).</summary>
    private static void DescribeFromCatalog(JsonObject schema)
    {
        void Describe(JsonNode? properties, IEnumerable<KeyInfo> keys)
        {
            foreach (var key in keys)
                if (properties?[key.Name] is JsonObject property)
                    property["description"] = Description(key);
        }

        var definitions = schema["definitions"]!;
        Describe(schema["properties"], LanguageCatalog.TopKeys);
        Describe(schema["properties"]!["variants"]!["items"]!["properties"], LanguageCatalog.VariantKeys);
        Describe(schema["properties"]!["blocks"]!["additionalProperties"]!["properties"], LanguageCatalog.BlockKeys);
        Describe(schema["properties"]!["aux"]!["items"]!["properties"], LanguageCatalog.AuxKeys);
        Describe(schema["properties"]!["input"]!["properties"], LanguageCatalog.InputKeys);
        Describe(schema["properties"]!["variants"]!["items"]!["properties"]!["input"]!["properties"], LanguageCatalog.InputKeys);
        Describe(definitions["accuracy"]!["properties"], LanguageCatalog.AccuracyKeys);
        Describe(definitions["weights"]!["items"]!["properties"], LanguageCatalog.WeightsKeys);
        var node = definitions["node"]!["anyOf"]![1]!["properties"]!;
        Describe(node, LanguageCatalog.NodeKeys);
        Describe(node["residual"]!["properties"], LanguageCatalog.ResidualKeys);
        Describe(node["select"]!["properties"], LanguageCatalog.SelectKeys);
        foreach (var (op, options) in LanguageCatalog.Options)
        {
            Describe(definitions["options_" + op]?["anyOf"]?[1]?["properties"], options);
            Describe(schema["properties"]!["defaults"]!["properties"]![op]?["properties"], options);
        }
    }

    /// <summary>A model's published weights: a list of entries with the file, its hash and its facts (SpecReader checks the values).</summary>
    private static JsonObject WeightsSchema()
    {
        JsonObject Text() => new() { ["type"] = "string" };
        JsonObject Numbers() => new() { ["type"] = "array", ["minItems"] = 1, ["items"] = new JsonObject { ["type"] = "number" } };
        JsonObject Percent() => new() { ["type"] = "number", ["minimum"] = 0, ["maximum"] = 100 };
        var entry = new JsonObject
        {
            ["type"] = "object", ["additionalProperties"] = false,
            ["required"] = Strings(new[] { "name", "file", "sha256", "source", "license", "mean", "std" }),
            ["properties"] = new JsonObject
            {
                ["name"] = Ref("name"),
                ["file"] = Text(),
                ["sha256"] = new JsonObject { ["type"] = "string", ["pattern"] = "^[0-9A-Fa-f]{8,64}$" },
                ["source"] = Text(),
                ["license"] = Text(),
                ["mean"] = Numbers(),
                ["std"] = Numbers(),
                ["size"] = new JsonObject { ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "integer", ["minimum"] = 1 }, new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1 }, ["minItems"] = 2, ["maxItems"] = 2 }) },
                ["crop"] = new JsonObject { ["type"] = "number", ["exclusiveMinimum"] = 0, ["maximum"] = 1 },
                ["interpolation"] = new JsonObject { ["enum"] = Strings(InceptionDsl.Syntax.SpecReader.Interpolations) },
                ["top1"] = Percent(),
                ["top5"] = Percent(),
                ["cite"] = Text(),
            },
        };
        return new JsonObject { ["type"] = "array", ["items"] = entry };
    }

    /// <summary>The input a model is checked for: channels and spatial size.</summary>
    private static JsonObject InputSchema() => new()
    {
        ["type"] = "object", ["additionalProperties"] = false, ["required"] = Strings(new[] { "channels", "size" }),
        ["properties"] = new JsonObject
        {
            ["channels"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1 },
            ["size"] = new JsonObject { ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "integer", ["minimum"] = 1 }, new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1 }, ["minItems"] = 2, ["maxItems"] = 2 }) },
        },
    };

    private static JsonObject OptionProperties(OpInfo op)
    {
        var properties = new JsonObject();
        foreach (var option in op.Options)
            properties[option] = option == "bn"
                ? new JsonObject { ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "boolean" }, new JsonObject { ["type"] = "object", ["additionalProperties"] = false, ["properties"] = new JsonObject { ["eps"] = Ref("expr"), ["momentum"] = Ref("expr") } }) }
                : Ref("expr");
        return properties;
    }

    /// <summary>An option-taking kind: a mapping of its options, a scalar or list for its shorthand option, or nothing.</summary>
    private static JsonObject Options(OpInfo op)
    {
        var forms = new JsonArray(new JsonObject { ["type"] = "null" }, new JsonObject { ["type"] = "object", ["additionalProperties"] = false, ["properties"] = OptionProperties(op) });
        if (op.ShorthandOption is not null)
            forms.Add(new JsonObject { ["type"] = Types("number", "integer", "string", "boolean", "array"), ["description"] = $"shorthand for {op.ShorthandOption}" });
        return new JsonObject { ["description"] = op.Description, ["anyOf"] = forms };
    }

    private static JsonObject BuildNode()
    {
        var properties = new JsonObject
        {
            ["name"] = Desc(Ref("member_name"), "The state_dict segment ({i} is the repeat index, {i+4} an expression of it)."),
            ["repeat"] = Desc(Ref("expr"), "Repeat the node this many times."),
            ["if"] = Desc(Ref("expr"), "Create the node only when this holds."),
            ["doc"] = new JsonObject { ["type"] = "string" },
            ["args"] = Ref("args"),
        };
        foreach (var op in OpCatalog.Ops)
        {
            properties[op.Key] = op.Shape switch
            {
                OpShape.Options => Ref("options_" + op.Key),
                OpShape.NodeList => Desc(Ref("nodes"), op.Description),
                OpShape.Branches => Desc(new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["anyOf"] = new JsonArray(Ref("node"), Ref("nodes")) } }, op.Description),
                OpShape.Residual => Desc(new JsonObject
                {
                    ["type"] = "object", ["additionalProperties"] = false, ["required"] = Strings(new[] { "body" }),
                    ["properties"] = new JsonObject
                    {
                        ["body"] = Desc(Ref("nodes"), "The nodes of the residual branch."),
                        ["shortcut"] = Desc(new JsonObject { ["anyOf"] = new JsonArray(Ref("node"), Ref("nodes")) }, "The shortcut: a node, a list of nodes (each may have its own 'if'), or the word identity (the default)."),
                        ["scale"] = Desc(Ref("expr"), "The body's output is multiplied by this before the add (default 1)."),
                        ["shortcut_first"] = Desc(new JsonObject { ["type"] = "boolean" }, "Register the shortcut's modules before the body's (state_dict order, as timm's Xception); default false."),
                        ["drop_path"] = Desc(Ref("expr"), "Stochastic depth rate of the body in training (row mode, as torchvision's StochasticDepth); default 0."),
                        ["add"] = Desc(Ref("expr"), "Whether the shortcut is added (default true); false makes the node its body alone (torchvision's use_res_connect)."),
                    },
                }, op.Description),
                OpShape.Select => Desc(new JsonObject
                {
                    ["type"] = "object", ["additionalProperties"] = false, ["required"] = Strings(new[] { "paths", "attn" }),
                    ["properties"] = new JsonObject
                    {
                        ["paths"] = Ref("nodes"),
                        ["attn"] = Ref("nodes"),
                        ["split"] = Ref("expr"),
                    },
                }, op.Description),
                _ => Desc(new JsonObject { ["type"] = "string" }, op.Description),
            };
        }

        var exactlyOne = new JsonArray(OpCatalog.Ops.Select(op => (JsonNode)new JsonObject { ["required"] = Strings(new[] { op.Key }) }).ToArray());
        return new JsonObject
        {
            ["description"] = "A node: a mapping with one kind key (conv, bn, relu, ..., use) and optional name, repeat, if, doc, args; or a bare kind word such as relu.",
            ["anyOf"] = new JsonArray(
                new JsonObject { ["type"] = "string", ["enum"] = Strings(OpCatalog.Ops.Where(o => o.Shape == OpShape.Options).Select(o => o.Key)) },
                new JsonObject { ["type"] = "object", ["additionalProperties"] = false, ["properties"] = properties, ["oneOf"] = exactlyOne }),
        };
    }
}
