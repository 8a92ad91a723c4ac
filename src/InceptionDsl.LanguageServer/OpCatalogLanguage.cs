using InceptionDsl.Kinds;
using InceptionDsl.Syntax;

namespace InceptionDsl.LanguageServer;

/// <summary>
/// The language's words as Core describes them once: the document keys from <see cref="LanguageCatalog"/> (the reader
/// accepts exactly these; a test keeps them equal) and the node kinds with their options from the registry
/// (<see cref="NodeKinds"/>), so completion and hover say what the JSON schema and docs/language-reference.md say.
/// </summary>
public sealed class OpCatalogLanguage : ILanguageCatalog
{
    public static OpCatalogLanguage Instance { get; } = new();

    public IReadOnlyList<CatalogEntry> TopKeys { get; } = Entries(LanguageCatalog.TopKeys);

    public IReadOnlyList<CatalogEntry> BlockKeys { get; } = Entries(LanguageCatalog.BlockKeys);

    public IReadOnlyList<CatalogEntry> VariantKeys { get; } = Entries(LanguageCatalog.VariantKeys);

    public IReadOnlyList<CatalogEntry> WeightsKeys { get; } = Entries(LanguageCatalog.WeightsKeys);

    public IReadOnlyList<CatalogEntry> AuxKeys { get; } = Entries(LanguageCatalog.AuxKeys);

    public IReadOnlyList<CatalogEntry> NodeKeys { get; } = Entries(LanguageCatalog.NodeKeys);

    public IReadOnlyList<CatalogEntry> NodeKinds { get; } = Kinds.NodeKinds.All.Select(kind => new CatalogEntry(kind.Key, kind.Description
        + (kind.Shorthand is null ? "" : $" (a scalar value is its {kind.Shorthand})"))).ToList();

    /// <summary>A kind's options (a composite's keys: a residual's body, shortcut, ...), as its registry entry describes them.</summary>
    public IReadOnlyList<CatalogEntry> OptionsOf(string kind) =>
        Kinds.NodeKinds.TryGet(kind, out var entry) ? Entries(entry.Options) : Array.Empty<CatalogEntry>();

    private static IReadOnlyList<CatalogEntry> Entries(IEnumerable<KeyInfo> keys) => keys.Select(k => new CatalogEntry(k.Name, k.Description, k.Default)).ToList();
}
