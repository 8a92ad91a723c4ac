using System.Text;

namespace InceptionDsl.Tests.Security;

/// <summary>
/// One generated worst case for the bounded-work limits: its spec text, and the outcome it must
/// have (an IDSL error id, or null for "accepted"). Built in code, not committed: most are about 1 MB.
/// </summary>
public sealed record HostileSpec(string Name, string What, string Text, string? ExpectedId)
{
    public override string ToString() => Name;
}

/// <summary>
/// The worst cases of issue 13 ("unbounded work"), generated: exponential block nesting, 150,000-character
/// names, 1 MB scalars, hundreds of thousands of keys, deep nesting, many repeats, variants and errors.
/// Shared by the security tests (each must finish with its outcome) and the benchmark (which times them).
/// </summary>
public static class HostileSpecs
{
    /// <summary>Just under the file-size limit, so the case is read rather than refused at the door.</summary>
    public const int AboutOneMegabyte = 990_000;

    private const string Head = "input: { channels: 3, size: 32 }\nclasses: 10\n";

    public static IReadOnlyList<HostileSpec> All { get; } = new[]
    {
        new HostileSpec("inline_nesting_30x2", "30 levels of inline blocks, each using the next twice (2^30 layers)", NestedBlocks(30, 2, inline: true), "IDSL012"),
        new HostileSpec("class_nesting_30x2", "30 levels of class blocks, each using the next twice", NestedBlocks(30, 2, inline: false), "IDSL012"),
        new HostileSpec("inline_nesting_8_variants", "the 30x2 inline nesting under 8 variants", NestedBlocks(30, 2, inline: true, variants: 8), "IDSL012"),
        new HostileSpec("repeat_1000_cubed", "repeat 1000 inside repeat 1000 inside repeat 1000 (inline blocks)", RepeatCubed(), "IDSL012"),
        new HostileSpec("layers_19k_accepted", "19,000 convolutions (just under the layer limit), accepted", ManyLayers(19), null),
        new HostileSpec("layers_21k", "21,000 convolutions (just over the layer limit)", ManyLayers(21), "IDSL012"),
        new HostileSpec("variants_many", "a 1 MB spec of variants, each a 1,000-layer model", ManyVariants(), "IDSL012"),
        new HostileSpec("long_keys_150k", "300 KB: two misspelt keys of 150,000 characters (did-you-mean on long words)", LongKeys(150_000), "IDSL002"),
        new HostileSpec("long_names_100_x_1000", "1,000 blocks of 100-character names and a misspelt use (did-you-mean over long names)", ManyLongNames(), "IDSL007"),
        new HostileSpec("long_unknown_keys", "1 MB: unknown keys of 100,000 characters in every mapping", LongUnknownKeys(), "IDSL002"),
        new HostileSpec("scalar_1mb_doc", "a 1 MB doc string, accepted", LongDoc(), null),
        new HostileSpec("scalar_1mb_expression", "a 1 MB plain scalar as a filter count", LongExpression(), "IDSL012"),
        new HostileSpec("keys_flow_mapping", "a flow mapping with as many distinct keys as fit in 1 MB", ManyKeys(), "IDSL012"),
        new HostileSpec("keys_unknown_errors", "60,000 unknown keys in one node: one error each", ManyUnknownKeys(60_000), "IDSL002"),
        new HostileSpec("nesting_flow_1mb", "1 MB of '[' (deep flow nesting)", new string('[', AboutOneMegabyte), "IDSL012"),
        new HostileSpec("nesting_mappings", "mappings nested 10,000 deep", DeepMappings(10_000), "IDSL012"),
        new HostileSpec("expressions_many", "1 MB of convolutions with expressions (past the layer limit)", ManyExpressions(), "IDSL012"),
        new HostileSpec("expression_parens", "expressions of 240 nested parentheses", DeepParentheses(), "IDSL013"),
    };

    /// <summary>Blocks L0..L(levels-1): each uses the next <paramref name="uses"/> times; the last is a relu.</summary>
    public static string NestedBlocks(int levels, int uses, bool inline, int variants = 0)
    {
        var text = new StringBuilder(variants == 0 ? "model: Nested\n" : "variants:\n");
        for (int v = 0; v < variants; v++)
            text.Append("  - { model: Nested").Append(v).Append(" }\n");
        text.Append(Head).Append("blocks:\n");
        for (int level = 0; level < levels; level++)
        {
            text.Append("  L").Append(level).Append(":\n");
            if (inline)
                text.Append("    inline: true\n");
            text.Append("    body:\n");
            if (level == levels - 1)
                text.Append("      - relu\n");
            else
                for (int use = 0; use < uses; use++)
                    text.Append("      - { name: u").Append(use).Append(", use: L").Append(level + 1).Append(" }\n");
        }

        return text.Append("body:\n  - { name: top, use: L0 }\n").ToString();
    }

    private static string RepeatCubed() =>
        "model: Cubed\n" + Head
        + "blocks:\n"
        + "  A: { inline: true, body: [ { relu: , repeat: 1000 } ] }\n"
        + "  B: { inline: true, body: [ { use: A, repeat: 1000 } ] }\n"
        + "body:\n  - { use: B, repeat: 1000 }\n";

    /// <summary><paramref name="thousands"/> nodes of 1,000 repeated 1x1 convolutions (auto-named).</summary>
    public static string ManyLayers(int thousands)
    {
        var text = new StringBuilder("model: ManyLayers\n").Append(Head).Append("body:\n");
        for (int i = 0; i < thousands; i++)
            text.Append("  - { conv: { filters: 4, k: 1 }, repeat: 1000 }\n");
        return text.ToString();
    }

    private static string ManyVariants()
    {
        var text = new StringBuilder("variants:\n");
        for (int v = 0; text.Length < AboutOneMegabyte - 200; v++)
            text.Append("  - { model: V").Append(v).Append(" }\n");
        return text.Append(Head).Append("body:\n  - { relu: , repeat: 1000 }\n").ToString();
    }

    /// <summary>Two unknown keys of <paramref name="length"/> characters that differ in their last character (explicit keys: YAML limits implicit ones to 1024).</summary>
    public static string LongKeys(int length)
    {
        var a = new string('a', length - 1);
        return "model: LongKeys\n" + Head + "body:\n  - relu:\n    ? " + a + "b\n    : 1\n    ? " + a + "c\n    : 1\n";
    }

    private static string ManyLongNames()
    {
        var text = new StringBuilder("model: ManyLongNames\n").Append(Head).Append("blocks:\n");
        for (int i = 0; i < 1000; i++)
            text.Append("  ").Append('B', 96).Append(i.ToString("D4")).Append(": { body: [ relu ] }\n");
        return text.Append("body:\n  - { name: n, use: ").Append('B', 96).Append("x999 }\n").ToString();
    }

    private static string LongUnknownKeys()
    {
        var key = new string('k', 100_000);
        var text = new StringBuilder("model: LongKeys\n").Append(Head).Append("body:\n");
        for (int i = 0; text.Length < AboutOneMegabyte - 200_000; i++)
            text.Append("  - { conv: { filters: 8, k: 3, ").Append(key).Append(i).Append(": 1 } }\n");
        return text.Append("  - { ").Append(key).Append(": 1 }\n").ToString();
    }

    private static string LongDoc() =>
        "model: LongDoc\n" + Head + "blocks:\n  B:\n    doc: \"" + new string('d', AboutOneMegabyte - 200) + "\"\n    body: [ relu ]\n"
        + "body:\n  - { name: b, use: B }\n";

    private static string LongExpression()
    {
        var text = new StringBuilder("model: LongExpr\n").Append(Head).Append("params: [ { a: 1 } ]\nbody:\n  - { conv: { k: 3, filters: ");
        while (text.Length < AboutOneMegabyte - 100)
            text.Append("$a + ");
        return text.Append("1 } }\n").ToString();
    }

    private static string ManyKeys()
    {
        var text = new StringBuilder("model: ManyKeys\n").Append(Head).Append("body: [ relu ]\nnotes: {");
        for (int i = 0; text.Length < AboutOneMegabyte - 100; i++)
            text.Append(" k").Append(i).Append(',');
        return text.Append(" end }\n").ToString();
    }

    public static string ManyUnknownKeys(int count)
    {
        var text = new StringBuilder("model: ManyUnknown\n").Append(Head).Append("body:\n  - relu: \n");
        for (int i = 0; i < count; i++)
            text.Append("    x").Append(i).Append(": 1\n");
        return text.ToString();
    }

    private static string DeepMappings(int depth)
    {
        var text = new StringBuilder("model: Deep\n").Append(Head).Append("body: [ relu ]\nnotes: ");
        text.Insert(text.Length, "{a: ", depth);
        return text.Append('1').Append('}', depth).Append('\n').ToString();
    }

    private static string ManyExpressions()
    {
        var text = new StringBuilder("model: ManyExpr\n").Append(Head).Append("params: [ { w: 8 } ]\nbody:\n");
        for (int i = 0; text.Length < AboutOneMegabyte - 100; i++)
            text.Append("  - { conv: { filters: $w * 2 - $w, k: 1 } }\n");
        return text.ToString();
    }

    private static string DeepParentheses()
    {
        var expression = new string('(', 240) + "$w" + new string(')', 240);
        var text = new StringBuilder("model: Parens\n").Append(Head).Append("params: [ { w: 8 } ]\nbody:\n");
        for (int i = 0; i < 1000; i++)
            text.Append("  - { conv: { filters: \"").Append(expression).Append("\", k: 1 } }\n");
        return text.ToString();
    }
}
