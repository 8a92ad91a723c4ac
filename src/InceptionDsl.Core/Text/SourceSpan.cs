namespace InceptionDsl.Text;

/// <summary>
/// A place in a spec file: 1-based line and column of the start and end. Plain data (no Roslyn
/// Location) so models that carry it stay value-equatable and cacheable.
/// </summary>
public readonly record struct SourceSpan(string Path, int Line, int Column, int EndLine, int EndColumn)
{
    public static SourceSpan At(string path, int line, int column) => new(path, line, column, line, column);

    public override string ToString() => $"{Path}({Line},{Column})";
}
