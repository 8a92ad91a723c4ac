using System;
using System.Collections.Generic;
using InceptionDsl.Diagnostics;
using InceptionDsl.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace InceptionDsl.Syntax;

/// <summary>
/// Reads YAML text into a <see cref="YNode"/> tree with YamlDotNet's event parser. Aliases point
/// at the anchored node (no copy) but count their expanded size against
/// <see cref="SpecLimits.MaxExpandedNodes"/>; depth and file size are bounded too. Never throws:
/// every problem becomes a located diagnostic and a null tree.
/// </summary>
public static class YamlTreeReader
{
    public static YNode? Read(string path, string text, List<SpecDiagnostic> diagnostics)
    {
        if (text.Length > SpecLimits.MaxFileChars)
        {
            diagnostics.Add(Descriptors.LimitExceeded.Create(SourceSpan.At(path, 1, 1),
                $"The file's size ({text.Length} characters)", $"{SpecLimits.MaxFileChars} characters"));
            return null;
        }

        var state = new State(path);
        Parser? parser = null;
        try
        {
            parser = new Parser(new System.IO.StringReader(text));
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                diagnostics.Add(Descriptors.YamlSyntax.Create(SourceSpan.At(path, 1, 1), "the file is empty; a spec is a YAML mapping"));
                return null;
            }

            var start = parser.Consume<DocumentStart>();
            if (start.Version is { } directive && (directive.Version.Major != 1 || directive.Version.Minor != 2))
            {
                diagnostics.Add(Descriptors.YamlSyntax.Create(Span(path, start.Start, start.End),
                    $"a spec is YAML 1.2; the directive '%YAML {directive.Version.Major}.{directive.Version.Minor}' asks for another reading (YAML 1.1 reads yes, no, on and off as booleans and 010 as octal): remove it"));
                return null;
            }

            var root = ReadNode(parser, state, depth: 0);
            parser.Consume<DocumentEnd>();
            if (parser.TryConsume<DocumentStart>(out var second))
            {
                diagnostics.Add(Descriptors.YamlSyntax.Create(Span(path, second.Start, second.End), "a spec file holds one YAML document; found a second one"));
                return null;
            }

            return root;
        }
        catch (LimitException limit)
        {
            diagnostics.Add(Descriptors.LimitExceeded.Create(limit.Span, limit.What, limit.Limit));
            return null;
        }
        catch (CutExpressionException cut)
        {
            diagnostics.Add(Descriptors.ExpressionSyntax.Create(cut.Span, cut.Text,
                "it is cut short: inside { } or [ ] a comma ends a plain value, so quote an expression that has a comma or a bracket, e.g. \"max($a, $b)\""));
            return null;
        }
        catch (YamlException yaml)
        {
            // Some scanner errors (a tab as indentation) carry empty marks: locate them at their end,
            // or for a tab at the first line indented with one.
            var span = yaml.Start.Index == 0 && yaml.End.Index > 0 ? Span(path, yaml.End, yaml.End) : Span(path, yaml.Start, yaml.End);
            if (yaml.Start.Index == 0 && yaml.End.Index == 0 && TabIndentedLine(text) is int tabLine)
                span = SourceSpan.At(path, tabLine, 1);
            diagnostics.Add(Descriptors.YamlSyntax.Create(span, CleanMessage(yaml)));
            return null;
        }
        catch (Exception failure) when (failure is InvalidOperationException or ArgumentException or IndexOutOfRangeException or NullReferenceException)
        {
            // YamlDotNet's scanner can fail on some malformed flow text (e.g. '{[ a: 1 }') with a
            // plain exception: report it as a syntax error at the last event the parser produced.
            var at = parser?.Current is { } current ? Span(path, current.Start, current.End) : SourceSpan.At(path, 1, 1);
            diagnostics.Add(Descriptors.YamlSyntax.Create(at, "malformed YAML after this point (the parser stopped: " + failure.Message + ")"));
            return null;
        }
    }

    private static YNode ReadNode(IParser parser, State state, int depth)
    {
        if (depth > SpecLimits.MaxYamlDepth)
        {
            var current = parser.Current!;
            throw new LimitException(Span(state.Path, current.Start, current.End), "YAML nesting depth", SpecLimits.MaxYamlDepth.ToString());
        }

        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            var span = Span(state.Path, alias.Start, alias.End);
            if (!state.Anchors.TryGetValue(alias.Value.Value, out var target))
                throw new YamlException(alias.Start, alias.End, $"alias *{alias.Value.Value} refers to no anchor");
            Count(state, target.ExpandedSize, span);
            return target;
        }

        YNode node;
        AnchorName anchor;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            Count(state, 1, Span(state.Path, scalar.Start, scalar.End));
            CheckCutExpression(scalar, state);
            bool quoted = scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded;
            if (!scalar.Tag.IsEmpty)
                YamlTags.CheckScalar(scalar.Tag.Value, scalar.Value, quoted, scalar.Start, scalar.End);
            node = new YScalar(scalar.Value, quoted, Span(state.Path, scalar.Start, scalar.End));
            anchor = scalar.Anchor;
        }
        else if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            Count(state, 1, Span(state.Path, sequenceStart.Start, sequenceStart.End));
            if (!sequenceStart.Tag.IsEmpty)
                YamlTags.CheckCollection(sequenceStart.Tag.Value, "seq", "a list", sequenceStart.Start, sequenceStart.End);
            var items = new List<YNode>();
            long size = 1;
            bool flow = sequenceStart.Style == SequenceStyle.Flow;
            if (flow) state.FlowDepth++;
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                var item = ReadNode(parser, state, depth + 1);
                size += item.ExpandedSize;
                items.Add(item);
            }

            if (flow) state.FlowDepth--;

            node = new YSequence(items, size, Span(state.Path, sequenceStart.Start, sequenceStart.End));
            anchor = sequenceStart.Anchor;
        }
        else if (parser.TryConsume<MappingStart>(out var mappingStart))
        {
            Count(state, 1, Span(state.Path, mappingStart.Start, mappingStart.End));
            if (!mappingStart.Tag.IsEmpty)
                YamlTags.CheckCollection(mappingStart.Tag.Value, "map", "a mapping", mappingStart.Start, mappingStart.End);
            var entries = new List<KeyValuePair<YScalar, YNode>>();
            var keys = new Dictionary<string, YScalar>(StringComparer.Ordinal); // a hash, not a scan: 100,000 keys stay linear
            long size = 1;
            bool flow = mappingStart.Style == MappingStyle.Flow;
            if (flow) state.FlowDepth++;
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyNode = ReadNode(parser, state, depth + 1);
                if (keyNode is not YScalar key)
                    throw new YamlException(Mark(keyNode.Span), Mark(keyNode.Span), "a mapping key must be a plain name, not " + keyNode.KindName);
                if (keys.TryGetValue(key.Value, out var existing))
                    throw new YamlException(Mark(key.Span), Mark(key.Span), $"duplicate key '{key.Value}' (first at line {existing.Span.Line})");
                keys.Add(key.Value, key);
                var value = ReadNode(parser, state, depth + 1);
                size += 1 + value.ExpandedSize;
                entries.Add(new KeyValuePair<YScalar, YNode>(key, value));
            }

            if (flow) state.FlowDepth--;

            node = new YMapping(entries, size, Span(state.Path, mappingStart.Start, mappingStart.End));
            anchor = mappingStart.Anchor;
        }
        else
        {
            var current = parser.Current!;
            throw new YamlException(current.Start, current.End, "unexpected " + current.GetType().Name);
        }

        if (!anchor.IsEmpty)
            state.Anchors[anchor.Value] = node;
        return node;
    }

    private static void Count(State state, long nodes, SourceSpan span)
    {
        state.Nodes += nodes;
        if (state.Nodes > SpecLimits.MaxExpandedNodes)
            throw new LimitException(span, "YAML size after alias expansion", $"{SpecLimits.MaxExpandedNodes} nodes");
    }

    private static Mark Mark(SourceSpan span) => new(0, span.Line, span.Column);

    /// <summary>The first line (1-based) whose indentation holds a tab, if any.</summary>
    private static int? TabIndentedLine(string text)
    {
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var indent = lines[i].Substring(0, lines[i].Length - lines[i].TrimStart(' ', '\t').Length);
            if (indent.IndexOf('\t') >= 0)
                return i + 1;
        }

        return null;
    }

    private static SourceSpan Span(string path, Mark start, Mark end) =>
        new(path, (int)Math.Max(1, start.Line), (int)Math.Max(1, start.Column), (int)Math.Max(1, end.Line), (int)Math.Max(1, end.Column));

    /// <summary>YamlDotNet prefixes messages with the position, which the diagnostic already carries.</summary>
    private static string CleanMessage(YamlException exception)
    {
        var message = exception.Message;
        var index = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith("(", StringComparison.Ordinal) && index > 0)
            message = message.Substring(index + 3);
        return message;
    }

    private sealed class State
    {
        public State(string path) => Path = path;

        public string Path { get; }

        public long Nodes { get; set; }

        public Dictionary<string, YNode> Anchors { get; } = new();

        /// <summary>How many flow collections ({ } or [ ]) enclose the node being read.</summary>
        public int FlowDepth { get; set; }
    }

    /// <summary>
    /// A plain scalar inside { } or [ ] whose parentheses or brackets do not close: a comma of an
    /// expression (max($a, $b)) ended it, and the rest became other entries. Said here once, with
    /// the fix, instead of as a cascade of unrelated errors later.
    /// </summary>
    private static void CheckCutExpression(Scalar scalar, State state)
    {
        if (state.FlowDepth == 0 || scalar.Style != ScalarStyle.Plain)
            return;
        int parens = 0, brackets = 0;
        foreach (var c in scalar.Value)
        {
            if (c == '(') parens++;
            else if (c == ')') parens--;
            else if (c == '[') brackets++;
            else if (c == ']') brackets--;
        }

        if (parens != 0 || brackets != 0)
            throw new CutExpressionException(Span(state.Path, scalar.Start, scalar.End), scalar.Value);
    }

    /// <summary>An expression a comma cut short in a flow collection (see <see cref="CheckCutExpression"/>).</summary>
    private sealed class CutExpressionException(SourceSpan span, string text) : Exception
    {
        public SourceSpan Span { get; } = span;

        public string Text { get; } = text;
    }

    private sealed class LimitException : Exception
    {
        public LimitException(SourceSpan span, string what, string limit)
        {
            Span = span;
            What = what;
            Limit = limit;
        }

        public SourceSpan Span { get; }

        public string What { get; }

        public string Limit { get; }
    }
}
