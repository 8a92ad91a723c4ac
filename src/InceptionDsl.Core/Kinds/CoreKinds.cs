using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Syntax;

namespace InceptionDsl.Kinds;

/// <summary>
/// The kinds the lowerer lowers itself, by their syntax: the leaves whose lowering reads the lowerer's own state (the
/// conv, which may become the shared conv unit; the pools, whose geometry each block use records for its rows and the
/// ONNX writer; a block's layer scale, a parameter of the class being built; the activations, one family with conv's
/// <c>act</c>) and the composites, whose children the lowerer walks. Their renderers are the backends' own tables.
/// </summary>
internal static class CoreKinds
{
    public static readonly NodeKind Conv = new SyntaxKind("conv", "2-d convolution, optionally with BatchNorm and activation", new[]
        {
            new KeyInfo("filters", "positive integer", null, "Output channels (required; the shorthand 'conv: 64')."),
            new KeyInfo("k", "integer or [h, w]", null, "Kernel size (required)."),
            new KeyInfo("stride", "integer or [h, w]", "1", "Stride."),
            new KeyInfo("pad", "integer, [h, w], same or valid", "0", "Zero padding; 'same' keeps the size at stride 1 (odd kernels), 'valid' is 0."),
            new KeyInfo("dilation", "integer or [h, w]", "1", "Dilation."),
            new KeyInfo("groups", "positive integer", "1", "Groups: must divide the input channels and the filters; groups = channels is a depthwise conv."),
            new KeyInfo("bias", "true or false", "true without bn, false with bn", "Whether the conv has a bias."),
            new KeyInfo("bn", "true, false or { eps, momentum }", "false", "Follow the conv with BatchNorm (a conv-bn-act unit, BasicConv2d)."),
            new KeyInfo("eps", "number", "0.00001", "The BatchNorm's eps (with bn)."),
            new KeyInfo("momentum", "number", "0.1", "The BatchNorm's momentum (with bn)."),
            new KeyInfo("act", "an activation kind or none", "none", "Activation after the conv (and its bn): " + string.Join(", ", ActivationCatalog.Keys) + ". In a seq, an unnamed conv without bn puts the activation's module at the next position (torchvision's VGG)."),
        }, "filters");

    /// <summary>One kind per activation of <see cref="ActivationCatalog"/>: a parameter-free module, or a function in a flat body.</summary>
    public static IEnumerable<NodeKind> Activations => ActivationCatalog.All.Select(a => new SyntaxKind(a.Key, a.Description));

    public static readonly NodeKind MaxPool = new SyntaxKind("maxpool", "2-d max pooling", new[]
        {
            new KeyInfo("k", "integer or [h, w]", null, "Window (required; shorthand 'maxpool: 3')."),
            new KeyInfo("stride", "integer or [h, w]", "k", "Stride."),
            new KeyInfo("pad", "integer or [h, w]", "0", "Padding (at most half the window)."),
            new KeyInfo("ceil", "true or false", "false", "Round the output size up (PyTorch ceil_mode)."),
        }, "k");

    public static readonly NodeKind AvgPool = new SyntaxKind("avgpool", "2-d average pooling", new[]
        {
            new KeyInfo("k", "integer or [h, w]", null, "Window (required; shorthand 'avgpool: 3')."),
            new KeyInfo("stride", "integer or [h, w]", "k", "Stride."),
            new KeyInfo("pad", "integer or [h, w]", "0", "Padding (at most half the window)."),
            new KeyInfo("ceil", "true or false", "false", "Round the output size up (PyTorch ceil_mode)."),
            new KeyInfo("count_include_pad", "true or false", "true", "Count the zero padding in the average."),
        }, "k");

    public static readonly NodeKind LayerScale = new SyntaxKind("layer_scale", "its input times a learned per-channel scale, a [C, 1, 1] parameter of the block itself (state_dict 'layer_scale', ConvNeXt)", new[]
        {
            new KeyInfo("init", "number", null, "The scale's initial value for every channel (required; shorthand 'layer_scale: 1e-6')."),
        }, "init");

    public static readonly NodeKind Seq = new SyntaxKind("seq", "a Sequential module of nodes (children named 0, 1, ... unless named)", shape: OpShape.NodeList);

    public static readonly NodeKind Concat = new SyntaxKind("concat", "parallel branches concatenated on channels, in order", shape: OpShape.Branches);

    public static readonly NodeKind Residual = new SyntaxKind("residual", "x + scale * body(x), with an optional projection shortcut", LanguageCatalog.ResidualKeys, shape: OpShape.Residual);

    public static readonly NodeKind Gate = new SyntaxKind("gate", "its input times the output of its branch (a list of nodes applied to the input), broadcast over the map: squeeze-and-excitation", shape: OpShape.NodeList);

    public static readonly NodeKind Select = new SyntaxKind("select", "selective kernel: parallel paths added after weighting each channel by a softmax across the paths, which an attention chain computes from their sum (SKNet, timm SelectiveKernel)", LanguageCatalog.SelectKeys, shape: OpShape.Select);

    public static readonly NodeKind Use = new SyntaxKind("use", "an instance of a declared block", shape: OpShape.BlockName);
}
