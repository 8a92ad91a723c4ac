using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace InceptionDsl.Onnx;

/// <summary>
/// An exported model loaded in ONNX Runtime: runs it on float arrays or TorchSharp tensors
/// ([N, C, H, W], float32) and returns the logits (and aux outputs when the file has them).
/// </summary>
public sealed class OnnxModelSession : IDisposable
{
    private readonly InferenceSession _session;

    /// <summary>Loads a file written by <see cref="OnnxExport"/>.</summary>
    public OnnxModelSession(string path, OnnxRunOptions? options = null)
        : this(options, o => new InferenceSession(path, o))
    {
    }

    /// <summary>Loads a model from its bytes.</summary>
    public OnnxModelSession(byte[] model, OnnxRunOptions? options = null)
        : this(options, o => new InferenceSession(model, o))
    {
    }

    private OnnxModelSession(OnnxRunOptions? options, Func<SessionOptions, InferenceSession> open)
    {
        options ??= new OnnxRunOptions();
        using var sessionOptions = CreateSessionOptions(options);
        _session = open(sessionOptions);
        OutputNames = _session.OutputMetadata.Keys.ToList();
        Metadata = _session.ModelMetadata.CustomMetadataMap;
    }

    /// <summary>The graph's outputs: <c>logits</c> first, then any aux heads.</summary>
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>The file's metadata (model name, spec file, peer, parameter count, ...).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// ONNX Runtime session options for <paramref name="options"/>. Throws
    /// <see cref="OnnxProviderUnavailableException"/> when the provider is not in this build of ONNX Runtime.
    /// </summary>
    public static SessionOptions CreateSessionOptions(OnnxRunOptions options)
    {
        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = options.OptimizationLevel,
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            EnableCpuMemArena = options.CpuMemoryArena,
        };
        if (options.Provider == OnnxProvider.Cuda)
        {
            var available = OrtEnv.Instance().GetAvailableProviders();
            if (!available.Contains("CUDAExecutionProvider"))
            {
                sessionOptions.Dispose();
                throw new OnnxProviderUnavailableException(
                    $"ONNX Runtime provider 'cuda' is not available in this build (available: {string.Join(", ", available)}); reference Microsoft.ML.OnnxRuntime.Gpu instead of Microsoft.ML.OnnxRuntime and install CUDA and cuDNN");
            }

            try
            {
                sessionOptions.AppendExecutionProvider_CUDA(options.DeviceId);
            }
            catch (OnnxRuntimeException e)
            {
                sessionOptions.Dispose();
                throw new OnnxProviderUnavailableException($"ONNX Runtime provider 'cuda' could not start: {e.Message.Split('\n')[0]}");
            }
        }

        return sessionOptions;
    }

    /// <summary>Runs the model on <paramref name="input"/> laid out [N, C, H, W]; returns the logits, [N, classes] row-major.</summary>
    public float[] Run(float[] input, int[] dimensions) => RunAll(input, dimensions)[0].Values;

    /// <summary>Every output (logits first), each with its dimensions.</summary>
    public IReadOnlyList<(string Name, int[] Dimensions, float[] Values)> RunAll(float[] input, int[] dimensions)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (dimensions.Length != 4)
            throw new ArgumentException("the input is [N, C, H, W]", nameof(dimensions));
        var tensor = new DenseTensor<float>(input, dimensions);
        using var results = _session.Run(new[] { NamedOnnxValue.CreateFromTensor(OnnxGraphBuilder.InputName, tensor) });
        return results.Select(r =>
        {
            var output = r.AsTensor<float>();
            return (r.Name, output.Dimensions.ToArray(), output.ToArray());
        }).ToList();
    }

    /// <summary>Runs the model on a TorchSharp tensor [N, C, H, W]; returns the logits as a CPU float32 tensor [N, classes].</summary>
    public torch.Tensor Run(torch.Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        float[] data;
        long[] shape = input.shape;
        using (NewDisposeScope())
            data = input.detach().to(CPU).to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
        var (_, dimensions, values) = RunAll(data, shape.Select(d => checked((int)d)).ToArray())[0];
        return tensor(values, dimensions.Select(d => (long)d).ToArray());
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();
}

/// <summary>The asked-for ONNX Runtime execution provider cannot be used here; the message is one line.</summary>
public sealed class OnnxProviderUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OnnxProviderUnavailableException(string message) : base(message)
    {
    }
}
