using InceptionDsl.Expressions;

namespace InceptionDsl.Semantics;

/// <summary>
/// The shape of one sample flowing between nodes: channels (with the C# that computes them when
/// they depend on a constructor parameter), height and width; or a flat feature vector.
/// </summary>
public sealed record TensorShape(IntValue Channels, long Height, long Width, bool IsVector)
{
    public long C => Channels.Number;

    public static TensorShape Map(IntValue channels, long height, long width) => new(channels, height, width, false);

    public static TensorShape Vector(IntValue features) => new(features, 1, 1, true);

    public override string ToString() => ToIR().ToString();

    /// <summary>The numbers alone, for the IR.</summary>
    public ShapeIR ToIR() => new(C, Height, Width, IsVector);

    /// <summary>Same numbers: what an add or a skipped node needs.</summary>
    public bool SameAs(TensorShape other) => C == other.C && Height == other.Height && Width == other.Width && IsVector == other.IsVector;
}
