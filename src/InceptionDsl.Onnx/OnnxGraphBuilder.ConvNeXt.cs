using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace InceptionDsl.Onnx;

/// <summary>ConvNeXt's layers: LayerNorm over channels, Linear over channels, layer scale (the support modules InceptionDslLayerNorm2d and InceptionDslChannelLinear, and a block's layer_scale parameter).</summary>
public sealed partial class OnnxGraphBuilder
{
    /// <summary>
    /// LayerNorm over the channels at every position: Transpose to NHWC, LayerNormalization on the last axis
    /// (opset 17) with the weight and bias, Transpose back, as torchvision's LayerNorm2d computes it.
    /// </summary>
    public string LayerNorm2d(string path, string input, Tensor weight, Tensor bias, double eps)
    {
        var shape = Read(input);
        if (shape.IsVector || weight.shape[0] != shape.C)
            throw new NotSupportedException($"{path}: a LayerNorm over {weight.shape[0]} channels cannot read {shape.C}");
        var toLast = AddNode("Transpose", Child(path, "to_nhwc"), new[] { input }, Ints("perm", 0, 2, 3, 1));
        var scale = AddWeight(Child(path, "weight"), Array(weight), new[] { shape.C });
        var shift = AddWeight(Child(path, "bias"), Array(bias), new[] { shape.C });
        var norm = AddNode("LayerNormalization", Child(path, "norm"), new[] { toLast.Output[0], scale, shift }, Int("axis", -1), Float("epsilon", (float)eps));
        var back = AddNode("Transpose", path, new[] { norm.Output[0] }, Ints("perm", 0, 3, 1, 2));
        _shapes[back.Output[0]] = shape with { SpatialFree = false };
        return back.Output[0];
    }

    /// <summary>A Linear over the channels at every position: a 1x1 Conv whose kernel is the Linear's [out, in] weight.</summary>
    public string ChannelLinear(string path, string input, Tensor weight, Tensor? bias)
    {
        var shape = Read(input);
        long outChannels = weight.shape[0], inChannels = weight.shape[1];
        if (shape.IsVector || inChannels != shape.C)
            throw new NotSupportedException($"{path}: a linear over {inChannels} channels cannot read {shape.C}");
        var inputs = new List<string> { input, AddWeight(Child(path, "weight"), Array(weight), new[] { outChannels, inChannels, 1L, 1L }) };
        if (bias is not null)
            inputs.Add(AddWeight(Child(path, "bias"), Array(bias), new[] { outChannels }));
        var node = AddNode("Conv", path, inputs, Ints("kernel_shape", 1, 1));
        _shapes[node.Output[0]] = shape with { C = outChannels, SpatialFree = false };
        return node.Output[0];
    }

    /// <summary>The input times a [C, 1, 1] per-channel scale (ConvNeXt's layer_scale), broadcast over the map.</summary>
    public string LayerScale(string path, string input, Tensor scale)
    {
        var shape = Read(input);
        if (shape.IsVector || scale.numel() != shape.C)
            throw new NotSupportedException($"{path}: a scale of {scale.numel()} values cannot multiply {shape.C} channels");
        var weights = AddWeight(path, Array(scale), new[] { shape.C, 1L, 1L });
        return Multiply(Child(path, "mul"), input, weights);
    }
}
