namespace InceptionDsl.Emit;

/// <summary>
/// Choices a project makes about generated code. <paramref name="Onnx"/>: the compilation
/// references InceptionDsl.Onnx, so models and blocks also get their ONNX writers (OnnxEmitter).
/// <paramref name="Contracts"/>: the compilation references InceptionDsl.Contracts, so the support types implement its
/// namespace-independent interfaces (ContractsBinding).
/// </summary>
public sealed record EmitOptions(string Namespace, bool Onnx = false, bool Contracts = false)
{
    public static EmitOptions Default { get; } = new("InceptionDsl.Models");

    /// <summary>Version written into [GeneratedCode]; fixed so output does not churn between builds.</summary>
    public const string GeneratorVersion = "1.0.0";
}
