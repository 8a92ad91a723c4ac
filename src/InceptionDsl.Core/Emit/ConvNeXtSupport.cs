namespace InceptionDsl.Emit;

/// <summary>
/// The support modules of ConvNeXt's <c>layer_norm</c> and <c>channel_linear</c> (Semantics/Lowerer.ConvNeXt.cs), a
/// section of the shared support file of their own. Each holds its parameters as <c>weight</c> and <c>bias</c>, so a
/// field of one has torchvision's state_dict names; with ONNX each writes its own nodes.
/// </summary>
public static class ConvNeXtSupport
{
    public const string LayerNormClass = "InceptionDslLayerNorm2d";

    public const string ChannelLinearClass = "InceptionDslChannelLinear";

    private const string ModuleBase = "global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor>";

    /// <summary>The section's C#, with <c>IOnnxWritable</c> implementations when the project references InceptionDsl.Onnx.</summary>
    public static string Text(bool onnx)
    {
        var interfaces = onnx ? ", " + OnnxEmitter.BlockInterface : "";
        return (@"/// <summary>
/// LayerNorm over the channels at every position of an NCHW map: torchvision's LayerNorm2d (permute to NHWC,
/// layer_norm over the last dimension, permute back), weight and bias [C] as nn.LayerNorm's.
/// </summary>
[global::System.CodeDom.Compiler.GeneratedCode(""InceptionDsl"", """ + EmitOptions.GeneratorVersion + @""")]
public sealed class " + LayerNormClass + " : " + ModuleBase + interfaces + @"
{
    private readonly global::TorchSharp.Modules.Parameter weight;
    private readonly global::TorchSharp.Modules.Parameter bias;

    /// <summary>Builds the LayerNorm over <paramref name=""channels""/> channels: weight 1, bias 0, as PyTorch's.</summary>
    public " + LayerNormClass + @"(long channels, double eps = 1e-5) : base(""LayerNorm2d"")
    {
        Eps = eps;
        this.weight = global::TorchSharp.torch.nn.Parameter(global::TorchSharp.torch.ones(channels));
        this.bias = global::TorchSharp.torch.nn.Parameter(global::TorchSharp.torch.zeros(channels));
        RegisterComponents();
    }

    /// <summary>Added to the variance.</summary>
    public double Eps { get; }

    /// <inheritdoc />
    public override global::TorchSharp.torch.Tensor forward(global::TorchSharp.torch.Tensor input) =>
        global::TorchSharp.torch.nn.functional.layer_norm(input.permute(0, 2, 3, 1), new[] { this.weight.shape[0] }, this.weight, this.bias, Eps).permute(0, 3, 1, 2);
" + (onnx ? @"
    /// <inheritdoc />
    string global::InceptionDsl.Onnx.IOnnxWritable.WriteOnnx(global::InceptionDsl.Onnx.OnnxGraphBuilder graph, string path, string input) =>
        graph.LayerNorm2d(path, input, this.weight, this.bias, Eps);
" : "") + @"}

/// <summary>
/// nn.Linear over the channels at every position of an NCHW map (ConvNeXt's Linear between its Permutes): permute to
/// NHWC, linear, permute back; weight [out, in] and bias [out], initialised as nn.Linear's.
/// </summary>
[global::System.CodeDom.Compiler.GeneratedCode(""InceptionDsl"", """ + EmitOptions.GeneratorVersion + @""")]
public sealed class " + ChannelLinearClass + " : " + ModuleBase + interfaces + @"
{
    private readonly global::TorchSharp.Modules.Parameter weight;
    private readonly global::TorchSharp.Modules.Parameter? bias;

    /// <summary>Builds the layer from <paramref name=""inChannels""/> to <paramref name=""outChannels""/> channels.</summary>
    public " + ChannelLinearClass + @"(long inChannels, long outChannels, bool bias = true) : base(""ChannelLinear"")
    {
        // nn.Linear's initialisation, taken from one.
        using var linear = global::TorchSharp.torch.nn.Linear(inChannels, outChannels, hasBias: bias);
        using (global::TorchSharp.torch.no_grad())
        {
            this.weight = global::TorchSharp.torch.nn.Parameter(linear.weight!.detach().clone());
            this.bias = bias ? global::TorchSharp.torch.nn.Parameter(linear.bias!.detach().clone()) : null;
        }

        RegisterComponents();
    }

    /// <inheritdoc />
    public override global::TorchSharp.torch.Tensor forward(global::TorchSharp.torch.Tensor input) =>
        global::TorchSharp.torch.nn.functional.linear(input.permute(0, 2, 3, 1), this.weight, this.bias).permute(0, 3, 1, 2);
" + (onnx ? @"
    /// <inheritdoc />
    string global::InceptionDsl.Onnx.IOnnxWritable.WriteOnnx(global::InceptionDsl.Onnx.OnnxGraphBuilder graph, string path, string input) =>
        graph.ChannelLinear(path, input, this.weight, this.bias);
" : "") + "}").Replace("\r", "");
    }
}
