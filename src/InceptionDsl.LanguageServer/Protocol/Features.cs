namespace InceptionDsl.LanguageServer.Protocol;

public static class DiagnosticSeverity
{
    public const int Error = 1, Warning = 2, Information = 3, Hint = 4;
}

public sealed record DiagnosticRelatedInformation(Location Location, string Message);

// Clients send diagnostics back in a code action's context, other servers' too: members LSP makes optional are optional here.
public sealed record Diagnostic(Range Range, int Severity = DiagnosticSeverity.Error, string? Code = null, string? Source = null, string Message = "")
{
    /// <summary>LSP 3.16's link to the code's documentation (clients show the code as a link to it).</summary>
    public CodeDescription? CodeDescription { get; init; }
    public DiagnosticRelatedInformation[]? RelatedInformation { get; init; }
}

public sealed record CodeDescription(string Href);

public sealed record PublishDiagnosticsParams(string Uri, int? Version, Diagnostic[] Diagnostics);

public sealed record Hover(MarkupContent Contents, Range? Range);


public sealed record InlayHintParams(TextDocumentIdentifier TextDocument, Range Range);

public sealed record InlayHint(Position Position, string Label)
{
    /// <summary>1: a type (a shape is the type of a node's output).</summary>
    public int Kind { get; init; } = 1;
    public bool PaddingLeft { get; init; } = true;
    public string? Tooltip { get; init; }
}

public sealed record ReferenceContext(bool IncludeDeclaration);

public sealed record ReferenceParams(TextDocumentIdentifier TextDocument, Position Position, ReferenceContext? Context = null) : TextDocumentPositionParams(TextDocument, Position);

public sealed record RenameParams(TextDocumentIdentifier TextDocument, Position Position, string NewName) : TextDocumentPositionParams(TextDocument, Position);

public sealed record PrepareRenameResult(Range Range, string Placeholder);

public static class CompletionItemKind
{
    public const int Method = 2, Field = 5, Variable = 6, Class = 7, Property = 10, Value = 12, Keyword = 14, EnumMember = 20, Constant = 21;
}

public sealed record CompletionItem(string Label, int Kind)
{
    public string? Detail { get; init; }
    public MarkupContent? Documentation { get; init; }
    public string? InsertText { get; init; }
    public string? SortText { get; init; }
}

public sealed record CompletionList(bool IsIncomplete, CompletionItem[] Items);

public static class SymbolKind
{
    public const int Module = 2, Namespace = 3, Class = 5, Field = 8, Constructor = 9, Function = 12, Variable = 13, Constant = 14, Object = 19, Event = 24, Operator = 25, TypeParameter = 26;
}

public sealed record DocumentSymbol(string Name, int Kind, Range Range, Range SelectionRange)
{
    public string? Detail { get; init; }
    public DocumentSymbol[]? Children { get; init; }
}

public sealed record CodeActionContext(Diagnostic[] Diagnostics);

public sealed record CodeActionParams(TextDocumentIdentifier TextDocument, Range Range, CodeActionContext Context);

public sealed record CodeAction(string Title, string Kind, WorkspaceEdit Edit)
{
    public Diagnostic[]? Diagnostics { get; init; }
    public bool IsPreferred { get; init; }
}
