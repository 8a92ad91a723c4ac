using System;
using System.Text.RegularExpressions;
using YamlDotNet.Core;

namespace InceptionDsl.Syntax;

/// <summary>
/// Explicit YAML tags in a spec. A spec is read with YAML 1.2's core schema, and a tag of that schema is honoured when
/// it agrees with how the value reads without it (<c>!!int 3</c>, <c>!!float 0.5</c>, <c>!!bool true</c>, <c>!!null ~</c>,
/// <c>!!str name</c>, <c>!!map {}</c>, <c>!!seq []</c>, and the non-specific <c>!</c>). A tag that would change the
/// reading (<c>!!str 3</c>, <c>!!int 3.5</c>, <c>!!null 8</c>) or any other tag (<c>!!binary</c>, <c>!!timestamp</c>,
/// <c>!foo</c>, a <c>%TAG</c> prefix of one's own) is a located error: a tag is never silently ignored.
/// </summary>
internal static class YamlTags
{
    private const string Core = "tag:yaml.org,2002:";

    // The YAML 1.2 core schema's resolution of plain scalars (section 10.3.2).
    private static readonly Regex Null = new("^(~|null|Null|NULL|)$", RegexOptions.CultureInvariant);
    private static readonly Regex Bool = new("^(true|True|TRUE|false|False|FALSE)$", RegexOptions.CultureInvariant);
    private static readonly Regex Int = new("^([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", RegexOptions.CultureInvariant);
    private static readonly Regex Float = new(@"^([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$", RegexOptions.CultureInvariant);

    /// <summary>What a plain scalar resolves to without a tag: null, bool, int, float or str.</summary>
    private static string Resolve(string value, bool quoted) =>
        quoted ? "str" : Null.IsMatch(value) ? "null" : Bool.IsMatch(value) ? "bool" : Int.IsMatch(value) ? "int" : Float.IsMatch(value) ? "float" : "str";

    public static void CheckScalar(string tag, string value, bool quoted, Mark start, Mark end)
    {
        if (tag == "!")
            return; // the non-specific tag of a scalar: a string, as the value reads already when it is quoted or a word
        var kind = tag.StartsWith(Core, StringComparison.Ordinal) ? tag.Substring(Core.Length) : null;
        if (kind is not ("str" or "int" or "float" or "bool" or "null"))
            throw new YamlException(start, end, $"the tag '{Shown(tag)}' is not one a spec understands: a spec uses YAML 1.2's core tags (!!str, !!int, !!float, !!bool, !!null, !!map, !!seq) or none");
        var reads = Resolve(value, quoted);
        // An integer is a float of the core schema as well (!!float 3 is 3.0).
        if (reads == kind || (kind == "float" && reads == "int"))
            return;
        throw new YamlException(start, end,
            $"'!!{kind}' would make '{Shown(value)}' {Name(kind)}, but a spec reads it as {Name(reads)} and a tag cannot change that: remove the tag{(kind == "str" ? ", or quote the value" : "")}");
    }

    public static void CheckCollection(string tag, string kind, string what, Mark start, Mark end)
    {
        if (tag == "!" || tag == Core + kind)
            return;
        throw new YamlException(start, end, $"the tag '{Shown(tag)}' does not fit {what}: a spec uses YAML 1.2's core tags (!!{kind} here) or none");
    }

    private static string Name(string kind) => kind switch
    {
        "null" => "null (no value)",
        "bool" => "a boolean",
        "int" => "an integer",
        "float" => "a number",
        _ => "a string",
    };

    private static string Shown(string text) =>
        (text.StartsWith(Core, StringComparison.Ordinal) ? "!!" + text.Substring(Core.Length) : text) is var shown && shown.Length > 60 ? shown.Substring(0, 60) + "..." : shown;
}
