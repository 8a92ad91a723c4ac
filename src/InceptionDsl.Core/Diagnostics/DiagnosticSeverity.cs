namespace InceptionDsl.Diagnostics;

/// <summary>Severity of a spec diagnostic; mapped one to one onto Roslyn's severities.</summary>
public enum SpecSeverity
{
    Info,
    Warning,
    Error,
}
