using Microsoft.ML.OnnxRuntime;

namespace InceptionDsl.Cli.Commands;

/// <summary>ONNX Runtime settings as the command line names them.</summary>
public static class OnnxLevels
{
    /// <summary>The ONNX Runtime version in use.</summary>
    public static string Version => OrtEnv.Instance().GetVersionString();

    /// <summary>disable, basic, extended, layout or all; null for anything else.</summary>
    public static GraphOptimizationLevel? ParseLevel(string text) => text.ToLowerInvariant() switch
    {
        "disable" => GraphOptimizationLevel.ORT_DISABLE_ALL,
        "basic" => GraphOptimizationLevel.ORT_ENABLE_BASIC,
        "extended" => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
        "layout" => GraphOptimizationLevel.ORT_ENABLE_LAYOUT,
        "all" => GraphOptimizationLevel.ORT_ENABLE_ALL,
        _ => null,
    };
}
