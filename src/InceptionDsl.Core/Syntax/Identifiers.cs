using System.Collections.Generic;
using System.Text;

namespace InceptionDsl.Syntax;

/// <summary>C# identifier rules: validity, keywords, and the spec-to-C# naming convention.</summary>
public static class Identifiers
{
    private static readonly HashSet<string> Keywords = new()
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
        "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
        "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
        "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
        "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
        "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
    };

    public static bool IsKeyword(string name) => Keywords.Contains(name);

    /// <summary>An ASCII C# identifier, <c>[A-Za-z_][A-Za-z0-9_]*</c>: the alphabet of spec names (see <see cref="NameAlphabet"/>).</summary>
    public static bool IsIdentifier(string name) => NameAlphabet.IdentifierProblem(name) is null;

    /// <summary>An identifier for C# source: keywords escaped with '@'.</summary>
    public static string Escape(string name) => IsKeyword(name) ? "@" + name : name;

    /// <summary><c>pool_proj</c> becomes <c>poolProj</c>: the C# parameter for a spec parameter.</summary>
    public static string ToCamelCase(string name)
    {
        var builder = new StringBuilder();
        bool upper = false;
        foreach (var c in name)
        {
            if (c == '_' && builder.Length > 0)
            {
                upper = true;
                continue;
            }

            builder.Append(upper ? char.ToUpperInvariant(c) : builder.Length == 0 ? char.ToLowerInvariant(c) : c);
            upper = false;
        }

        return Escape(builder.ToString());
    }

    /// <summary>A valid C# field name for a state_dict segment such as <c>0</c> or <c>Conv2d_1a_3x3</c>.</summary>
    public static string ToFieldName(string name)
    {
        if (IsIdentifier(name))
            return Escape(name);
        var builder = new StringBuilder("_");
        foreach (var c in name)
            builder.Append(NameAlphabet.IsSegmentCharacter(c) ? c : '_');
        return builder.ToString();
    }
}
