using System.Text.Json;

namespace InceptionDsl.LanguageServer.Protocol;

// The Language Server Protocol 3.17 types this server reads and writes, as plain records serialized
// by System.Text.Json with camelCase names (no typed LSP model package is served to this build).
// Only the members the server uses are declared; clients' extra members are ignored on reading.

public sealed record Position(int Line, int Character);

public sealed record Range(Position Start, Position End);

public sealed record Location(string Uri, Range Range);

public sealed record TextDocumentIdentifier(string Uri);

public sealed record VersionedTextDocumentIdentifier(string Uri, int Version);

public sealed record TextDocumentItem(string Uri, string LanguageId, int Version, string Text);

public sealed record DocumentSymbolParams(TextDocumentIdentifier TextDocument);

public record TextDocumentPositionParams(TextDocumentIdentifier TextDocument, Position Position);

public sealed record TextEdit(Range Range, string NewText);

public sealed record WorkspaceEdit(Dictionary<string, TextEdit[]> Changes);

public sealed record MarkupContent(string Kind, string Value)
{
    public static MarkupContent Markdown(string value) => new("markdown", value);
}

public sealed record InitializeParams(int? ProcessId = null, string? RootUri = null, JsonElement? InitializationOptions = null);

public sealed record InitializeResult(ServerCapabilities Capabilities, ServerInfo ServerInfo);

public sealed record ServerInfo(string Name, string Version);

public sealed record ServerCapabilities
{
    /// <summary>1: the whole text is sent on every change.</summary>
    public int TextDocumentSync { get; init; } = 1;
    public bool HoverProvider { get; init; } = true;
    public bool DefinitionProvider { get; init; } = true;
    public bool ReferencesProvider { get; init; } = true;
    public RenameOptions RenameProvider { get; init; } = new(true);
    public bool DocumentSymbolProvider { get; init; } = true;
    public bool InlayHintProvider { get; init; } = true;
    public CompletionOptions CompletionProvider { get; init; } = new(new[] { "$", ":", " ", "{" });
    public CodeActionOptions CodeActionProvider { get; init; } = new(new[] { "quickfix" });
}

public sealed record RenameOptions(bool PrepareProvider);

public sealed record CompletionOptions(string[] TriggerCharacters);

public sealed record CodeActionOptions(string[] CodeActionKinds);

public sealed record DidOpenTextDocumentParams(TextDocumentItem TextDocument);

public sealed record TextDocumentContentChangeEvent(string Text, Range? Range = null);

public sealed record DidChangeTextDocumentParams(VersionedTextDocumentIdentifier TextDocument, TextDocumentContentChangeEvent[] ContentChanges);

public sealed record DidCloseTextDocumentParams(TextDocumentIdentifier TextDocument);

public sealed record DidChangeConfigurationParams(JsonElement? Settings = null);

public static class MessageType
{
    public const int Error = 1, Warning = 2, Info = 3, Log = 4;
}

public sealed record LogMessageParams(int Type, string Message);
