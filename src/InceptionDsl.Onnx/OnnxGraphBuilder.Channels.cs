using System;
using System.Globalization;

namespace InceptionDsl.Onnx;

/// <summary>ShuffleNetV2's channel operations (the support modules InceptionDslChannelShuffle and InceptionDslChannelChunk).</summary>
public sealed partial class OnnxGraphBuilder
{
    /// <summary>
    /// torchvision's channel_shuffle: Reshape to [N, groups, C / groups, H * W], Transpose the two channel axes,
    /// Reshape back to the input's own shape (read with Shape, so the spatial size stays free).
    /// </summary>
    public string ChannelShuffle(string path, string input, long groups)
    {
        var shape = Read(input);
        if (shape.IsVector || groups < 1 || shape.C % groups != 0)
            throw new NotSupportedException($"{path}: cannot shuffle {shape.C} channels in {groups} groups");
        var grouped = AddNode("Reshape", Child(path, "group"), new[] { input, Int64Constant(Child(path, "group_shape"), 0, groups, shape.C / groups, -1) });
        var swapped = AddNode("Transpose", Child(path, "transpose"), new[] { grouped.Output[0] }, Ints("perm", 0, 2, 1, 3));
        var original = AddNode("Shape", Child(path, "shape"), new[] { input });
        var node = AddNode("Reshape", path, new[] { swapped.Output[0], original.Output[0] });
        _shapes[node.Output[0]] = shape with { SpatialFree = false };
        return node.Output[0];
    }

    /// <summary>Slice <paramref name="index"/> of <paramref name="parts"/> equal slices of the channels (ONNX Slice on axis 1).</summary>
    public string ChannelChunk(string path, string input, long parts, long index)
    {
        var shape = Read(input);
        if (shape.IsVector || parts < 1 || index < 0 || index >= parts || shape.C % parts != 0)
            throw new NotSupportedException($"{path}: cannot take slice {index.ToString(CultureInfo.InvariantCulture)} of {shape.C} channels in {parts} parts");
        long size = shape.C / parts;
        var node = AddNode("Slice", path, new[]
        {
            input,
            Int64Constant(Child(path, "starts"), index * size),
            Int64Constant(Child(path, "ends"), (index + 1) * size),
            Int64Constant(Child(path, "axes"), 1),
        });
        _shapes[node.Output[0]] = shape with { C = size, SpatialFree = false };
        return node.Output[0];
    }
}
