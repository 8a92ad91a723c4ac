using System.Text;

namespace InceptionDsl.Emit.PyTorch;

/// <summary>Python source, line by line, with indentation by blocks (four spaces).</summary>
internal sealed class PythonWriter
{
    private readonly StringBuilder _builder = new();
    private int _depth;

    public void Line(string text = "")
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.Length > 0)
                _builder.Append(' ', 4 * _depth).Append(line);
            _builder.Append('\n');
        }
    }

    /// <summary>A line ending in ':' and the block under it.</summary>
    public void Open(string header)
    {
        Line(header);
        _depth++;
    }

    public void Close() => _depth--;

    public void Comment(string text) => Line("# " + PythonText.Comment(text));

    public override string ToString() => _builder.ToString();
}
