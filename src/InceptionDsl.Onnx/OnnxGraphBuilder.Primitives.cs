using System.Collections.Generic;
using System.Linq;
using Onnx;
using static TorchSharp.torch;

namespace InceptionDsl.Onnx;

/// <summary>
/// The builder's primitives, for the support classes of node kinds that describe themselves (Core's Kinds/): such a
/// class writes its own ONNX nodes with these, so a new kind needs no method of the builder. Names follow the
/// builder's rule (the state_dict path of the layer, made unique); an initializer named after a parameter keeps its
/// state_dict name.
/// </summary>
public sealed partial class OnnxGraphBuilder
{
    /// <summary>
    /// Appends the ONNX operator <paramref name="op"/> on <paramref name="inputs"/> and returns its output. A feature map
    /// is recorded with the shape of <paramref name="shapeOf"/> (a value of the graph: most layers keep their input's
    /// shape), with <paramref name="channels"/> in place of its channels where given; null where the output is not a
    /// float feature map (a Shape's int64 list, a reshaped intermediate), which later layers then cannot read as one.
    /// </summary>
    public string Operator(string op, string path, IReadOnlyList<string> inputs, string? shapeOf, long? channels = null, params AttributeProto[] attributes)
    {
        var shape = shapeOf is null ? null : Read(shapeOf);
        var node = AddNode(op, path, inputs, attributes);
        if (shape is not null)
            _shapes[node.Output[0]] = shape with { C = channels ?? shape.C, SpatialFree = false };
        return node.Output[0];
    }

    /// <summary>An initializer holding <paramref name="values"/> (as float32) with the dimensions <paramref name="dims"/>.</summary>
    public string Initializer(string path, Tensor values, params long[] dims)
    {
        if (values.numel() != dims.Aggregate(1L, (a, b) => a * b))
            throw new System.NotSupportedException($"{path}: {values.numel()} values cannot fill [{string.Join(", ", dims)}]");
        return AddWeight(path, Array(values), dims);
    }

    /// <summary>A constant 1-D int64 tensor (a shape for Reshape, axes for a reduction).</summary>
    public string Int64s(string path, params long[] values) => Int64Constant(path, values);

    /// <summary>The channels of a feature map of the graph.</summary>
    public long ChannelsOf(string value) => Read(value).C;

    /// <summary>An integer attribute.</summary>
    public static AttributeProto Attribute(string name, long value) => Int(name, value);

    /// <summary>A float attribute.</summary>
    public static AttributeProto Attribute(string name, float value) => Float(name, value);

    /// <summary>A list-of-integers attribute.</summary>
    public static AttributeProto Attribute(string name, long[] values) => Ints(name, values);
}
