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

    /// <summary>Most layers one model may expand to.</summary>
    public const long MaxLayers = 100_000;

    /// <summary>Most channels, filters or features of one layer.</summary>
    public const long MaxChannels = 1 << 20;

    /// <summary>Largest input side, kernel, stride, padding or dilation.</summary>
    public const long MaxSpatial = 1 << 16;

    /// <summary>Longest expression text.</summary>
    public const int MaxExpressionChars = 500;
}
