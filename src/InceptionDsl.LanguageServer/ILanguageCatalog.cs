namespace InceptionDsl.LanguageServer;

/// <summary>A word the language accepts at some place, with what it means and its default.</summary>
public sealed record CatalogEntry(string Name, string Description, string? Default = null);

/// <summary>
/// What completion offers and hover explains about the language's own words: document keys, node
/// kinds and their options. One small interface so the server can take its words from whichever single
/// description of the language Core holds.
/// </summary>
public interface ILanguageCatalog
{
    /// <summary>Keys of the spec's top-level mapping.</summary>
    IReadOnlyList<CatalogEntry> TopKeys { get; }

    /// <summary>Keys of a block's mapping under <c>blocks:</c>.</summary>
    IReadOnlyList<CatalogEntry> BlockKeys { get; }

    /// <summary>Keys of a family variant.</summary>
    IReadOnlyList<CatalogEntry> VariantKeys { get; }

    /// <summary>Keys of an aux head.</summary>
    IReadOnlyList<CatalogEntry> AuxKeys { get; }

    /// <summary>Keys of one entry of <c>weights:</c> (a published weights file and its facts).</summary>
    IReadOnlyList<CatalogEntry> WeightsKeys { get; }

    /// <summary>The keys any node may carry besides its kind (name, repeat, if, doc, args).</summary>
    IReadOnlyList<CatalogEntry> NodeKeys { get; }

    /// <summary>The node kinds (conv, bn, ..., use).</summary>
    IReadOnlyList<CatalogEntry> NodeKinds { get; }

    /// <summary>The options of a node kind (conv: filters, k, stride, ...); empty for an unknown kind.</summary>
    IReadOnlyList<CatalogEntry> OptionsOf(string kind);
}
