using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Diagnostics;
using InceptionDsl.Expressions;
using InceptionDsl.Text;

namespace InceptionDsl.Syntax;

/// <summary>
/// Turns a YAML tree into a <see cref="SpecDocument"/>: checks keys (with did-you-mean), types and
/// required fields, and parses every value into an expression. Reports as much as it can in one
/// pass and returns null when the spec cannot be used.
/// </summary>
public sealed partial class SpecReader
{
    // The keys each mapping accepts: the language catalog's (the schema and docs/language.md are written from it).
    private static readonly string[] TopKeys = LanguageCatalog.Names(LanguageCatalog.TopKeys);
    private static readonly string[] VariantKeys = LanguageCatalog.Names(LanguageCatalog.VariantKeys);
    private static readonly string[] BlockKeys = LanguageCatalog.Names(LanguageCatalog.BlockKeys);
    private static readonly string[] AuxKeys = LanguageCatalog.Names(LanguageCatalog.AuxKeys);
    private static readonly string[] AccuracyKeys = LanguageCatalog.Names(LanguageCatalog.AccuracyKeys);
    private static readonly string[] InputKeys = LanguageCatalog.Names(LanguageCatalog.InputKeys);
    private static readonly string[] ResidualKeys = LanguageCatalog.Names(LanguageCatalog.ResidualKeys);
    private static readonly string[] SelectKeys = LanguageCatalog.Names(LanguageCatalog.SelectKeys);

    private readonly string _path;
    private readonly List<SpecDiagnostic> _diagnostics;
    private int _errorsAtStart;

    private SpecReader(string path, List<SpecDiagnostic> diagnostics)
    {
        _path = path;
        _diagnostics = diagnostics;
    }

    /// <summary>Reads a spec's text. Diagnostics go to <paramref name="diagnostics"/>.</summary>
    public static SpecDocument? Read(string path, string text, List<SpecDiagnostic> diagnostics)
    {
        var root = YamlTreeReader.Read(path, text, diagnostics);
        if (root is null)
            return null;
        var reader = new SpecReader(path, diagnostics) { _errorsAtStart = diagnostics.Count(d => d.Severity == SpecSeverity.Error) };
        var document = reader.ReadDocument(root);
        return diagnostics.Count(d => d.Severity == SpecSeverity.Error) > reader._errorsAtStart ? null : document;
    }

    private SpecDocument? ReadDocument(YNode root)
    {
        if (root is not YMapping map)
        {
            Report(Descriptors.WrongType.Create(root.Span, "the spec", "a mapping with 'model', 'input', 'body', ...", root.KindName));
            return null;
        }

        CheckKeys(map, TopKeys, "the spec");
        var metadata = ReadMetadata(map);
        var input = ReadInput(map);
        var classes = map.Get("classes") is { } classesNode ? ReadExpr(classesNode, "classes") : new LiteralExpr(1000L, map.Span);

        var modelNode = map.Get("model");
        var variantsNode = map.Get("variants");
        var variants = new List<VariantDecl>();
        if (variantsNode is not null)
        {
            if (modelNode is not null)
                Report(Descriptors.BadNode.Create(modelNode.Span, "A spec names its model either with 'model' or with 'variants', not both"));
            if (map.Get("weights") is { } familyWeights)
                Report(Descriptors.BadNode.Create(familyWeights.Span, "A family lists its weights per variant: move 'weights' into the variant the files belong to"));
            foreach (var item in Items(variantsNode, "variants"))
                if (ReadVariant(item, input) is { } variant)
                    variants.Add(variant);
        }
        else if (modelNode is not null)
        {
            if (ReadName(modelNode, "model", NameKind.Type) is { } name)
                variants.Add(new VariantDecl(name, EquatableArray<ArgSyntax>.Empty, metadata, modelNode.Span) { Weights = ReadWeights(map.Get("weights"), input) });
        }
        else
        {
            Report(Descriptors.MissingField.Create(map.Span, "A spec", "model"));
        }

        var parameters = map.Get("params") is { } paramsNode ? ReadParams(paramsNode) : new List<ParamDecl>();
        var defaults = new List<DefaultsDecl>();
        if (map.Get("defaults") is { } defaultsNode && Expect<YMapping>(defaultsNode, "defaults", "a mapping of node kind to options") is { } defaultsMap)
        {
            foreach (var entry in defaultsMap.Entries)
            {
                if (!OpCatalog.TryGet(entry.Key.Value, out var op) || op.Shape != OpShape.Options)
                {
                    Report(Descriptors.UnknownKey.Create(entry.Key.Span, entry.Key.Value, "defaults", DidYouMean.KindHint(entry.Key.Value, OpCatalog.Ops.Where(o => o.Shape == OpShape.Options).Select(o => o.Key))));
                    continue;
                }

                defaults.Add(new DefaultsDecl(op.Key, ReadOptions(op, entry.Value).ToEquatableArray(), entry.Key.Span));
            }
        }

        var blocks = new List<BlockDecl>();
        if (map.Get("blocks") is { } blocksNode && Expect<YMapping>(blocksNode, "blocks", "a mapping of block name to definition") is { } blocksMap)
            foreach (var entry in blocksMap.Entries)
                if (ReadBlock(entry.Key, entry.Value) is { } block)
                    blocks.Add(block);

        var body = new List<NodeSyntax>();
        if (map.Get("body") is { } bodyNode)
            body = ReadNodeList(bodyNode, "body");
        else
            Report(Descriptors.MissingField.Create(map.Span, "A spec", "body"));

        var aux = new List<AuxDecl>();
        if (map.Get("aux") is { } auxNode)
            foreach (var item in Items(auxNode, "aux"))
                if (ReadAux(item) is { } head)
                    aux.Add(head);

        if (input is null || classes is null)
            return null;
        return new SpecDocument(_path, metadata, input, classes, parameters.ToEquatableArray(), variants.ToEquatableArray(),
            defaults.ToEquatableArray(), blocks.ToEquatableArray(), body.ToEquatableArray(), aux.ToEquatableArray(), map.Span);
    }

    private ModelMetadata ReadMetadata(YMapping map)
    {
        double? top1 = null, top5 = null;
        if (map.Get("accuracy") is { } accuracyNode && Expect<YMapping>(accuracyNode, "accuracy", "a mapping with top1 and top5") is { } accuracy)
        {
            CheckKeys(accuracy, AccuracyKeys, "accuracy");
            top1 = ReadDouble(accuracy.Get("top1"), "top1");
            top5 = ReadDouble(accuracy.Get("top5"), "top5");
        }

        return new ModelMetadata(ReadText(map.Get("paper"), "paper"), ReadText(map.Get("peer"), "peer"), top1, top5,
            ReadText(map.Get("notes"), "notes"), ReadText(map.Get("reference"), "reference"));
    }

    private InputDecl? ReadInput(YMapping map)
    {
        var node = map.Get("input");
        if (node is null)
        {
            Report(Descriptors.MissingField.Create(map.Span, "A spec", "input"));
            return null;
        }

        if (Expect<YMapping>(node, "input", "a mapping with channels and size") is not { } input)
            return null;
        CheckKeys(input, InputKeys, "input");
        long channels = input.Get("channels") is { } c ? ReadPositiveInt(c, "channels") ?? 0 : 3;
        var sizeNode = input.Get("size");
        if (sizeNode is null)
        {
            Report(Descriptors.MissingField.Create(input.Span, "input", "size"));
            return null;
        }

        var pair = ReadIntPair(sizeNode, "size");
        if (pair is null || channels <= 0)
            return null;
        if (channels > SpecLimits.MaxChannels || pair.Value.Item1 > SpecLimits.MaxSpatial || pair.Value.Item2 > SpecLimits.MaxSpatial)
        {
            Report(Descriptors.LimitExceeded.Create(node.Span, $"input [{channels}, {pair.Value.Item1}, {pair.Value.Item2}]",
                $"{SpecLimits.MaxChannels} channels and {SpecLimits.MaxSpatial} pixels a side"));
            return null;
        }
        return new InputDecl(channels, pair.Value.Item1, pair.Value.Item2, node.Span);
    }

    private VariantDecl? ReadVariant(YNode node, InputDecl? specInput)
    {
        if (Expect<YMapping>(node, "a variant", "a mapping with 'model' and 'args'") is not { } map)
            return null;
        CheckKeys(map, VariantKeys, "a variant");
        var modelNode = map.Get("model");
        if (modelNode is null)
        {
            Report(Descriptors.MissingField.Create(map.Span, "A variant", "model"));
            return null;
        }

        var name = ReadName(modelNode, "model", NameKind.Type);
        var args = map.Get("args") is { } argsNode ? ReadArgs(argsNode) : new List<ArgSyntax>();
        var classes = map.Get("classes") is { } classesNode ? ReadExpr(classesNode, "classes") : null;
        var input = map.Get("input") is not null ? ReadInput(map) : null;
        var weights = ReadWeights(map.Get("weights"), map.Get("input") is not null ? input : specInput);
        return name is null ? null : new VariantDecl(name, args.ToEquatableArray(), ReadMetadata(map), map.Span) { Classes = classes, Input = input, Weights = weights };
    }

    private List<ParamDecl> ReadParams(YNode node)
    {
        var result = new List<ParamDecl>();
        var seen = new Dictionary<string, SourceSpan>();
        foreach (var item in Items(node, "params"))
        {
            string? name = null;
            ExprSyntax? value = null;
            SourceSpan span = item.Span;
            if (item is YScalar scalar)
            {
                name = ReadName(scalar, "a parameter", NameKind.Parameter);
            }
            else if (item is YMapping map && map.Entries.Count == 1)
            {
                var entry = map.Entries[0];
                name = ReadName(entry.Key, "a parameter", NameKind.Parameter);
                value = ReadExpr(entry.Value, entry.Key.Value);
                span = entry.Key.Span;
            }
            else
            {
                Report(Descriptors.WrongType.Create(item.Span, "a parameter", "a name or 'name: default'", item.KindName));
            }

            if (name is null)
                continue;
            if (seen.TryGetValue(name, out var first))
            {
                Report(Descriptors.DuplicateName.Create(span, name, first.Line));
                continue;
            }

            seen[name] = span;
            result.Add(new ParamDecl(name, value, span));
        }

        return result;
    }

    private BlockDecl? ReadBlock(YScalar key, YNode node)
    {
        var name = ReadName(key, "a block name", NameKind.Type);
        if (Expect<YMapping>(node, $"block '{key.Value}'", "a mapping with 'params' and 'body'") is not { } map || name is null)
            return null;
        CheckKeys(map, BlockKeys, $"block '{name}'");
        var parameters = map.Get("params") is { } paramsNode ? ReadParams(paramsNode) : new List<ParamDecl>();
        var lets = new List<LetDecl>();
        if (map.Get("let") is { } letNode && Expect<YMapping>(letNode, "let", "a mapping of name to expression") is { } letMap)
        {
            foreach (var entry in letMap.Entries)
            {
                var letName = ReadName(entry.Key, "a let name", NameKind.Parameter);
                var value = ReadExpr(entry.Value, entry.Key.Value);
                if (letName is not null && value is not null)
                    lets.Add(new LetDecl(letName, value, entry.Key.Span));
            }
        }

        var bodyNode = map.Get("body");
        if (bodyNode is null)
        {
            Report(Descriptors.MissingField.Create(map.Span, $"Block '{name}'", "body"));
            return null;
        }

        bool inline = map.Get("inline") is { } inlineNode && (ReadBool(inlineNode, "inline") ?? false);
        return new BlockDecl(name, parameters.ToEquatableArray(), lets.ToEquatableArray(), ReadNodeList(bodyNode, $"block '{name}'").ToEquatableArray(),
            inline, ReadText(map.Get("doc"), "doc"), key.Span);
    }

    private AuxDecl? ReadAux(YNode node)
    {
        if (Expect<YMapping>(node, "an aux head", "a mapping with name, at, use") is not { } map)
            return null;
        CheckKeys(map, AuxKeys, "an aux head");
        string? name = null, at = null, block = null;
        foreach (var (key, kind) in new[] { ("name", NameKind.Member), ("at", NameKind.Reference), ("use", NameKind.Type) })
        {
            var value = map.Get(key);
            if (value is null)
            {
                Report(Descriptors.MissingField.Create(map.Span, "An aux head", key));
                continue;
            }

            var text = ReadName(value, key, kind);
            if (key == "name") name = text;
            else if (key == "at") at = text;
            else block = text;
        }

        var args = map.Get("args") is { } argsNode ? ReadArgs(argsNode) : new List<ArgSyntax>();
        double weight = map.Get("weight") is { } weightNode ? ReadAuxWeight(weightNode) ?? 0.3 : 0.3;
        var registerAfter = map.Get("register_after") is { } afterNode ? ReadName(afterNode, "register_after", NameKind.Reference) : null;
        var condition = map.Get("if") is { } ifNode ? ReadExpr(ifNode, "if") : null;
        if (name is null || at is null || block is null)
            return null;
        return new AuxDecl(name, at, block, args.ToEquatableArray(), weight, registerAfter, map.Span, map.Get("at")!.Span) { Condition = condition };
    }

    private List<NodeSyntax> ReadNodeList(YNode node, string where)
    {
        var result = new List<NodeSyntax>();
        foreach (var item in Items(node, where))
            if (ReadNode(item) is { } child)
                result.Add(child);
        return result;
    }

    private NodeSyntax? ReadNode(YNode node)
    {
        if (node is YSequence)
        {
            // A bare list stands for its members in place (a chain): used for concat branches.
            return new NodeSyntax("chain", null, null, null, null, null, EquatableArray<ArgSyntax>.Empty, EquatableArray<OptionSyntax>.Empty,
                ReadNodeList(node, "a branch").ToEquatableArray(), null, node.Span);
        }

        if (node is YScalar scalar)
        {
            // "- relu", "- flatten": a kind with no options.
            if (!OpCatalog.TryGet(scalar.Value, out var bare) || bare.Shape != OpShape.Options)
            {
                Report(Descriptors.BadNode.Create(scalar.Span, $"'{scalar.Value}' is not a node kind{DidYouMean.KindHint(scalar.Value, OpCatalog.OpKeys)}"));
                return null;
            }

            return new NodeSyntax(bare.Key, null, null, null, null, null, EquatableArray<ArgSyntax>.Empty, EquatableArray<OptionSyntax>.Empty,
                EquatableArray<NodeSyntax>.Empty, null, scalar.Span);
        }

        var map = (YMapping)node;
        var opEntries = map.Entries.Where(e => OpCatalog.TryGet(e.Key.Value, out _)).ToList();
        foreach (var entry in map.Entries.TakeWhile(_ => !Saturated))
            if (!OpCatalog.TryGet(entry.Key.Value, out _) && !OpCatalog.NodeKeys.Contains(entry.Key.Value))
                Report(Descriptors.UnknownKey.Create(entry.Key.Span, entry.Key.Value, "a node", DidYouMean.KindHint(entry.Key.Value, OpCatalog.OpKeys.Concat(OpCatalog.NodeKeys))));
        if (opEntries.Count != 1)
        {
            Report(Descriptors.BadNode.Create(map.Span, opEntries.Count == 0
                ? $"A node needs one kind key ({string.Join(", ", OpCatalog.OpKeys)})"
                : $"A node has one kind, found {string.Join(" and ", opEntries.Select(e => e.Key.Value))}"));
            return null;
        }

        var opEntry = opEntries[0];
        OpCatalog.TryGet(opEntry.Key.Value, out var op);
        string? name = map.Get("name") is { } nameNode ? ReadName(nameNode, "name", NameKind.Member) : null;
        var repeat = map.Get("repeat") is { } repeatNode ? ReadExpr(repeatNode, "repeat") : null;
        var condition = map.Get("if") is { } ifNode ? ReadExpr(ifNode, "if") : null;
        var doc = ReadText(map.Get("doc"), "doc");
        var argsNode = map.Get("args");
        if (argsNode is not null && op.Shape != OpShape.BlockName)
            Report(Descriptors.UnknownKey.Create(map.Entries.First(e => e.Key.Value == "args").Key.Span, "args", $"a {op.Key} node", " ('args' goes with 'use')"));

        var span = opEntry.Key.Span;
        switch (op.Shape)
        {
            case OpShape.NodeList:
                return new NodeSyntax(op.Key, name, repeat, condition, doc, null, EquatableArray<ArgSyntax>.Empty, EquatableArray<OptionSyntax>.Empty,
                    ReadNodeList(opEntry.Value, op.Key).ToEquatableArray(), null, span);
            case OpShape.Branches:
                return new NodeSyntax(op.Key, name, repeat, condition, doc, null, EquatableArray<ArgSyntax>.Empty, EquatableArray<OptionSyntax>.Empty,
                    ReadNodeList(opEntry.Value, "concat").ToEquatableArray(), null, span);
            case OpShape.Residual:
                return ReadResidual(opEntry.Value, name, repeat, condition, doc, span);
            case OpShape.Select:
                return ReadSelect(opEntry.Value, name, repeat, condition, doc, span);
            case OpShape.BlockName:
                var block = ReadName(opEntry.Value, "use", NameKind.BlockReference);
                var args = argsNode is null ? new List<ArgSyntax>() : ReadArgs(argsNode);
                return block is null ? null : new NodeSyntax(op.Key, name, repeat, condition, doc, block, args.ToEquatableArray(), EquatableArray<OptionSyntax>.Empty,
                    EquatableArray<NodeSyntax>.Empty, null, span);
            default:
                return new NodeSyntax(op.Key, name, repeat, condition, doc, null, EquatableArray<ArgSyntax>.Empty, ReadOptions(op, opEntry.Value).ToEquatableArray(),
                    EquatableArray<NodeSyntax>.Empty, null, span);
        }
    }

    private NodeSyntax? ReadResidual(YNode value, string? name, ExprSyntax? repeat, ExprSyntax? condition, string? doc, SourceSpan span)
    {
        if (Expect<YMapping>(value, "residual", "a mapping with body, shortcut and scale") is not { } map)
            return null;
        CheckKeys(map, ResidualKeys, "residual");
        var bodyNode = map.Get("body");
        if (bodyNode is null)
        {
            Report(Descriptors.MissingField.Create(map.Span, "A residual", "body"));
            return null;
        }

        var options = new List<OptionSyntax>();
        if (map.Get("scale") is { } scaleNode && ReadExpr(scaleNode, "scale") is { } scale)
            options.Add(new OptionSyntax("scale", scale, scaleNode.Span));
        if (map.Get("drop_path") is { } dropNode && ReadExpr(dropNode, "drop_path") is { } drop)
            options.Add(new OptionSyntax("drop_path", drop, dropNode.Span));
        if (map.Get("add") is { } addNode && ReadExpr(addNode, "add") is { } add)
            options.Add(new OptionSyntax("add", add, addNode.Span));
        if (map.Get("shortcut_first") is { } orderNode && ReadBool(orderNode, "shortcut_first") is { } shortcutFirst)
            options.Add(new OptionSyntax("shortcut_first", new LiteralExpr(shortcutFirst, orderNode.Span), orderNode.Span));
        NodeSyntax? shortcut = null;
        if (map.Get("shortcut") is { } shortcutNode && !(shortcutNode is YScalar { Value: "identity" }))
            shortcut = ReadNode(shortcutNode);
        return new NodeSyntax("residual", name, repeat, condition, doc, null, EquatableArray<ArgSyntax>.Empty, options.ToEquatableArray(),
            ReadNodeList(bodyNode, "residual body").ToEquatableArray(), shortcut, span);
    }

    /// <summary>
    /// A select (selective kernels): its children are two, the paths (a chain named <c>paths</c>,
    /// one module per path) and the attention (a seq named <c>attn</c>), so every walk over a
    /// node's children (layer counts, the editor's outline) sees them.
    /// </summary>
    private NodeSyntax? ReadSelect(YNode value, string? name, ExprSyntax? repeat, ExprSyntax? condition, string? doc, SourceSpan span)
    {
        if (Expect<YMapping>(value, "select", "a mapping with paths, attn and split") is not { } map)
            return null;
        CheckKeys(map, SelectKeys, "select");
        var pathsNode = map.Get("paths");
        var attnNode = map.Get("attn");
        if (pathsNode is null || attnNode is null)
        {
            Report(Descriptors.MissingField.Create(map.Span, "A select", pathsNode is null ? "paths" : "attn"));
            return null;
        }

        var options = new List<OptionSyntax>();
        if (map.Get("split") is { } splitNode && ReadExpr(splitNode, "split") is { } split)
            options.Add(new OptionSyntax("split", split, splitNode.Span));
        var paths = new NodeSyntax("chain", "paths", null, null, null, null, EquatableArray<ArgSyntax>.Empty, EquatableArray<OptionSyntax>.Empty,
            ReadNodeList(pathsNode, "select paths").ToEquatableArray(), null, pathsNode.Span);
        var attn = new NodeSyntax("seq", "attn", null, null, null, null, EquatableArray<ArgSyntax>.Empty, EquatableArray<OptionSyntax>.Empty,
            ReadNodeList(attnNode, "select attn").ToEquatableArray(), null, attnNode.Span);
        return new NodeSyntax("select", name, repeat, condition, doc, null, EquatableArray<ArgSyntax>.Empty, options.ToEquatableArray(),
            new[] { paths, attn }.ToEquatableArray(), null, span);
    }

    private List<OptionSyntax> ReadOptions(OpInfo op, YNode value)
    {
        var result = new List<OptionSyntax>();
        switch (value)
        {
            case YScalar scalar when scalar.IsNull:
                break;
            case YMapping map:
                foreach (var entry in map.Entries)
                {
                    if (!op.Options.Contains(entry.Key.Value))
                    {
                        Report(Descriptors.UnknownKey.Create(entry.Key.Span, entry.Key.Value, $"a {op.Key} node", DidYouMean.Hint(entry.Key.Value, op.Options)));
                        continue;
                    }

                    if (op.Key == "conv" && entry.Key.Value == "bn" && entry.Value is YMapping bnMap)
                    {
                        // bn: { eps: 0.001 } means "with BatchNorm, these options".
                        result.Add(new OptionSyntax("bn", new LiteralExpr(true, entry.Value.Span), entry.Value.Span));
                        foreach (var bnEntry in bnMap.Entries)
                        {
                            if (bnEntry.Key.Value is not ("eps" or "momentum"))
                                Report(Descriptors.UnknownKey.Create(bnEntry.Key.Span, bnEntry.Key.Value, "bn", DidYouMean.Hint(bnEntry.Key.Value, new[] { "eps", "momentum" })));
                            else if (ReadExpr(bnEntry.Value, bnEntry.Key.Value) is { } bnValue)
                                result.Add(new OptionSyntax(bnEntry.Key.Value, bnValue, bnEntry.Value.Span));
                        }

                        continue;
                    }

                    if (ReadExpr(entry.Value, entry.Key.Value) is { } expression)
                        result.Add(new OptionSyntax(entry.Key.Value, expression, entry.Value.Span));
                }

                break;
            default:
                if (op.ShorthandOption is null)
                {
                    Report(Descriptors.WrongType.Create(value.Span, op.Key, "no value (or {})", value.KindName));
                    break;
                }

                if (ReadExpr(value, op.ShorthandOption) is { } shorthand)
                    result.Add(new OptionSyntax(op.ShorthandOption, shorthand, value.Span));
                break;
        }

        return result;
    }

    private List<ArgSyntax> ReadArgs(YNode node)
    {
        var result = new List<ArgSyntax>();
        if (node is YMapping map)
        {
            foreach (var entry in map.Entries)
                if (ReadName(entry.Key, "an argument", NameKind.Parameter) is { } name && ReadExpr(entry.Value, entry.Key.Value) is { } value)
                    result.Add(new ArgSyntax(name, value, entry.Key.Span));
        }
        else if (node is YSequence sequence)
        {
            foreach (var item in sequence.Items)
                if (ReadExpr(item, "args") is { } value)
                    result.Add(new ArgSyntax(null, value, item.Span));
        }
        else
        {
            Report(Descriptors.WrongType.Create(node.Span, "args", "a mapping of parameter to value, or a list", node.KindName));
        }

        return result;
    }

    /// <summary>Any scalar or list of scalars as an expression; <paramref name="key"/> names it in a message (the key it is the value of).</summary>
    private ExprSyntax? ReadExpr(YNode node, string key)
    {
        switch (node)
        {
            case YScalar scalar when scalar.IsNull:
                Report(Descriptors.WrongType.Create(node.Span, key, "a value", "nothing"));
                return null;
            case YScalar scalar:
                return ExprParser.ParseScalar(scalar.Value, scalar.Quoted, scalar.Span, _diagnostics);
            case YSequence sequence:
                var items = new List<ExprSyntax>();
                foreach (var item in sequence.Items)
                {
                    var expression = ReadExpr(item, key);
                    if (expression is null)
                        return null;
                    items.Add(expression);
                }

                return new ListExpr(items.ToEquatableArray(), node.Span);
            default:
                Report(Descriptors.WrongType.Create(node.Span, key, "a number, word, expression or list", node.KindName));
                return null;
        }
    }

    private enum NameKind
    {
        Type,
        Member,
        Parameter,
        Reference,
        BlockReference,

        /// <summary>A member of a generated catalogue (a weights entry's name): a C# identifier, not a keyword.</summary>
        Property,
    }

    private string? ReadName(YNode node, string what, NameKind kind)
    {
        if (node is not YScalar scalar || scalar.IsNull)
        {
            Report(Descriptors.WrongType.Create(node.Span, what, "a name", node.KindName));
            return null;
        }

        var name = scalar.Value;
        if (kind == NameKind.BlockReference && name.StartsWith("$", System.StringComparison.Ordinal))
            return name; // a block chosen by a parameter; resolved when evaluated
        if (kind == NameKind.Member || kind == NameKind.Reference)
        {
            // State_dict segments: ASCII letters, digits and '_' (docs/security.md, "Names").
            if (NameAlphabet.SegmentProblem(name, allowTemplate: kind == NameKind.Member) is { } segmentProblem)
            {
                Report(Descriptors.InvalidIdentifier.Create(node.Span, NameAlphabet.Display(name), "node name", segmentProblem));
                return null;
            }

            return name;
        }

        if (NameAlphabet.IdentifierProblem(name) is { } problem)
        {
            Report(Descriptors.InvalidIdentifier.Create(node.Span, NameAlphabet.Display(name), kind switch { NameKind.Type => "C# type name", NameKind.Property => "weights name", _ => "parameter name" }, problem));
            return null;
        }

        if (kind is NameKind.Type or NameKind.Property && Identifiers.IsKeyword(name))
        {
            Report(Descriptors.InvalidIdentifier.Create(node.Span, name, kind == NameKind.Type ? "C# type name" : "weights name", "it is a C# keyword"));
            return null;
        }

        return name;
    }

    private string? ReadText(YNode? node, string what)
    {
        if (node is null)
            return null;
        if (node is YScalar scalar && !scalar.IsNull)
            return scalar.Value;
        Report(Descriptors.WrongType.Create(node.Span, what, "text", node.KindName));
        return null;
    }

    private double? ReadDouble(YNode? node, string what)
    {
        if (node is null)
            return null;
        if (node is YScalar scalar && double.TryParse(scalar.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
            && !double.IsNaN(value) && !double.IsInfinity(value))
            return value;
        Report(Descriptors.WrongType.Create(node.Span, what, "a number", Describe(node)));
        return null;
    }

    /// <summary>An aux head's loss weight: in (0, 1], so the head adds to the loss without outweighing the model's own.</summary>
    private double? ReadAuxWeight(YNode node)
    {
        var weight = ReadDouble(node, "weight");
        if (weight is null or (> 0 and <= 1))
            return weight;
        Report(Descriptors.OutOfRange.Create(node.Span, "weight", "greater than 0 and at most 1", weight.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        return null;
    }

    private bool? ReadBool(YNode node, string what)
    {
        if (node is YScalar { Value: "true" or "True" })
            return true;
        if (node is YScalar { Value: "false" or "False" })
            return false;
        Report(Descriptors.WrongType.Create(node.Span, what, "true or false", Describe(node)));
        return null;
    }

    private long? ReadPositiveInt(YNode node, string what)
    {
        if (node is YScalar scalar && long.TryParse(scalar.Value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            if (value > 0)
                return value;
            Report(Descriptors.OutOfRange.Create(node.Span, what, "positive", value));
            return null;
        }

        Report(Descriptors.WrongType.Create(node.Span, what, "a positive integer", Describe(node)));
        return null;
    }

    private (long, long)? ReadIntPair(YNode node, string what)
    {
        if (node is YScalar)
            return ReadPositiveInt(node, what) is { } side ? (side, side) : null;
        if (node is YSequence { Items.Count: 2 } pair)
        {
            var h = ReadPositiveInt(pair.Items[0], what);
            var w = ReadPositiveInt(pair.Items[1], what);
            return h is null || w is null ? null : (h.Value, w.Value);
        }

        Report(Descriptors.WrongType.Create(node.Span, what, "an integer or [height, width]", Describe(node)));
        return null;
    }

    private IEnumerable<YNode> Items(YNode node, string what)
    {
        if (node is YSequence sequence)
            return sequence.Items;
        Report(Descriptors.WrongType.Create(node.Span, what, "a list", node.KindName));
        return System.Array.Empty<YNode>();
    }

    private T? Expect<T>(YNode node, string what, string expected) where T : YNode
    {
        if (node is T typed)
            return typed;
        Report(Descriptors.WrongType.Create(node.Span, what, expected, Describe(node)));
        return null;
    }

    private void CheckKeys(YMapping map, IReadOnlyList<string> allowed, string where)
    {
        foreach (var entry in map.Entries.TakeWhile(_ => !Saturated))
            if (!allowed.Contains(entry.Key.Value))
                Report(Descriptors.UnknownKey.Create(entry.Key.Span, entry.Key.Value, where, DidYouMean.Hint(entry.Key.Value, allowed)));
    }

    private static string Describe(YNode node) => node is YScalar scalar && !scalar.IsNull ? $"'{scalar.Value}'" : node.KindName;

    private void Report(SpecDiagnostic diagnostic) => _diagnostics.Add(diagnostic);

    /// <summary>
    /// More diagnostics than a spec reports (<see cref="SpecLimits.MaxDiagnostics"/>): the loops over a mapping's
    /// keys stop looking for unknown ones, which would not be shown (100,000 unknown keys cost no more than 200).
    /// </summary>
    private bool Saturated => _diagnostics.Count > SpecLimits.MaxDiagnostics;
}
