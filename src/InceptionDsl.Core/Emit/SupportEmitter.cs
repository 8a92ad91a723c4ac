using InceptionDsl.Kinds;

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
        var text = Text.Replace("\r", "");
        if (options.Onnx)
            text = text.Replace(UnitOnnxAnchor, UnitOnnx + UnitOnnxAnchor);
        if (options.Contracts)
            text = ContractsBinding.Bind(text.Replace(UnitDeclaration, UnitDeclaration + ", " + ContractsBinding.UnitInterface));
        w.Line(text);
        w.Line();
        // The support classes of the kinds whose module torch does not have (Kinds/), each a section of its own.
        foreach (var kind in NodeKinds.Layers)
        {
            if (kind.TorchSharpSupport(options.Onnx) is { } section)
            {
                w.Line(section.Replace("\r", ""));
                w.Line();
            }
        }

        var weights = PretrainedWeightsSupport.Text.Replace("\r", "");
        w.Line(options.Contracts ? ContractsBinding.BindWeights(weights) : weights);
        w.Close();
        return w.ToString();
    }

    private const string UnitDeclaration = "public sealed class BasicConv2d : global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor>";

    private const string UnitOnnxAnchor = "    /// <summary>Whether <see cref=\"Fuse\"/> folded";

    /// <summary>
    /// BasicConv2d's ONNX member (OnnxEmitter): the convolution's weights with the BatchNorm folded in, which the
    /// generated writer (OnnxModules) passes to the builder with the unit's geometry and activation from the IR.
    /// </summary>
    private const string UnitOnnx = @"    /// <summary>
    /// The convolution's weight and bias for inference: with the BatchNorm folded in
    /// (<see cref=""InceptionDslInference.FoldedWeights""/>, new tensors), or its own once <see cref=""Fuse""/> folded it.
    /// </summary>
    public (global::TorchSharp.torch.Tensor Weight, global::TorchSharp.torch.Tensor? Bias) InferenceWeights() =>
        this.fused ? (this.conv.weight!, this.conv.bias) : InceptionDslInference.FoldedWeights(this.conv, this.bn);

";

    private const string Text = @"/// <summary>
/// Conv2d -> BatchNorm2d -> optional ReLU: the conv unit of torchvision's and timm's Inception
/// models, with the same state_dict keys (conv.weight, bn.weight, bn.bias, bn.running_mean, ...).
/// Another activation (ReLU6, Hardswish, SiLU, ...) is a parameter-free module applied in ReLU's place,
/// so the state_dict keys stay the same.
/// </summary>
[global::System.CodeDom.Compiler.GeneratedCode(""InceptionDsl"", """ + EmitOptions.GeneratorVersion + @""")]
public sealed class BasicConv2d : global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor>
{
    private readonly global::TorchSharp.Modules.Conv2d conv;
    private readonly global::TorchSharp.Modules.BatchNorm2d bn;
    private readonly bool relu;
    private readonly global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor>? activation;
    private bool fused;

    /// <summary>
    /// Builds the unit; the convolution has no bias unless asked, as BatchNorm follows it. An
    /// <paramref name=""activation""/> replaces the ReLU (give it with relu: false).
    /// </summary>
    public BasicConv2d(long inChannels, long outChannels, (long, long) kernel, (long, long)? stride = null, (long, long)? padding = null,
        (long, long)? dilation = null, long groups = 1, bool bias = false, double eps = 1e-5, double momentum = 0.1, bool relu = true,
        global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor>? activation = null)
        : base(nameof(BasicConv2d))
    {
        this.conv = global::TorchSharp.torch.nn.Conv2d(inChannels, outChannels, kernel, stride: stride ?? (1, 1), padding: padding ?? (0, 0),
            dilation: dilation ?? (1, 1), groups: groups, bias: bias);
        this.bn = global::TorchSharp.torch.nn.BatchNorm2d(outChannels, eps: eps, momentum: momentum);
        this.relu = relu && activation is null;
        this.activation = activation;
        RegisterComponents();
    }

    /// <inheritdoc />
    public override global::TorchSharp.torch.Tensor forward(global::TorchSharp.torch.Tensor x)
    {
        var y = this.fused ? this.conv.forward(x) : this.bn.forward(this.conv.forward(x));
        if (this.activation is not null)
            return this.activation.forward(y);
        // In place, as torchvision's ReLU(inplace=True): y is this unit's own new tensor.
        return this.relu ? y.relu_() : y;
    }

    /// <summary>Whether <see cref=""Fuse""/> folded the BatchNorm into the convolution.</summary>
    public bool IsFused => this.fused;

    /// <summary>
    /// Inference only: folds the BatchNorm's running statistics and affine parameters into the
    /// convolution's weight and bias, after which forward skips the BatchNorm. Irreversible.
    /// </summary>
    public void Fuse()
    {
        if (this.fused)
            return;
        InceptionDslInference.FoldBatchNorm(this.conv, this.bn);
        this.fused = true;
    }
}

/// <summary>Builders the generated constructors share.</summary>
public static class InceptionDslModules
{
    /// <summary>
    /// A spec's make_divisible(v, divisor, min_value) computed in a constructor, as torchvision's _make_divisible:
    /// v rounded to the nearest multiple of divisor, at least min_value, one divisor more where rounding lost over 10%.
    /// </summary>
    public static long MakeDivisible(double value, long divisor, long minValue)
    {
        long rounded = global::System.Math.Max(minValue, (long)(value + divisor / 2.0) / divisor * divisor);
        return rounded < 0.9 * value ? rounded + divisor : rounded;
    }

    /// <summary>
    /// A Sequential of the members that are not null (a constructor argument left the others out):
    /// an unnamed member is named by its position among those kept, as PyTorch's nn.Sequential(*list).
    /// </summary>
    public static global::TorchSharp.Modules.Sequential SequentialOf(
        params (string? Name, global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor>? Module)[] members)
    {
        var kept = new global::System.Collections.Generic.List<(string, global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor>)>();
        foreach (var (name, module) in members)
            if (module is not null)
                kept.Add((name ?? kept.Count.ToString(global::System.Globalization.CultureInfo.InvariantCulture), module));
        return global::TorchSharp.torch.nn.Sequential(kept.ToArray());
    }

    /// <summary>
    /// A Sequential whose members a constructor adds in a loop (a repeat counted by one of its arguments):
    /// <paramref name=""build""/> adds them in order; null members are left out as above.
    /// </summary>
    public static global::TorchSharp.Modules.Sequential SequentialOf(
        global::System.Action<global::System.Collections.Generic.List<(string? Name, global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor>? Module)>> build)
    {
        var members = new global::System.Collections.Generic.List<(string? Name, global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor>? Module)>();
        build(members);
        return SequentialOf(members.ToArray());
    }
}

/// <summary>A module whose forward can skip BatchNorms folded into the convolutions before them.</summary>
public interface IFoldsBatchNorm
{
    /// <summary>Folds each (convolution, BatchNorm) pair the generator knows to be adjacent; forward then skips those BatchNorms.</summary>
    void FoldBatchNorms();
}

/// <summary>A feature map of <see cref=""IInceptionDslModel.ForwardFeatures""/>: the stage it comes from, its stride, the map.</summary>
public sealed record FeatureMap(string Stage, int Stride, global::TorchSharp.torch.Tensor Map);

/// <summary>A feature stage known at build time: its name, stride (input size / map size) and channels.</summary>
public sealed record FeatureInfo(string Stage, int Stride, long Channels);

/// <summary>The inference path: BatchNorm folding, channels-last weights and evaluation under inference mode.</summary>
public static class InceptionDslInference
{
    /// <summary>
    /// The one BatchNorm folding formula, used by <see cref=""FoldBatchNorm""/> (Fuse) and by the ONNX writer:
    /// the weight and bias <paramref name=""conv""/> has with <paramref name=""bn""/> folded in, computed in float64,
    /// w' = w * gamma / sqrt(var + eps), b' = (b - mean) * gamma / sqrt(var + eps) + beta; new tensors of the
    /// convolution's dtype, neither module changed.
    /// </summary>
    public static (global::TorchSharp.torch.Tensor Weight, global::TorchSharp.torch.Tensor Bias) FoldedWeights(global::TorchSharp.Modules.Conv2d conv, global::TorchSharp.Modules.BatchNorm2d bn)
    {
        using var scope = global::TorchSharp.torch.NewDisposeScope();
        using var noGrad = global::TorchSharp.torch.no_grad();
        var dtype = conv.weight!.dtype;
        var outChannels = conv.weight.shape[0];
        var mean = bn.running_mean!.to_type(global::TorchSharp.torch.ScalarType.Float64);
        var variance = bn.running_var!.to_type(global::TorchSharp.torch.ScalarType.Float64);
        var gamma = bn.weight is null ? global::TorchSharp.torch.ones(outChannels, global::TorchSharp.torch.ScalarType.Float64) : bn.weight.to_type(global::TorchSharp.torch.ScalarType.Float64);
        var beta = bn.bias is null ? global::TorchSharp.torch.zeros(outChannels, global::TorchSharp.torch.ScalarType.Float64) : bn.bias.to_type(global::TorchSharp.torch.ScalarType.Float64);
        var factor = gamma / (variance + bn.eps).sqrt();
        var weight = conv.weight.to_type(global::TorchSharp.torch.ScalarType.Float64) * factor.reshape(outChannels, 1, 1, 1);
        var bias = conv.bias is null ? global::TorchSharp.torch.zeros(outChannels, global::TorchSharp.torch.ScalarType.Float64) : conv.bias.to_type(global::TorchSharp.torch.ScalarType.Float64);
        var newBias = (bias - mean) * factor + beta;
        return (scope.MoveToOuter(weight.to_type(dtype).detach()), scope.MoveToOuter(newBias.to_type(dtype).detach()));
    }

    /// <summary>Folds <paramref name=""bn""/> into <paramref name=""conv""/> in place (<see cref=""FoldedWeights""/>).</summary>
    public static void FoldBatchNorm(global::TorchSharp.Modules.Conv2d conv, global::TorchSharp.Modules.BatchNorm2d bn)
    {
        using var scope = global::TorchSharp.torch.NewDisposeScope();
        using var noGrad = global::TorchSharp.torch.no_grad();
        var (weight, bias) = FoldedWeights(conv, bn);
        conv.weight!.copy_(weight);
        if (conv.bias is null)
        {
            var parameter = new global::TorchSharp.Modules.Parameter(bias.detach(), requires_grad: false);
            parameter.DetachFromDisposeScope();
            conv.bias = parameter;
        }
        else
            conv.bias.copy_(bias);
    }

    /// <summary>
    /// Folds every BatchNorm that directly follows a convolution in <paramref name=""root""/>: the conv
    /// units (<see cref=""BasicConv2d.Fuse""/>), generated blocks' (conv, bn) field pairs, and
    /// (Conv2d, BatchNorm2d) neighbours inside a Sequential (that BatchNorm becomes the identity).
    /// Puts the module in eval mode first: folding uses the running statistics. Then, unless
    /// <paramref name=""channelsLast""/> is false, stores the convolution weights channels-last
    /// (<see cref=""ToChannelsLast(global::TorchSharp.torch.nn.Module)""/>). Returns the pairs folded.
    /// </summary>
    public static int Fuse(global::TorchSharp.torch.nn.Module root, bool channelsLast = true)
    {
        root.eval();
        int folded = 0;
        foreach (var module in SelfAndDescendants(root))
        {
            switch (module)
            {
                case BasicConv2d unit:
                    if (!unit.IsFused) { unit.Fuse(); folded++; }
                    break;
                case IFoldsBatchNorm block:
                    block.FoldBatchNorms();
                    folded++;
                    break;
                case global::TorchSharp.Modules.Sequential sequence:
                    global::TorchSharp.torch.nn.Module? previous = null;
                    foreach (var (_, child) in sequence.named_children())
                    {
                        if (previous is global::TorchSharp.Modules.Conv2d conv && child is global::TorchSharp.Modules.BatchNorm2d norm)
                        {
                            FoldBatchNorm(conv, norm);
                            MakeIdentity(norm);
                            folded++;
                        }

                        previous = child;
                    }

                    break;
            }
        }

        if (channelsLast)
            ToChannelsLast(root);
        return folded;
    }

    /// <summary>
    /// Stores every 4-D convolution weight in <paramref name=""root""/> channels-last (NHWC strides,
    /// same shape and values). libtorch's CPU convolution then works in NHWC without reordering:
    /// the first convolution's output takes its weight's layout and the ops after it (convolutions,
    /// pools, concatenation, adds) keep it, so inputs need no conversion, and the model's maps are
    /// channels-last too (<c>.contiguous()</c> gives NCHW). Outputs equal the NCHW model's up to
    /// float rounding.
    /// </summary>
    public static void ToChannelsLast(global::TorchSharp.torch.nn.Module root)
    {
        using var noGrad = global::TorchSharp.torch.no_grad();
        foreach (var module in SelfAndDescendants(root))
        {
            if (module is not global::TorchSharp.Modules.Conv2d { weight: { } weight } conv || weight.dim() != 4)
                continue;
            using var scope = global::TorchSharp.torch.NewDisposeScope();
            var parameter = new global::TorchSharp.Modules.Parameter(ToChannelsLast(weight).detach(), requires_grad: weight.requires_grad);
            parameter.DetachFromDisposeScope();
            conv.weight = parameter;
        }
    }

    /// <summary>
    /// <paramref name=""root""/> and every module below it, collected before the caller walks them:
    /// folding and the layout change replace parameters on the way.
    /// </summary>
    private static global::System.Collections.Generic.List<global::TorchSharp.torch.nn.Module> SelfAndDescendants(global::TorchSharp.torch.nn.Module root)
    {
        var modules = new global::System.Collections.Generic.List<global::TorchSharp.torch.nn.Module> { root };
        foreach (var (_, module) in root.named_modules())
            modules.Add(module);
        return modules;
    }

    /// <summary>A 4-D tensor with channels-last (NHWC) strides, same shape and values; other tensors as they are.</summary>
    public static global::TorchSharp.torch.Tensor ToChannelsLast(global::TorchSharp.torch.Tensor tensor) =>
        tensor.dim() == 4 ? tensor.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : tensor;

    /// <summary>
    /// Whether <paramref name=""tensor""/> is a 4-D tensor laid out channels-last (NHWC), as
    /// libtorch's is_contiguous(channels_last): the strides of size-1 dimensions do not matter.
    /// </summary>
    public static bool IsChannelsLast(global::TorchSharp.torch.Tensor tensor)
    {
        if (tensor.dim() != 4)
            return false;
        var stride = tensor.stride();
        var shape = tensor.shape;
        long expected = 1;
        foreach (var dim in new[] { 1, 3, 2, 0 })
        {
            if (shape[dim] != 1 && stride[dim] != expected)
                return false;
            expected *= shape[dim];
        }

        return true;
    }

    /// <summary>Runs <paramref name=""model""/> in eval mode under <c>torch.inference_mode()</c>.</summary>
    public static global::TorchSharp.torch.Tensor Infer(global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor> model, global::TorchSharp.torch.Tensor input)
    {
        model.eval();
        using var mode = global::TorchSharp.torch.inference_mode();
        return model.forward(input);
    }

    /// <summary>A BatchNorm whose statistics were folded away: mean 0, variance 1 - eps, gamma 1, beta 0.</summary>
    private static void MakeIdentity(global::TorchSharp.Modules.BatchNorm2d bn)
    {
        using var noGrad = global::TorchSharp.torch.no_grad();
        bn.running_mean!.zero_();
        bn.running_var!.fill_(1.0 - bn.eps);
        bn.weight?.fill_(1.0);
        bn.bias?.zero_();
    }
}

/// <summary>A module with residual additions whose branch stochastic depth (drop-path) may drop in training.</summary>
public interface IDropPath
{
    /// <summary>The probability that training drops a sample's residual branch here (0: never); evaluation never drops.</summary>
    double DropPathRate { get; set; }
}

/// <summary>Stochastic depth (Huang et al. 2016) on residual branches, as timm's drop_path.</summary>
public static class InceptionDslDropPath
{
    /// <summary>
    /// In training with <paramref name=""rate""/> &gt; 0: <paramref name=""branch""/> with each sample zeroed with
    /// probability rate and the others scaled by 1 / (1 - rate) (a new tensor); otherwise the branch itself.
    /// </summary>
    public static global::TorchSharp.torch.Tensor Apply(global::TorchSharp.torch.Tensor branch, double rate, bool training)
    {
        if (!training || rate <= 0)
            return branch;
        double keep = 1.0 - rate;
        var shape = new long[branch.dim()];
        global::System.Array.Fill(shape, 1L);
        shape[0] = branch.shape[0];
        using var mask = global::TorchSharp.torch.empty(shape, branch.dtype, branch.device).bernoulli_(keep);
        if (keep > 0)
            mask.div_(keep);
        return branch * mask;
    }

    /// <summary>
    /// Sets the rate of every <see cref=""IDropPath""/> module under <paramref name=""root""/> (itself included), rising
    /// linearly with depth as timm's linspace(0, rate, n): the i-th of n in module order gets maxRate * i / (n - 1).
    /// Returns n.
    /// </summary>
    public static int SetLinear(global::TorchSharp.torch.nn.Module root, double maxRate)
    {
        if (!(maxRate >= 0 && maxRate < 1))
            throw new global::System.ArgumentOutOfRangeException(nameof(maxRate), maxRate, ""a drop-path rate is at least 0 and below 1"");
        var blocks = new global::System.Collections.Generic.List<IDropPath>();
        if (root is IDropPath self)
            blocks.Add(self);
        foreach (var (_, module) in root.named_modules())
            if (module is IDropPath block)
                blocks.Add(block);
        for (int i = 0; i < blocks.Count; i++)
            blocks[i].DropPathRate = blocks.Count == 1 ? maxRate : maxRate * i / (blocks.Count - 1);
        return blocks.Count;
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

    /// <summary>The stages <see cref=""ForwardFeatures""/> returns: the last node at each stride 4, 8, 16, 32 the model reaches.</summary>
    global::System.Collections.Generic.IReadOnlyList<FeatureInfo> FeatureStages { get; }

    /// <summary>The feature maps at strides 4, 8, 16 and 32 (as timm's features_only), with their stage names; no head is run.</summary>
    global::System.Collections.Generic.IReadOnlyList<FeatureMap> ForwardFeatures(global::TorchSharp.torch.Tensor input);

    /// <summary>
    /// Inference only: folds every BatchNorm into the convolution before it and, unless
    /// <paramref name=""channelsLast""/> is false, stores the convolution weights channels-last
    /// (see <see cref=""InceptionDslInference.Fuse""/>); returns the model.
    /// </summary>
    IInceptionDslModel Fuse(bool channelsLast = true);
}";
}
