using System.Text.RegularExpressions;
using InceptionDsl.Analysis.Source;

namespace InceptionDsl.LanguageServer.Features;

/// <summary>
/// Where the cursor is in the spec's structure, read from the text's indentation and open braces
/// rather than from a parse, because the line being typed rarely parses. <see cref="Chain"/> lists the
/// keys holding the cursor, innermost first, <c>[]</c> standing for an item of a list:
/// <c>["[]", "body"]</c> is a node of the model's body, <c>["conv", "[]", "body"]</c> a conv's options.
/// </summary>
public sealed partial record CompletionContext(IReadOnlyList<string> Chain, bool AtKey, string Prefix, string? Variable, bool AfterUse, string? UseTarget)
{
    private const string Item = "[]";

    [GeneratedRegex(@"\$([A-Za-z0-9_]*)$")]
    private static partial Regex VariableAtEnd();

    [GeneratedRegex(@"\buse:\s*([A-Za-z0-9_]*)$")]
    private static partial Regex UseAtEnd();

    [GeneratedRegex(@"^(\s*)(-\s+)?(?:([A-Za-z_$][A-Za-z0-9_{}]*)\s*:)?")]
    private static partial Regex LineHead();

    [GeneratedRegex(@"\buse:\s*([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex UseValue();

    public static CompletionContext At(TextLines lines, int line, int character)
    {
        var text = lines.Line(line);
        var before = text.Substring(0, Math.Clamp(character, 0, text.Length));
        var variable = VariableAtEnd().Match(before) is { Success: true } v ? v.Groups[1].Value : null;
        var use = UseAtEnd().Match(before);
        int wordStart = before.Length;
        while (wordStart > 0 && Lsp.IsWord(before[wordStart - 1]))
            wordStart--;
        var prefix = before.Substring(wordStart);

        // Open braces on this line, each with the key before it ("[]" for a list item's mapping).
        var head = LineHead().Match(before);
        bool dash = head.Groups[2].Success;
        var lineKey = head.Groups[3].Success ? head.Groups[3].Value : null;
        var flow = new List<string>();
        string? pendingKey = lineKey;
        for (int i = head.Length; i < before.Length; i++)
        {
            char c = before[i];
            if (c is '{' or '[')
            {
                flow.Add(pendingKey ?? Item);
                pendingKey = null;
            }
            else if (c is '}' or ']')
            {
                if (flow.Count > 0)
                    flow.RemoveAt(flow.Count - 1);
                pendingKey = null;
            }
            else if (c == ':' && flow.Count > 0)
            {
                int start = i;
                while (start > 0 && Lsp.IsWord(before[start - 1]))
                    start--;
                pendingKey = before.Substring(start, i - start);
            }
            else if (c == ',')
            {
                pendingKey = null;
            }
        }

        var chain = new List<string>();
        bool atKey;
        for (int f = flow.Count - 1; f >= 0; f--)
            chain.Add(flow[f]);
        if (flow.Count > 0)
        {
            // Inside braces: at a key right after '{' or ',' (spaces and the word typed so far between).
            var tail = before.Substring(0, wordStart).TrimEnd();
            atKey = tail.EndsWith('{') || tail.EndsWith(',');
            // "- {": the first brace is the item itself; "- conv: {": the item holds the key.
            if (dash && lineKey is not null)
                chain.Add(Item);
        }
        else
        {
            // Block style: at a key when only the word typed so far follows the indentation (and a dash).
            atKey = lineKey is null && before.Substring(head.Length).Trim() == prefix;
            if (dash)
                chain.Add(Item);
            else if (lineKey is not null && !atKey)
                chain.Insert(0, lineKey);
        }

        chain.AddRange(Ancestors(lines, line, head.Groups[1].Length, dash));
        string? useTarget = null;
        if (chain.Count > 0 && chain[0] == "args")
            useTarget = SiblingUse(lines, line, before);
        return new CompletionContext(chain, atKey, prefix, variable, use.Success, useTarget);
    }

    /// <summary>
    /// The keys holding a line whose content (or, for a list item, whose dash) starts at
    /// <paramref name="column"/>, innermost first, from the lines above it.
    /// </summary>
    private static List<string> Ancestors(TextLines lines, int line, int column, bool listItem)
    {
        var chain = new List<string>();
        int limit = column;
        for (int l = line - 1; l >= 0; l--)
        {
            if (limit == 0 && !listItem)
                break;
            var text = lines.Line(l);
            var trimmed = text.TrimStart();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
                continue;
            var head = LineHead().Match(text);
            int dashIndent = head.Groups[1].Length;
            int keyIndent = dashIndent + head.Groups[2].Length;
            bool dash = head.Groups[2].Success;
            string? key = head.Groups[3].Success ? head.Groups[3].Value : null;
            if (!listItem && dash && keyIndent == limit)
            {
                // A key of the same list item's mapping, on the item's first line: the item holds us.
                chain.Add(Item);
                limit = dashIndent;
                listItem = true;
                continue;
            }

            bool parent = keyIndent < limit || (listItem && !dash && key is not null && keyIndent == limit);
            if (!parent)
                continue;
            if (key is not null)
                chain.Add(key);
            if (dash)
            {
                chain.Add(Item);
                limit = dashIndent;
                listItem = true;
            }
            else
            {
                limit = keyIndent;
                listItem = false;
            }
        }

        return chain;
    }

    /// <summary>The block a node's <c>use:</c> names, written on the args' line or on the node's earlier lines.</summary>
    private static string? SiblingUse(TextLines lines, int line, string before)
    {
        if (UseValue().Match(before) is { Success: true } inline)
            return inline.Groups[1].Value;
        for (int l = line; l >= 0 && l > line - 8; l--)
        {
            var text = lines.Line(l);
            if (UseValue().Match(text) is { Success: true } found)
                return found.Groups[1].Value;
            if (l < line && text.TrimStart().StartsWith("- ", StringComparison.Ordinal))
                break;
        }

        return null;
    }
}
