namespace InceptionDsl.Emit;

/// <summary>
/// The support modules of ShuffleNetV2's channel operations (<c>chunk</c>, <c>channel_shuffle</c>;
/// Semantics/Lowerer.Channels.cs), a section of the shared support file of their own. Parameter-free
/// modules: a field of one adds nothing to the state_dict. With ONNX each writes its own nodes.
/// </summary>
public static class ChannelOpsSupport
{
    public const string ShuffleClass = "InceptionDslChannelShuffle";

    public const string ChunkClass = "InceptionDslChannelChunk";

    private const string ModuleBase = "global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor>";

    /// <summary>The section's C#, with <c>IOnnxWritable</c> implementations when the project references InceptionDsl.Onnx.</summary>
    public static string Text(bool onnx)
    {
        var interfaces = onnx ? ", " + OnnxEmitter.BlockInterface : "";
        var shuffleOnnx = onnx ? ShuffleOnnx : "";
        var chunkOnnx = onnx ? ChunkOnnx : "";
        return (@"/// <summary>
/// Interleaves the channels of <see cref=""Groups""/> groups: the input viewed as [N, groups, C / groups, H, W],
/// its two channel axes swapped, viewed back as [N, C, H, W] (torchvision's shufflenetv2.channel_shuffle,
/// PyTorch's nn.ChannelShuffle). No parameters.
/// </summary>
[global::System.CodeDom.Compiler.GeneratedCode(""InceptionDsl"", """ + EmitOptions.GeneratorVersion + @""")]
public sealed class " + ShuffleClass + " : " + ModuleBase + interfaces + @"
{
    /// <summary>Builds the shuffle of <paramref name=""groups""/> groups.</summary>
    public " + ShuffleClass + @"(long groups) : base(""ChannelShuffle"")
    {
        Groups = groups;
    }

    /// <summary>How many groups the channels are in.</summary>
    public long Groups { get; }

    /// <inheritdoc />
    public override global::TorchSharp.torch.Tensor forward(global::TorchSharp.torch.Tensor input)
    {
        long batch = input.shape[0], channels = input.shape[1], height = input.shape[2], width = input.shape[3];
        return input.view(batch, Groups, channels / Groups, height, width).transpose(1, 2).contiguous().view(batch, channels, height, width);
    }
" + shuffleOnnx + @"}

/// <summary>
/// One of <see cref=""Parts""/> equal slices of the input's channels, the one at <see cref=""Index""/> (torch.chunk on
/// dim 1: ShuffleNetV2's channel split, <c>x1, x2 = x.chunk(2, dim=1)</c>). No parameters.
/// </summary>
[global::System.CodeDom.Compiler.GeneratedCode(""InceptionDsl"", """ + EmitOptions.GeneratorVersion + @""")]
public sealed class " + ChunkClass + " : " + ModuleBase + interfaces + @"
{
    /// <summary>Builds the slice <paramref name=""index""/> of <paramref name=""parts""/>.</summary>
    public " + ChunkClass + @"(long parts, long index) : base(""ChannelChunk"")
    {
        Parts = parts;
        Index = index;
    }

    /// <summary>How many equal slices the channels are cut into.</summary>
    public long Parts { get; }

    /// <summary>The slice this module returns, from 0.</summary>
    public long Index { get; }

    /// <inheritdoc />
    public override global::TorchSharp.torch.Tensor forward(global::TorchSharp.torch.Tensor input)
    {
        long size = input.shape[1] / Parts;
        return input.narrow(1, Index * size, size);
    }
" + chunkOnnx + "}").Replace("\r", "");
    }

    private const string ShuffleOnnx = @"
    /// <inheritdoc />
    string global::InceptionDsl.Onnx.IOnnxWritable.WriteOnnx(global::InceptionDsl.Onnx.OnnxGraphBuilder graph, string path, string input) =>
        graph.ChannelShuffle(path, input, Groups);
";

    private const string ChunkOnnx = @"
    /// <inheritdoc />
    string global::InceptionDsl.Onnx.IOnnxWritable.WriteOnnx(global::InceptionDsl.Onnx.OnnxGraphBuilder graph, string path, string input) =>
        graph.ChannelChunk(path, input, Parts, Index);
";
}
