using System.Collections.Generic;
using System.Linq;

namespace InceptionDsl.Syntax;

/// <summary>
/// One parameter-free activation: its spec word, the kind it lowers to (an alias names the same
/// kind), what it computes, its module class (the name PyTorch and TorchSharp share), how labels show it, and
/// the <c>OnnxGraphBuilder</c> method that writes it. Each backend renders the kind its own way.
/// </summary>
public sealed record ActivationInfo(string Key, string Kind, string Description, string Module, string Detail, string OnnxMethod);

/// <summary>
/// The activations, in one table: a node of each kind (<c>- relu6</c>), a conv's <c>act</c>, and a
/// gate's last node all read it, as do the node-kind registry, the schema, the language reference and the
/// ONNX writer. Adding one is a row here, its functional (and in-place) C# in <c>TorchSharpModules</c>, its torch
/// function in <c>PyTorchModules</c> (and the conv unit's table in <c>PyTorchSupport</c>), and its
/// <c>OnnxGraphBuilder</c> method: an activation is not yet a one-file kind of <c>Kinds/</c>.
/// </summary>
public static class ActivationCatalog
{
    public static readonly IReadOnlyList<ActivationInfo> All = new[]
    {
        new ActivationInfo("relu", "relu", "ReLU, max(x, 0)", "ReLU", "ReLU", "Relu"),
        new ActivationInfo("relu6", "relu6", "ReLU6, min(max(x, 0), 6) (MobileNetV2; a different operation from relu: it clips at 6)", "ReLU6", "ReLU6", "Relu6"),
        new ActivationInfo("sigmoid", "sigmoid", "logistic sigmoid, 1 / (1 + e^-x) (a squeeze-and-excitation gate)", "Sigmoid", "sigmoid", "Sigmoid"),
        new ActivationInfo("hard_sigmoid", "hard_sigmoid", "piecewise-linear sigmoid, relu6(x + 3) / 6 (PyTorch Hardsigmoid)", "Hardsigmoid", "hard sigmoid", "HardSigmoid"),
        new ActivationInfo("hardsigmoid", "hard_sigmoid", "the same as hard_sigmoid (relu6(x + 3) / 6), under PyTorch's name", "Hardsigmoid", "hard sigmoid", "HardSigmoid"),
        new ActivationInfo("hard_swish", "hard_swish", "piecewise-linear swish, x * relu6(x + 3) / 6 (PyTorch Hardswish, MobileNetV3)", "Hardswish", "hard swish", "HardSwish"),
        new ActivationInfo("hardswish", "hard_swish", "the same as hard_swish (x * relu6(x + 3) / 6), under PyTorch's name", "Hardswish", "hard swish", "HardSwish"),
        new ActivationInfo("silu", "silu", "SiLU, x * sigmoid(x)", "SiLU", "SiLU", "Silu"),
        new ActivationInfo("swish", "silu", "the same as silu (x * sigmoid(x)), under its other name", "SiLU", "SiLU", "Silu"),
        new ActivationInfo("gelu", "gelu", "GELU, x * Phi(x) (exact, as PyTorch's default)", "GELU", "GELU", "Gelu"),
        new ActivationInfo("tanh", "tanh", "hyperbolic tangent", "Tanh", "tanh", "Tanh"),
    };

    private static readonly Dictionary<string, ActivationInfo> ByKey = All.ToDictionary(a => a.Key);

    /// <summary>The spec words, in the table's order.</summary>
    public static IReadOnlyList<string> Keys { get; } = All.Select(a => a.Key).ToArray();

    public static bool TryGet(string key, out ActivationInfo info) => ByKey.TryGetValue(key, out info!);

    /// <summary>Whether <paramref name="key"/> is an activation word (of any spelling).</summary>
    public static bool Contains(string key) => ByKey.ContainsKey(key);

    /// <summary>The activation of a lowered kind (the first row of that kind), for writers that start from a step's kind.</summary>
    public static ActivationInfo? OfKind(string kind) => All.FirstOrDefault(a => a.Kind == kind);
}
