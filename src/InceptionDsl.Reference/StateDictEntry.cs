using System.Collections.Generic;
using System.Linq;

namespace InceptionDsl.Reference;

/// <summary>One <c>[name, shape, dtype]</c> row of a reference state_dict.</summary>
/// <param name="Name">The state_dict key.</param>
/// <param name="Shape">The tensor shape.</param>
/// <param name="DType">PyTorch dtype name without the <c>torch.</c> prefix, e.g. <c>float32</c>, <c>int64</c>.</param>
public sealed record StateDictEntry(string Name, IReadOnlyList<long> Shape, string DType)
{
    /// <summary>Number of elements.</summary>
    public long Numel => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Whether the dtype is a floating-point type (filled by the deterministic weights).</summary>
    public bool IsFloatingPoint => DType is "float32" or "float64" or "float16" or "bfloat16";

    /// <summary>The shape as <c>[a, b, c]</c>.</summary>
    public string ShapeText => Format.Shape(Shape);
}
