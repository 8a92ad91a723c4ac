using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Emit;

namespace InceptionDsl.Semantics;

/// <summary>
/// The names the emitters write themselves, which a spec's names must not take (docs/security.md,
/// "Collisions"). Tests compare each list with the generated code and with TorchSharp's Module, so the
/// lists cannot fall behind the emitters.
/// </summary>
public static class GeneratedNames
{
    /// <summary>Types of the shared support file and the catalog, in the models' namespace.</summary>
    public static IReadOnlyList<string> SupportTypes { get; } = new[]
    {
        "BasicConv2d", "IFoldsBatchNorm", "FeatureMap", "FeatureInfo", "InceptionDslInference", "AuxHeadInfo",
        "InceptionDslOutput", "IInceptionDslModel", "InceptionDslModules", "ZooEntry", "ModelZoo", "IDropPath", "InceptionDslDropPath",
        "PretrainedWeights", "PretrainedPreprocessing",
    }.Concat(Kinds.NodeKinds.Layers.SelectMany(k => k.SupportClasses)).ToArray(); // the support classes of kinds torch does not have

    /// <summary>Members the emitters give a model class (besides its fields and nested block classes).</summary>
    public static IReadOnlyList<string> ModelMembers { get; } = new[]
    {
        "ParameterCount", "ParameterCountWithoutAux", "FlopCount", "AuxHeadInfos", "FeatureInfos", "FeatureStages", "ModelName",
        "AuxHeads", "forward", "ForwardWithAux", "ForwardFeatures", "Fuse", "FoldBatchNorms", InferenceEmitter.FoldedFlag, "OnnxModelInfo",
        // Stochastic depth, on a model with residual additions (IDropPath).
        "DropPathRate", ForwardWriter.DropPathMethod,
        // The catalogue of published weights (a model with a weights list).
        WeightsEmitter.ClassName,
    };

    /// <summary>
    /// Members of a model's <c>Weights</c> class besides its entries, and those every class inherits from <c>object</c>:
    /// a weights entry of such a name would clash with them (CS0102) or hide one (CS0108).
    /// </summary>
    public static IReadOnlyList<string> WeightsMembers { get; } = new[]
    {
        WeightsEmitter.AllProperty, WeightsEmitter.ClassName, "Equals", "GetHashCode", "GetType", "ToString", "ReferenceEquals", "MemberwiseClone", "Finalize",
    };

    /// <summary>Members the emitters give a block class besides its fields and run-time switch fields (DropPathRate and DropPath on a block with residual additions).</summary>
    public static IReadOnlyList<string> BlockMembers { get; } = new[] { "forward", "FoldBatchNorms", InferenceEmitter.FoldedFlag, "DropPathRate", ForwardWriter.DropPathMethod };

    /// <summary>
    /// Public and protected members of TorchSharp's <c>Module&lt;Tensor, Tensor&gt;</c> and <c>object</c>: a member or
    /// nested type of that name would hide one (CS0108, an error with warnings as errors).
    /// </summary>
    public static IReadOnlyList<string> ModuleMembers { get; } = new[]
    {
        "forward", "training", "name", "train", "eval", "parameters", "buffers", "children", "modules", "state_dict",
        "load_state_dict", "to", "cpu", "cuda", "apply", "zero_grad", "Dispose", "GetType", "ToString", "Equals",
        "GetHashCode", "register_module", "register_buffer", "register_parameter", "named_children", "named_modules",
        "named_parameters", "named_buffers", "half", "float", "double", "bfloat16", "RegisterComponents", "call",
        "MemberwiseClone", "Finalize", "ReferenceEquals", "_deviceIndex", "_deviceType", "_internal_buffers", "_internal_params",
        "_internal_submodules", "_named_buffers", "_named_parameters", "_parameters", "_to", "_toEpilog", "add_module", "ClearModules",
        "ConditionallyRegisterBuffer", "ConditionallyRegisterParameter", "Create", "get_buffer", "get_parameter", "GetDefaultDeviceAndType",
        "GetName", "has_buffer", "has_parameter", "load", "module_post_hooks", "module_pre_hooks", "post_hooks", "pre_hooks",
        "register_forward_hook", "register_forward_pre_hook", "ReplaceBuffer", "ReplaceParameter", "save", "save_state_dict",
    };

    /// <summary>Names the generated methods use unqualified: a field named <c>_</c> would turn the discard <c>_ = input;</c> into an assignment.</summary>
    public static IReadOnlyList<string> Unqualified { get; } = new[] { "_" };

    /// <summary>Namespaces a model's namespace may reach without <c>global::</c> in hand-written code of the project.</summary>
    public static IReadOnlyList<string> RootNamespaces { get; } = new[] { "System", "Microsoft", "TorchSharp", "InceptionDsl" };

    /// <summary>Hint (file) names the generator always adds, without <c>.g.cs</c>; compared ignoring case, as Roslyn does.</summary>
    public static IReadOnlyList<string> Hints { get; } = new[] { "ModelZoo", "InceptionDsl.Support" };

    /// <summary>Constructor parameters every block class may have, as C# names.</summary>
    public static IReadOnlyList<string> BlockParameters { get; } = new[] { "inChannels", "numClasses" };
}
