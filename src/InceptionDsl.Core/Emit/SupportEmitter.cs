namespace InceptionDsl.Emit;

/// <summary>
/// Emits the types every generated model shares: the conv unit, the model interface and the
/// forward result. One file per project, independent of the specs.
/// </summary>
public static class SupportEmitter
{
    public const string HintName = "InceptionDsl.Support.g.cs";

    public static string Emit(EmitOptions options)
    {
        var w = new CodeWriter();
        SourceHeader.Write(w, "(shared support types)");
        w.Open($"namespace {options.Namespace}");
        w.Line(Text.Replace("\r", ""));
        w.Close();
        return w.ToString();
    }

    private const string Text = @"/// <summary>
/// Conv2d -> BatchNorm2d -> optional ReLU: the conv unit of torchvision's and timm's Inception
/// models, with the same state_dict keys (conv.weight, bn.weight, bn.bias, bn.running_mean, ...).
/// </summary>
[global::System.CodeDom.Compiler.GeneratedCode(""InceptionDsl"", """ + EmitOptions.GeneratorVersion + @""")]
public sealed class BasicConv2d : global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor>
{
    private readonly global::TorchSharp.Modules.Conv2d conv;
    private readonly global::TorchSharp.Modules.BatchNorm2d bn;
    private readonly bool relu;

    /// <summary>Builds the unit; the convolution has no bias unless asked, as BatchNorm follows it.</summary>
    public BasicConv2d(long inChannels, long outChannels, (long, long) kernel, (long, long)? stride = null, (long, long)? padding = null,
        (long, long)? dilation = null, long groups = 1, bool bias = false, double eps = 1e-5, double momentum = 0.1, bool relu = true)
        : base(nameof(BasicConv2d))
    {
        this.conv = global::TorchSharp.torch.nn.Conv2d(inChannels, outChannels, kernel, stride: stride ?? (1, 1), padding: padding ?? (0, 0),
            dilation: dilation ?? (1, 1), groups: groups, bias: bias);
        this.bn = global::TorchSharp.torch.nn.BatchNorm2d(outChannels, eps: eps, momentum: momentum);
        this.relu = relu;
        RegisterComponents();
    }

    /// <inheritdoc />
    public override global::TorchSharp.torch.Tensor forward(global::TorchSharp.torch.Tensor x)
    {
        var y = this.bn.forward(this.conv.forward(x));
        return this.relu ? global::TorchSharp.torch.nn.functional.relu(y) : y;
    }
}

/// <summary>An auxiliary classifier of a model: its name, the trunk node it reads, and its loss weight.</summary>
public sealed record AuxHeadInfo(string Name, string At, double LossWeight);

/// <summary>The result of <see cref=""IInceptionDslModel.ForwardWithAux""/>: main logits and the aux heads' logits by name.</summary>
public sealed record InceptionDslOutput(global::TorchSharp.torch.Tensor Logits, global::System.Collections.Generic.IReadOnlyDictionary<string, global::TorchSharp.torch.Tensor> Aux);

/// <summary>What every InceptionDsl-generated model offers beyond Module&lt;Tensor, Tensor&gt;.</summary>
public interface IInceptionDslModel
{
    /// <summary>The model's class name.</summary>
    string ModelName { get; }

    /// <summary>The auxiliary heads the spec declares (built or not).</summary>
    global::System.Collections.Generic.IReadOnlyList<AuxHeadInfo> AuxHeads { get; }

    /// <summary>Logits plus, when computeAux is true (default: in training mode), the built aux heads' outputs.</summary>
    InceptionDslOutput ForwardWithAux(global::TorchSharp.torch.Tensor input, bool? computeAux = null);
}";
}
