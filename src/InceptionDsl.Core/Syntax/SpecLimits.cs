namespace InceptionDsl.Syntax;

/// <summary>
/// Bounds that keep a hostile or broken spec from hanging or exhausting the build. Each breach is
/// reported as IDSL012 at the place it happened.
/// </summary>
public static class SpecLimits
{
    /// <summary>Largest spec file accepted, in characters.</summary>
    public const int MaxFileChars = 1_000_000;

    /// <summary>Most YAML nodes after alias expansion (defeats "billion laughs").</summary>
    public const long MaxExpandedNodes = 200_000;

    /// <summary>Deepest YAML nesting.</summary>
    public const int MaxYamlDepth = 64;

    /// <summary>Deepest block-within-block expansion.</summary>
    public const int MaxBlockDepth = 32;

    /// <summary>Largest repeat count of a single node.</summary>
    public const long MaxRepeat = 1_000;

    /// <summary>
    /// Most layers one model may expand to. Counted arithmetically before anything is expanded
    /// (a node repeated r times over a body of n layers counts r * (1 + n)), and again while lowering.
    /// </summary>
    public const long MaxLayers = 20_000;

    /// <summary>Most layers all the models of one spec file may expand to together.</summary>
    public const long MaxSpecLayers = 50_000;

    /// <summary>Most models (variants) one spec file may declare.</summary>
    public const int MaxModels = 64;

    /// <summary>Most channels, filters or features of one layer.</summary>
    public const long MaxChannels = 1 << 20;

    /// <summary>Largest input side, kernel, stride, padding or dilation.</summary>
    public const long MaxSpatial = 1 << 16;

    /// <summary>
    /// The smallest weights <c>crop</c> fraction: images are resized to size / crop before the center crop, so the
    /// resize stays at most 20 times the input size (1e-300 gave a resize side of 2^63 - 1). Published crops are 0.8 to 1.
    /// </summary>
    public const double MinCrop = 0.05;

    /// <summary>Longest expression text.</summary>
    public const int MaxExpressionChars = 500;

    /// <summary>Deepest nesting of parentheses, brackets and unary operators in one expression.</summary>
    public const int MaxExpressionDepth = 50;

    /// <summary>Longest name that did-you-mean compares; longer names get no suggestion.</summary>
    public const int MaxSuggestedNameChars = 64;

    /// <summary>Largest edit distance did-you-mean computes (a banded Levenshtein distance).</summary>
    public const int MaxSuggestionDistance = 3;

    /// <summary>Most candidates did-you-mean compares a misspelt name with.</summary>
    public const int MaxSuggestionCandidates = 1_000;

    /// <summary>Most diagnostics reported for one spec file; the rest are summed up in one IDSL012.</summary>
    public const int MaxDiagnostics = 200;

    /// <summary>Longest spec text a diagnostic message quotes; longer text is shortened with its length.</summary>
    public const int MaxQuotedChars = 120;
}
