using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

using InceptionDsl.Kinds;

namespace InceptionDsl.Emit.PyTorch;

/// <summary>
/// Python's lexical rules for the PyTorch backend: string literals, one-line comments, and the names the emitted
/// module gives the IR's values (snake case, never a keyword or a name the module itself uses).
/// </summary>
public static class PythonText
{
    private static readonly HashSet<string> Keywords = new()
    {
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
        "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or",
        "pass", "raise", "return", "try", "while", "with", "yield", "match", "case", "type", "_",
    };

    /// <summary>Names the emitted module and its methods use themselves: a value of the spec named so gets a '_' after it.</summary>
    private static readonly HashSet<string> Taken = new(new[]
    {
        "self", "torch", "nn", "F", "OrderedDict", "min", "max", "int", "float", "str", "bool", "range", "len", "super", "print",
        "make_divisible", "sequential_of", "drop_path", "BasicConv2d", "MODELS", "create",
    }.Concat(NodeKinds.Layers.SelectMany(k => k.PythonClasses)));

    public static bool IsKeyword(string name) => Keywords.Contains(name);

    /// <summary>A value's Python name: the IR's camel-case name in snake case (<c>baseWidth</c> -&gt; <c>base_width</c>), kept clear of keywords and the module's own names.</summary>
    public static string Name(string irName)
    {
        var text = new StringBuilder();
        for (int i = 0; i < irName.Length; i++)
        {
            char c = irName[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(irName[i - 1]) || char.IsDigit(irName[i - 1])))
                text.Append('_');
            text.Append(char.ToLowerInvariant(c));
        }

        var name = text.ToString();
        return Keywords.Contains(name) || Taken.Contains(name) ? name + "_" : name;
    }

    /// <summary>A class's Python name: the spec's, with a '_' after it where Python or the module reserves it.</summary>
    public static string ClassName(string name) => Keywords.Contains(name) || Taken.Contains(name) ? name + "_" : name;

    /// <summary>A double-quoted Python string literal; every character outside printable ASCII is an escape.</summary>
    public static string Literal(string text)
    {
        var result = new StringBuilder("\"");
        foreach (char c in text)
        {
            result.Append(c switch
            {
                '\\' => "\\\\",
                '"' => "\\\"",
                _ when c >= ' ' && c < 0x7f => c.ToString(),
                _ => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
            });
        }

        return result.Append('"').ToString();
    }

    /// <summary>Text for a <c>#</c> comment: one line, control and format characters as spaces.</summary>
    public static string Comment(string text) =>
        new(text.Select(c => char.IsControl(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator ? ' ' : c).ToArray());
}
