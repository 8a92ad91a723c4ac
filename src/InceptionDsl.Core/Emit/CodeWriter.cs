using System.Text;

namespace InceptionDsl.Emit;

/// <summary>A StringBuilder with indentation; multi-line fragments are indented as a whole.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _builder = new();
    private int _indent;

    public void Line(string text = "")
    {
        if (text.Length == 0)
        {
            _builder.Append('\n');
            return;
        }

        var pad = new string(' ', _indent * 4);
        foreach (var line in text.Split('\n'))
            _builder.Append(pad).Append(line).Append('\n');
    }

    public void Open(string text)
    {
        Line(text);
        Line("{");
        _indent++;
    }

    public void Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
    }

    /// <summary>A /// summary doc comment; each line goes through <see cref="CSharpText.XmlDoc"/>.</summary>
    public void Summary(params string[] lines)
    {
        Line("/// <summary>");
        foreach (var line in lines)
            Line("/// " + CSharpText.XmlDoc(line));
        Line("/// </summary>");
    }

    /// <summary>A // comment line; the text goes through <see cref="CSharpText.Comment"/>.</summary>
    public void Comment(string text) => Line("// " + CSharpText.Comment(text));

    public override string ToString() => _builder.ToString();
}
