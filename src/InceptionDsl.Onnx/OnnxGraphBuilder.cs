using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Google.Protobuf;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace InceptionDsl.Onnx;

/// <summary>
/// Builds an ONNX inference graph from a generated model's forward, one call per step. Every node
/// and initializer is named after the state_dict path of the layer that makes it. The generated
/// writer gives each layer's geometry from the IR and its tensors from the module's fields; a
/// convolution that a BatchNorm folds into (the IR's pairing) arrives with the folded weights
/// (the generated InceptionDslInference.FoldedWeights, the formula Fuse() uses), so the builder
/// holds no folding arithmetic; dropout is left out. Shapes are
/// tracked as the graph grows, which gives the value infos and decides whether the spatial size
/// of the input can stay dynamic.
/// </summary>
public sealed partial class OnnxGraphBuilder
{
    /// <summary>The ONNX operator set the graph uses (Conv, BatchNormalization, pools, Gemm, Concat, ...).</summary>
    public const int Opset = 17;

    /// <summary>ONNX IR version 8: the one that goes with opset 17.</summary>
    public const long IrVersion = 8;

    /// <summary>The name of the graph's input, [N, C, H, W].</summary>
    public const string InputName = "input";

    /// <summary>The name of the graph's main output, [N, classes].</summary>
    public const string LogitsName = "logits";

    private readonly List<NodeProto> _nodes = new();
    private readonly Dictionary<string, float[]> _weights = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long[]> _weightDims = new(StringComparer.Ordinal);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal) { InputName, LogitsName };
    private readonly Dictionary<string, Shape> _shapes = new(StringComparer.Ordinal);
    private readonly List<(string Name, string Value)> _auxOutputs = new();
    private string? _logits;

    /// <summary>A value's shape without the batch axis: [C, H, W], or [C] for a vector.</summary>
    private sealed record Shape(long C, long H, long W, bool IsVector, bool SpatialFree = false);

    /// <summary>Starts a graph whose input is [N, <paramref name="inChannels"/>, <paramref name="height"/>, <paramref name="width"/>].</summary>
    public OnnxGraphBuilder(long inChannels, long height, long width, bool includeAux = false)
    {
        InChannels = inChannels;
        Height = height;
        Width = width;
        IncludeAux = includeAux;
        _shapes[InputName] = new Shape(inChannels, height, width, false);
    }

    /// <summary>Input channels (set from the first convolution that reads the input, which knows them).</summary>
    public long InChannels { get; private set; }

    /// <summary>The spatial size the shapes are computed for.</summary>
    public long Height { get; }

    /// <inheritdoc cref="Height"/>
    public long Width { get; }

    /// <summary>Whether aux heads are written as extra outputs.</summary>
    public bool IncludeAux { get; }

    /// <summary>
    /// True once a step needs the input's exact spatial size (a flatten of a feature map, an adaptive
    /// pool to more than 1x1): the input's H and W are then fixed in the file; otherwise dynamic.
    /// </summary>
    public bool FixedSpatialSize { get; private set; }

    /// <summary>The name of the graph's input value.</summary>
    public string Input => InputName;

    /// <summary>The nodes written so far, in order.</summary>
    public int NodeCount => _nodes.Count;

    /// <summary>The state_dict path of <paramref name="name"/> under <paramref name="path"/>.</summary>
    public static string Child(string path, string name) => path.Length == 0 ? name : path + "." + name;

    /// <summary>
    /// A Sequential's children as its constructor kept them, in order, with their state_dict names: the generated
    /// writer finds each member the IR describes here (a member built under a condition may be missing).
    /// </summary>
    public static (string Name, nn.Module Module)[] Children(TorchSharp.Modules.Sequential sequence) => sequence.named_children().ToArray();

    /// <summary>
    /// Writes a module the generated writer does not render from the IR: a generated block or support module,
    /// which writes itself (<see cref="IOnnxWritable"/>), or a Sequential of those (its children named by their
    /// position or own name). Every built-in layer (convolution, BatchNorm, pools, linear, activations) is written
    /// by the generated code with its geometry from the IR; none is read off a TorchSharp module here.
    /// </summary>
    public string Module(nn.Module module, string path, string input)
    {
        switch (module)
        {
            case IOnnxWritable writable:
                return writable.WriteOnnx(this, path, input);
            case TorchSharp.Modules.Sequential sequence:
                var value = input;
                foreach (var (name, child) in sequence.named_children())
                    value = Module(child, Child(path, name), value);
                return value;
            default:
                throw new NotSupportedException($"{path}: module {module.GetType().Name} has no ONNX form (the generated writer renders built-in layers from the IR)");
        }
    }

    /// <summary>
    /// A convolution (Conv) with the geometry the IR gives and the tensors of the module (or the folded ones):
    /// <paramref name="weight"/> [out, in / groups, kh, kw] must agree with the kernel and the input's channels.
    /// </summary>
    public string Conv(string path, string input, Tensor weight, Tensor? bias, (long H, long W) kernel, (long H, long W) stride, (long H, long W) padding,
        (long H, long W) dilation, long groups)
    {
        var shape = Read(input);
        var dims = weight.shape;
        long outChannels = dims[0];
        if (dims.Length != 4 || dims[2] != kernel.H || dims[3] != kernel.W || groups < 1 || outChannels % groups != 0)
            throw new NotSupportedException($"{path}: a weight of shape [{string.Join(", ", dims)}] is no {kernel.H}x{kernel.W} convolution in {groups} groups");
        if (input == InputName)
            InChannels = dims[1] * groups;
        else if (dims[1] * groups != shape.C)
            throw new NotSupportedException($"{path}: a convolution over {dims[1] * groups} channels cannot read {shape.C}");

        var inputs = new List<string> { input, AddWeight(Child(path, "weight"), Array(weight), dims) };
        if (bias is not null)
            inputs.Add(AddWeight(Child(path, "bias"), Array(bias), new[] { outChannels }));
        var node = AddNode("Conv", path, inputs, Ints("kernel_shape", kernel.H, kernel.W), Ints("strides", stride.H, stride.W),
            Ints("pads", padding.H, padding.W, padding.H, padding.W), Ints("dilations", dilation.H, dilation.W), Int("group", groups));
        var output = node.Output[0];
        var spatialFree = shape.SpatialFree && kernel == (1, 1) && stride == (1, 1) && padding == (0, 0);
        _shapes[output] = new Shape(outChannels, InceptionDsl.Semantics.ShapeRules.ConvOut(shape.H, kernel.H, stride.H, padding.H, dilation.H),
            InceptionDsl.Semantics.ShapeRules.ConvOut(shape.W, kernel.W, stride.W, padding.W, dilation.W), false, spatialFree);
        return output;
    }

    /// <summary>
    /// A BatchNorm no convolution folds it in (the IR's pairing decides): a BatchNormalization node with the IR's
    /// <paramref name="eps"/> and the module's tensors (a missing weight or bias is 1 or 0).
    /// </summary>
    public string BatchNorm(string path, string input, Tensor? weight, Tensor? bias, Tensor runningMean, Tensor runningVar, double eps)
    {
        var shape = Read(input);
        long channels = runningMean.numel();
        if (shape.IsVector || channels != shape.C)
            throw new NotSupportedException($"{path}: a BatchNorm over {channels} channels cannot read {shape.C}");
        var names = new[]
        {
            AddWeight(Child(path, "weight"), weight is null ? Enumerable.Repeat(1f, (int)channels).ToArray() : Array(weight), new[] { channels }),
            AddWeight(Child(path, "bias"), bias is null ? new float[channels] : Array(bias), new[] { channels }),
            AddWeight(Child(path, "running_mean"), Array(runningMean), new[] { channels }),
            AddWeight(Child(path, "running_var"), Array(runningVar), new[] { channels }),
        };
        var node = AddNode("BatchNormalization", path, new[] { input }.Concat(names), Float("epsilon", (float)eps));
        _shapes[node.Output[0]] = shape;
        return node.Output[0];
    }

    /// <summary>A fully connected layer: Gemm(x, W, b) with W transposed, as nn.Linear stores it; W [out, in] must read the input's features.</summary>
    public string Linear(string path, string input, Tensor weight, Tensor? bias)
    {
        var shape = Read(input);
        var dims = weight.shape;
        if (!shape.IsVector || dims.Length != 2 || dims[1] != shape.C)
            throw new NotSupportedException($"{path}: a linear layer of [{string.Join(", ", dims)}] needs a flat input of {(dims.Length == 2 ? dims[1] : 0)} features, not {shape}");
        var inputs = new List<string> { input, AddWeight(Child(path, "weight"), Array(weight), dims) };
        if (bias is not null)
            inputs.Add(AddWeight(Child(path, "bias"), Array(bias), new[] { dims[0] }));
        var node = AddNode("Gemm", path, inputs, Int("transB", 1));
        _shapes[node.Output[0]] = new Shape(dims[0], 1, 1, true);
        return node.Output[0];
    }

    /// <summary>ReLU.</summary>
    public string Relu(string path, string input) => Unary("Relu", path, input);

    /// <summary>Sigmoid.</summary>
    public string Sigmoid(string path, string input) => Unary("Sigmoid", path, input);

    /// <summary>Tanh.</summary>
    public string Tanh(string path, string input) => Unary("Tanh", path, input);

    /// <summary>PyTorch's hardsigmoid, relu6(x + 3) / 6: HardSigmoid with alpha 1/6, beta 0.5.</summary>
    public string HardSigmoid(string path, string input)
    {
        var shape = Read(input);
        var node = AddNode("HardSigmoid", path, new[] { input }, Float("alpha", 1f / 6), Float("beta", 0.5f));
        _shapes[node.Output[0]] = shape;
        return node.Output[0];
    }

    /// <summary>ReLU6, min(max(x, 0), 6): Clip with its bounds as inputs (opset 11 on), as PyTorch exports it.</summary>
    public string Relu6(string path, string input)
    {
        var shape = Read(input);
        var low = AddWeight(Child(path, "min"), new[] { 0f }, System.Array.Empty<long>());
        var high = AddWeight(Child(path, "max"), new[] { 6f }, System.Array.Empty<long>());
        var node = AddNode("Clip", path, new[] { input, low, high });
        _shapes[node.Output[0]] = shape;
        return node.Output[0];
    }

    /// <summary>PyTorch's hardswish, x * relu6(x + 3) / 6: ONNX HardSwish (opset 14 on), the same formula.</summary>
    public string HardSwish(string path, string input) => Unary("HardSwish", path, input);

    /// <summary>SiLU (swish), x * sigmoid(x): opset 17 has no SiLU operator.</summary>
    public string Silu(string path, string input)
    {
        var gate = Sigmoid(Child(path, "sigmoid"), input);
        return Multiply(path, input, gate);
    }

    /// <summary>GELU, exact: x * 0.5 * (1 + erf(x / sqrt 2)) (opset 17 has no Gelu operator).</summary>
    public string Gelu(string path, string input)
    {
        var shape = Read(input);
        var scaled = Binary("Div", Child(path, "div"), input, AddWeight(Child(path, "sqrt2"), new[] { MathF.Sqrt(2f) }, System.Array.Empty<long>()), shape);
        var erf = Unary("Erf", Child(path, "erf"), scaled);
        var plusOne = Binary("Add", Child(path, "add"), erf, AddWeight(Child(path, "one"), new[] { 1f }, System.Array.Empty<long>()), shape);
        var half = Binary("Mul", Child(path, "half"), input, AddWeight(Child(path, "half_value"), new[] { 0.5f }, System.Array.Empty<long>()), shape);
        return Binary("Mul", path, half, plusOne, shape);
    }

    /// <summary><c>x * weights</c>, the weights [N, C, 1, 1] broadcast over the map (squeeze-and-excitation).</summary>
    public string Gate(string path, string input, string weights) => Multiply(path, input, weights);

    /// <summary>The input's channels in <paramref name="parts"/> equal slices (Split on axis 1), in order.</summary>
    public string[] SplitChannels(string path, string input, int parts)
    {
        var shape = Read(input);
        if (parts < 1 || shape.IsVector || shape.C % parts != 0)
            throw new NotSupportedException($"{path}: cannot split {shape.C} channels into {parts} equal slices");
        var name = UniqueName(path);
        var outputs = Enumerable.Range(0, parts).Select(i => UniqueName(Child(name, i.ToString(CultureInfo.InvariantCulture)))).ToArray();
        var node = MakeNode("Split", name, new[] { input }, outputs);
        node.Attribute.Add(Int("axis", 1));
        _nodes.Add(node);
        foreach (var output in outputs)
            _shapes[output] = shape with { C = shape.C / parts, SpatialFree = false };
        return outputs;
    }

    /// <summary>The element-wise sum of values of one shape (ONNX Sum).</summary>
    public string Sum(string path, params string[] inputs)
    {
        var shape = inputs.Select(i => Read(i)).First();
        var node = AddNode("Sum", path, inputs);
        _shapes[node.Output[0]] = shape with { SpatialFree = false };
        return node.Output[0];
    }

    /// <summary>
    /// Selective kernels' weighted sum: <paramref name="weights"/> [N, paths x C, h, w] (h, w: 1 or
    /// the map's) reshaped to [N, paths, C x h x w], softmaxed across the paths (axis 1), reshaped
    /// back and split per path; the output is the sum of each path times its weights. The
    /// reshaped values have three axes and get no value info.
    /// </summary>
    public string SelectKernel(string path, string[] paths, string weights)
    {
        var shape = Read(paths[0]);
        var weightShape = Read(weights);
        int count = paths.Length;
        if (weightShape.IsVector || weightShape.C != count * shape.C)
            throw new NotSupportedException($"{path}: weights of {weightShape.C} channels cannot weight {count} paths of {shape.C}");
        bool pixel = weightShape.H == 1 && weightShape.W == 1;
        if (!pixel)
            FixedSpatialSize = true;
        var grouped = AddNode("Reshape", Child(path, "group"), new[] { weights, Int64Constant(Child(path, "group_shape"), 0, count, -1) });
        var softmax = AddNode("Softmax", Child(path, "softmax"), new[] { grouped.Output[0] }, Int("axis", 1));
        var back = AddNode("Reshape", Child(path, "ungroup"), new[] { softmax.Output[0], Int64Constant(Child(path, "ungroup_shape"), 0, count * shape.C, pixel ? 1 : weightShape.H, pixel ? 1 : weightShape.W) });
        _shapes[back.Output[0]] = weightShape with { SpatialFree = pixel };
        var perPath = SplitChannels(Child(path, "split_weights"), back.Output[0], count);
        var weighted = paths.Select((p, i) => Binary("Mul", Child(path, "mul" + i.ToString(CultureInfo.InvariantCulture)), p, perPath[i], shape with { SpatialFree = false })).ToArray();
        return Sum(path, weighted);
    }

    /// <summary>A Constant node holding a 1-D int64 tensor (a shape for Reshape).</summary>
    private string Int64Constant(string path, params long[] values)
    {
        var tensor = new TensorProto { DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        var node = AddNode("Constant", path, System.Array.Empty<string>(), new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = tensor });
        return node.Output[0];
    }

    private string Multiply(string path, string input, string other) => Binary("Mul", path, input, other, Read(input) with { SpatialFree = false });

    private string Binary(string op, string path, string left, string right, Shape shape)
    {
        var node = AddNode(op, path, new[] { left, right });
        _shapes[node.Output[0]] = shape;
        return node.Output[0];
    }

    /// <summary>Max pooling with PyTorch's geometry (symmetric padding; ceil mode as PyTorch computes it).</summary>
    public string MaxPool(string path, string input, (long H, long W) kernel, (long H, long W) stride, (long H, long W) pad, bool ceil)
    {
        var shape = Read(input);
        var node = AddNode("MaxPool", path, new[] { input }, Ints("kernel_shape", kernel.H, kernel.W), Ints("strides", stride.H, stride.W),
            Ints("pads", pad.H, pad.W, pad.H, pad.W), Int("ceil_mode", ceil ? 1 : 0));
        _shapes[node.Output[0]] = new Shape(shape.C, InceptionDsl.Semantics.ShapeRules.PoolOut(shape.H, kernel.H, stride.H, pad.H, 1, ceil), InceptionDsl.Semantics.ShapeRules.PoolOut(shape.W, kernel.W, stride.W, pad.W, 1, ceil), false);
        return node.Output[0];
    }

    /// <summary>Average pooling; <paramref name="excludePad"/> leaves the padding out of the count (count_include_pad=False).</summary>
    public string AvgPool(string path, string input, (long H, long W) kernel, (long H, long W) stride, (long H, long W) pad, bool ceil, bool excludePad)
    {
        var shape = Read(input);
        var node = AddNode("AveragePool", path, new[] { input }, Ints("kernel_shape", kernel.H, kernel.W), Ints("strides", stride.H, stride.W),
            Ints("pads", pad.H, pad.W, pad.H, pad.W), Int("ceil_mode", ceil ? 1 : 0), Int("count_include_pad", excludePad ? 0 : 1));
        _shapes[node.Output[0]] = new Shape(shape.C, InceptionDsl.Semantics.ShapeRules.PoolOut(shape.H, kernel.H, stride.H, pad.H, 1, ceil), InceptionDsl.Semantics.ShapeRules.PoolOut(shape.W, kernel.W, stride.W, pad.W, 1, ceil), false);
        return node.Output[0];
    }

    /// <summary>Global average pool then flatten: [N, C, H, W] -> [N, C], for any H and W.</summary>
    public string GlobalAvgPool(string path, string input)
    {
        var shape = Read(input);
        var pooled = AddNode("GlobalAveragePool", path, new[] { input });
        _shapes[pooled.Output[0]] = new Shape(shape.C, 1, 1, false, SpatialFree: true);
        return Flatten(Child(path, "flatten"), pooled.Output[0]);
    }

    /// <summary>
    /// Adaptive average pooling (PyTorch's windows) to <paramref name="height"/> x <paramref name="width"/>:
    /// a global pool for 1x1; an AveragePool when the input divides evenly; otherwise the average as
    /// two matrix products (rows, then columns), exact for the input size the model was built for.
    /// </summary>
    public string AdaptiveAvgPool(string path, string input, long height, long width)
    {
        var shape = Read(input);
        if (height == 1 && width == 1)
        {
            var global = AddNode("GlobalAveragePool", path, new[] { input });
            _shapes[global.Output[0]] = new Shape(shape.C, 1, 1, false, SpatialFree: true);
            return global.Output[0];
        }

        FixedSpatialSize = true;
        if (shape.H % height == 0 && shape.W % width == 0)
            return AvgPool(path, input, (shape.H / height, shape.W / width), (shape.H / height, shape.W / width), (0, 0), false, false);

        // x [N, C, H, W] @ Pw^T [W, w] -> [N, C, H, w]; Ph [h, H] @ that -> [N, C, h, w].
        var columns = AddWeight(Child(path, "columns"), Transpose(AdaptiveMatrix(shape.W, width), width, shape.W), new[] { shape.W, width });
        var rows = AddWeight(Child(path, "rows"), AdaptiveMatrix(shape.H, height), new[] { height, shape.H });
        var byColumns = AddNode("MatMul", Child(path, "columns"), new[] { input, columns });
        _shapes[byColumns.Output[0]] = new Shape(shape.C, shape.H, width, false);
        var byRows = AddNode("MatMul", path, new[] { rows, byColumns.Output[0] });
        _shapes[byRows.Output[0]] = new Shape(shape.C, height, width, false);
        return byRows.Output[0];
    }

    /// <summary>Flatten to [N, features]; a vector passes unchanged.</summary>
    public string Flatten(string path, string input)
    {
        var shape = Read(input);
        if (shape.IsVector)
            return input;
        if (!shape.SpatialFree)
            FixedSpatialSize = true;
        var node = AddNode("Flatten", path, new[] { input }, Int("axis", 1));
        _shapes[node.Output[0]] = new Shape(shape.C * shape.H * shape.W, 1, 1, true);
        return node.Output[0];
    }

    /// <summary>Concatenation on channels, in order.</summary>
    public string Concat(string path, params string[] inputs)
    {
        var shapes = inputs.Select(i => Read(i)).ToList();
        var node = AddNode("Concat", path, inputs, Int("axis", 1));
        _shapes[node.Output[0]] = shapes[0] with { C = shapes.Sum(s => s.C), SpatialFree = false };
        return node.Output[0];
    }

    /// <summary><c>body * scale + shortcut</c> (no Mul when the scale is 1).</summary>
    public string Residual(string path, string body, string shortcut, double scale)
    {
        var shape = Read(body);
        if (scale != 1.0)
        {
            var factor = AddWeight(Child(path, "scale"), new[] { (float)scale }, System.Array.Empty<long>());
            var scaled = AddNode("Mul", Child(path, "mul"), new[] { body, factor });
            _shapes[scaled.Output[0]] = shape;
            body = scaled.Output[0];
        }

        Read(shortcut);
        var node = AddNode("Add", path, new[] { body, shortcut });
        _shapes[node.Output[0]] = shape with { SpatialFree = false };
        return node.Output[0];
    }

    /// <summary>Adds an aux head's output as a graph output named after the head (only when <see cref="IncludeAux"/>).</summary>
    public void AuxOutput(string name, string value)
    {
        if (!IncludeAux)
            throw new InvalidOperationException("aux outputs were not asked for");
        Read(value);
        _auxOutputs.Add((name, value));
    }

    /// <summary>Marks <paramref name="value"/> as the model's logits.</summary>
    public void Logits(string value)
    {
        Read(value);
        _logits = value;
    }

    /// <summary>
    /// The finished model: opset, IR version, producer, metadata, the input [N, C, H, W] (N always
    /// symbolic; H and W too unless <see cref="FixedSpatialSize"/>), outputs, raw-data initializers
    /// and a value info for every intermediate value.
    /// </summary>
    public ModelProto Build(OnnxModelInfo info, long parameterCount, string producerVersion)
    {
        if (_logits is null)
            throw new InvalidOperationException("the model wrote no logits");
        var graph = new GraphProto { Name = info.ModelName, DocString = $"{info.ModelName}, exported by InceptionDsl from {info.SpecFile}" };
        // Outputs get their public names through Identity nodes, so the graph's values keep their state_dict names.
        var outputs = new List<(string Public, string Value)> { (LogitsName, _logits) };
        outputs.AddRange(_auxOutputs);
        foreach (var (name, value) in outputs)
            _nodes.Add(MakeNode("Identity", name == LogitsName ? LogitsName + "_identity" : UniqueName(name + "_identity"), new[] { value }, new[] { name }));

        graph.Node.AddRange(_nodes);
        foreach (var (name, data) in _weights)
        {
            var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan())) };
            if (!BitConverter.IsLittleEndian)
                throw new PlatformNotSupportedException("ONNX raw data is little-endian");
            tensor.Dims.AddRange(_weightDims[name]);
            graph.Initializer.Add(tensor);
        }

        graph.Input.Add(ValueInfo(InputName, _shapes[InputName] with { C = InChannels }));
        foreach (var (name, value) in outputs)
            graph.Output.Add(ValueInfo(name, _shapes[value]));
        var published = new HashSet<string>(outputs.Select(o => o.Public)) { InputName };
        foreach (var (name, shape) in _shapes)
        {
            if (!published.Contains(name))
                graph.ValueInfo.Add(ValueInfo(name, shape));
        }

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "InceptionDsl",
            ProducerVersion = producerVersion,
            Domain = "org.inceptiondsl",
            ModelVersion = 1,
            DocString = graph.DocString,
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        void Meta(string key, string? value)
        {
            if (value is not null)
                model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        Meta("model_name", info.ModelName);
        Meta("spec_file", info.SpecFile);
        Meta("paper", info.Paper);
        Meta("peer", info.Peer);
        Meta("parameter_count", parameterCount.ToString(CultureInfo.InvariantCulture));
        Meta("reported_top1", info.Top1?.ToString(CultureInfo.InvariantCulture));
        Meta("reported_top5", info.Top5?.ToString(CultureInfo.InvariantCulture));
        Meta("input_size", string.Create(CultureInfo.InvariantCulture, $"{InChannels}x{Height}x{Width}"));
        Meta("dynamic_spatial_size", FixedSpatialSize ? "false" : "true");
        Meta("aux_outputs", string.Join(",", _auxOutputs.Select(a => a.Name)));
        return model;
    }

    private ValueInfoProto ValueInfo(string name, Shape shape)
    {
        var tensorShape = new TensorShapeProto();
        tensorShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        tensorShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = shape.C });
        if (!shape.IsVector)
        {
            bool isInput = name == InputName;
            tensorShape.Dim.Add(FixedSpatialSize || shape.SpatialFree ? new TensorShapeProto.Types.Dimension { DimValue = shape.H }
                : isInput ? new TensorShapeProto.Types.Dimension { DimParam = "H" } : new TensorShapeProto.Types.Dimension());
            tensorShape.Dim.Add(FixedSpatialSize || shape.SpatialFree ? new TensorShapeProto.Types.Dimension { DimValue = shape.W }
                : isInput ? new TensorShapeProto.Types.Dimension { DimParam = "W" } : new TensorShapeProto.Types.Dimension());
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = tensorShape } },
        };
    }

    private string Unary(string op, string path, string input)
    {
        var shape = Read(input);
        var node = AddNode(op, path, new[] { input });
        _shapes[node.Output[0]] = shape;
        return node.Output[0];
    }

    /// <summary>A value's shape; a value no node produced is a bug in the writer.</summary>
    private Shape Read(string value)
    {
        if (!_shapes.TryGetValue(value, out var shape))
            throw new InvalidOperationException($"value '{value}' is read before any node produced it");
        return shape;
    }

    private NodeProto AddNode(string op, string path, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        var name = UniqueName(path.Length == 0 ? op.ToLowerInvariant() : path);
        var node = MakeNode(op, name, inputs, new[] { name });
        node.Attribute.AddRange(attributes);
        _nodes.Add(node);
        return node;
    }

    private static NodeProto MakeNode(string op, string name, IEnumerable<string> inputs, IEnumerable<string> outputs)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }

    /// <summary><paramref name="name"/>, or with the first free suffix _1, _2, ... when taken: node, value and initializer names are all unique.</summary>
    private string UniqueName(string name)
    {
        var candidate = name;
        for (int i = 1; !_names.Add(candidate); i++)
            candidate = name + "_" + i.ToString(CultureInfo.InvariantCulture);
        return candidate;
    }

    private string AddWeight(string name, float[] data, long[] dims)
    {
        var unique = UniqueName(name);
        _weights[unique] = data;
        _weightDims[unique] = dims;
        _shapes.Remove(unique);
        return unique;
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>PyTorch's adaptive average pooling as a matrix [output, input]: row i averages input[floor(i*in/out), ceil((i+1)*in/out)).</summary>
    private static float[] AdaptiveMatrix(long input, long output)
    {
        var matrix = new float[output * input];
        for (long i = 0; i < output; i++)
        {
            long start = i * input / output, end = ((i + 1) * input + output - 1) / output;
            for (long j = start; j < end; j++)
                matrix[i * input + j] = 1f / (end - start);
        }

        return matrix;
    }

    private static float[] Transpose(float[] matrix, long rows, long columns)
    {
        var result = new float[matrix.Length];
        for (long r = 0; r < rows; r++)
            for (long c = 0; c < columns; c++)
                result[c * rows + r] = matrix[r * columns + c];
        return result;
    }

    /// <summary>A tensor's values as float32 in logical (row-major NCHW) order, whatever its memory format.</summary>
    private static float[] Array(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var flat = tensor.detach().to(CPU).to_type(ScalarType.Float32).contiguous().reshape(-1);
        return flat.data<float>().ToArray();
    }
}
