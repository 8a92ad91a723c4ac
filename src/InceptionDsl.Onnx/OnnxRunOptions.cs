using Microsoft.ML.OnnxRuntime;

namespace InceptionDsl.Onnx;

/// <summary>Where an exported model runs.</summary>
public enum OnnxProvider
{
    /// <summary>ONNX Runtime's CPU kernels (always available).</summary>
    Cpu,

    /// <summary>NVIDIA CUDA: needs the Microsoft.ML.OnnxRuntime.Gpu package instead of Microsoft.ML.OnnxRuntime, and CUDA and cuDNN installed.</summary>
    Cuda,
}

/// <summary>ONNX Runtime session settings for <see cref="OnnxModelSession"/>.</summary>
public sealed record OnnxRunOptions
{
    /// <summary>Threads inside one operator (0: ONNX Runtime's default, one per physical core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Graph optimisations; all of them (including layout transformations) by default.</summary>
    public GraphOptimizationLevel OptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>The execution provider; CPU by default.</summary>
    public OnnxProvider Provider { get; init; } = OnnxProvider.Cpu;

    /// <summary>The CUDA device when <see cref="Provider"/> is CUDA.</summary>
    public int DeviceId { get; init; }

    /// <summary>ONNX Runtime's CPU memory arena (faster repeated runs, more memory held).</summary>
    public bool CpuMemoryArena { get; init; } = true;
}
