using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace InceptionDsl.Reference;

/// <summary>
/// The reference fixtures' deterministic weights and input: every floating-point state_dict
/// entry is a pure function of its name and flat index, computed in float64 and cast to the
/// tensor's dtype (see ../shared/reference/README.md). Integer tensors are left as they are.
/// </summary>
public static class DeterministicWeights
{
    /// <summary>The name whose values make the input: <c>2 * x("input", i)</c>.</summary>
    public const string InputName = "input";

    /// <summary>FNV-1a 32-bit hash of the UTF-8 bytes of <paramref name="name"/>.</summary>
    public static uint Fnv1a32(string name)
    {
        uint h = 0x811C9DC5;
        foreach (byte b in Encoding.UTF8.GetBytes(name))
        {
            h = unchecked((h ^ b) * 0x01000193u);
        }
        return h;
    }

    /// <summary>The mixed 32-bit value <c>u(name, i)</c> given the name's hash.</summary>
    public static uint Mix(uint nameHash, long index)
    {
        // (i * 2654435761 + h) mod 2^32 only depends on i mod 2^32.
        uint u = unchecked((uint)index * 2654435761u + nameHash);
        u ^= u >> 16;
        u = unchecked(u * 0x45D9F3Bu);
        u ^= u >> 16;
        return u;
    }

    /// <summary><c>x(name, i) = u / 2^32 - 0.5</c>, in [-0.5, 0.5).</summary>
    public static double X(string name, long index) => X(Fnv1a32(name), index);

    /// <summary><c>x</c> given the name's hash.</summary>
    public static double X(uint nameHash, long index) => Mix(nameHash, index) / 4294967296.0 - 0.5;

    /// <summary>
    /// The float64 value of element <paramref name="index"/> of the floating-point state_dict entry
    /// <paramref name="name"/> with shape <paramref name="shape"/>.
    /// </summary>
    public static double Value(string name, IReadOnlyList<long> shape, long index)
    {
        Rule rule = RuleFor(name, shape);
        return rule.Scale * X(Fnv1a32(name), index) + rule.Offset;
    }

    /// <summary>All float64 values of a floating-point state_dict entry, in row-major order.</summary>
    public static double[] Values(string name, IReadOnlyList<long> shape)
    {
        long numel = shape.Aggregate(1L, (a, b) => a * b);
        var result = new double[numel];
        Rule rule = RuleFor(name, shape);
        uint h = Fnv1a32(name);
        for (long i = 0; i < numel; i++) result[i] = rule.Apply(X(h, i));
        return result;
    }

    /// <summary>
    /// Fills every floating-point entry of <paramref name="module"/>'s state_dict in place.
    /// Returns the number of elements written.
    /// </summary>
    public static long Fill(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        long written = 0;
        using IDisposable noGrad = torch.no_grad();
        foreach ((string name, Tensor tensor) in module.state_dict())
        {
            if (!IsFloatingPoint(tensor.dtype)) continue;
            FillTensor(name, tensor);
            written += tensor.numel();
        }
        return written;
    }

    /// <summary>Fills one tensor as the state_dict entry <paramref name="name"/> (in place, no autograd).</summary>
    public static void FillTensor(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!IsFloatingPoint(tensor.dtype))
            throw new ArgumentException($"'{name}' is {tensor.dtype}, not floating point.", nameof(tensor));

        long[] shape = tensor.shape;
        Rule rule = RuleFor(name, shape);
        uint h = Fnv1a32(name);
        using IDisposable noGrad = torch.no_grad();
        if (tensor.dtype == ScalarType.Float32)
        {
            float[] data = ComputeFloat32(h, tensor.numel(), rule);
            using Tensor source = torch.tensor(data, shape, ScalarType.Float32);
            tensor.copy_(source);
        }
        else
        {
            double[] data = ComputeFloat64(h, tensor.numel(), rule);
            using Tensor source = torch.tensor(data, shape, ScalarType.Float64);
            tensor.copy_(source); // float64 -> tensor dtype
        }
    }

    /// <summary>The deterministic input: a float32 tensor of <c>2 * x("input", i)</c>.</summary>
    public static Tensor Input(long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long numel = shape.Aggregate(1L, (a, b) => a * b);
        float[] data = ComputeFloat32(Fnv1a32(InputName), numel, new Rule(2.0, 0.0));
        return torch.tensor(data, shape, ScalarType.Float32);
    }

    /// <summary>Whether a dtype is filled (floating point) or left alone (integer, bool, complex).</summary>
    public static bool IsFloatingPoint(ScalarType dtype) =>
        dtype is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16;

    private static float[] ComputeFloat32(uint h, long numel, Rule rule)
    {
        var data = new float[numel];
        ForChunks(numel, (start, end) =>
        {
            for (long i = start; i < end; i++) data[i] = (float)rule.Apply(X(h, i));
        });
        return data;
    }

    private static double[] ComputeFloat64(uint h, long numel, Rule rule)
    {
        var data = new double[numel];
        ForChunks(numel, (start, end) =>
        {
            for (long i = start; i < end; i++) data[i] = rule.Apply(X(h, i));
        });
        return data;
    }

    private static void ForChunks(long numel, Action<long, long> body)
    {
        const long chunk = 1 << 18;
        if (numel <= chunk)
        {
            body(0, numel);
            return;
        }
        long chunks = (numel + chunk - 1) / chunk;
        Parallel.For(0L, chunks, c => body(c * chunk, Math.Min(numel, (c + 1) * chunk)));
    }

    /// <summary>value = Scale * x + Offset, per the README's leaf rules.</summary>
    private readonly record struct Rule(double Scale, double Offset)
    {
        public double Apply(double x) => Scale * x + Offset;
    }

    private static Rule RuleFor(string name, IReadOnlyList<long> shape)
    {
        int dot = name.LastIndexOf('.');
        string leaf = dot < 0 ? name : name[(dot + 1)..];
        if (leaf == "running_var") return new Rule(1.0, 1.0);           // 1 + x
        if (leaf == "running_mean") return new Rule(0.2, 0.0);          // 0.2 x
        if (shape.Count == 1 && leaf == "weight") return new Rule(0.2, 1.0); // 1 + 0.2 x
        if (shape.Count <= 1) return new Rule(0.2, 0.0);                // biases: 0.2 x
        long numel = shape.Aggregate(1L, (a, b) => a * b);
        double fanIn = shape[0] == 0 ? 1.0 : (double)(numel / shape[0]);
        return new Rule(2.0 * Math.Sqrt(6.0 / fanIn), 0.0);             // x * 2 * sqrt(6 / fan_in)
    }
}
