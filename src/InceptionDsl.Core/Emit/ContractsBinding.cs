namespace InceptionDsl.Emit;

/// <summary>
/// Binds the shared support types to InceptionDsl.Contracts when the compilation references it (the generator looks
/// for <see cref="MetadataName"/>, as it looks for the ONNX library). The support types are emitted into each project's
/// own namespace, so a library such as the trainer cannot name them; it names the contracts instead, which every
/// namespace's support types then implement: BasicConv2d is an IConvUnit, IDropPath an IDropPathSite, the records
/// derive from the contract records, IInceptionDslModel extends IGeneratedModel with default implementations of
/// its members (so the model classes themselves are unchanged), and the weights catalogue's PretrainedWeights is an
/// IPretrainedWeights (so one loader takes every project's entries). Without the reference nothing changes.
/// </summary>
public static class ContractsBinding
{
    /// <summary>A type of InceptionDsl.Contracts: its presence in the compilation switches the binding on.</summary>
    public const string MetadataName = "InceptionDsl.Contracts.IGeneratedModel";

    private const string Contracts = "global::InceptionDsl.Contracts.";

    /// <summary>Each declaration of the support text and what it becomes.</summary>
    private static readonly (string Declaration, string Bound)[] Edits =
    {
        ("public interface IDropPath\n{", "public interface IDropPath : " + Contracts + "IDropPathSite\n{"),
        ("    double DropPathRate { get; set; }", "    new double DropPathRate { get; set; }"),
        ("public sealed record AuxHeadInfo(string Name, string At, double LossWeight);",
            "public sealed record AuxHeadInfo(string Name, string At, double LossWeight) : " + Contracts + "AuxHead(Name, At, LossWeight);"),
        ("public sealed record FeatureInfo(string Stage, int Stride, long Channels);",
            "public sealed record FeatureInfo(string Stage, int Stride, long Channels) : " + Contracts + "FeatureStage(Stage, Stride, Channels);"),
        ("public sealed record InceptionDslOutput(global::TorchSharp.torch.Tensor Logits, global::System.Collections.Generic.IReadOnlyDictionary<string, global::TorchSharp.torch.Tensor> Aux);",
            "public sealed record InceptionDslOutput(global::TorchSharp.torch.Tensor Logits, global::System.Collections.Generic.IReadOnlyDictionary<string, global::TorchSharp.torch.Tensor> Aux)"
            + " : " + Contracts + "ModelOutput(Logits, Aux);"),
        ("public interface IInceptionDslModel\n{", "public interface IInceptionDslModel : " + Contracts + "IGeneratedModel\n{\n" + ModelMembers),
    };

    /// <summary>The weights catalogue's record (PretrainedWeightsSupport) and what it becomes: its members already implement the contract.</summary>
    private static readonly (string Declaration, string Bound)[] WeightsEdits =
    {
        ("double? Top1, double? Top5, string? Citation)\n{", "double? Top1, double? Top5, string? Citation) : " + Contracts + "IPretrainedWeights\n{"),
    };

    /// <summary>IGeneratedModel's members, implemented once for every model by the interface itself.</summary>
    private const string ModelMembers =
        "    /// <inheritdoc />\n"
        + "    " + Contracts + "GeneratedModelInfo " + Contracts + "IGeneratedModel.ModelInfo => new(this.ModelName, this.AuxHeads, this.FeatureStages);\n"
        + "\n"
        + "    /// <inheritdoc />\n"
        + "    " + Contracts + "ModelOutput " + Contracts + "IGeneratedModel.ForwardHeads(global::TorchSharp.torch.Tensor input, bool computeAux) => this.ForwardWithAux(input, computeAux);\n";

    /// <summary>The conv unit's interface, added to its base list beside the others.</summary>
    public const string UnitInterface = Contracts + "IConvUnit";

    /// <summary>The support text (newlines \n) with every declaration bound; each must be found exactly once.</summary>
    public static string Bind(string support) => Apply(support, Edits);

    /// <summary>The weights catalogue's support text (newlines \n) with PretrainedWeights bound to IPretrainedWeights.</summary>
    public static string BindWeights(string weightsSupport) => Apply(weightsSupport, WeightsEdits);

    private static string Apply(string support, (string Declaration, string Bound)[] edits)
    {
        foreach (var (declaration, bound) in edits)
        {
            int at = support.IndexOf(declaration, System.StringComparison.Ordinal);
            if (at < 0 || support.IndexOf(declaration, at + 1, System.StringComparison.Ordinal) >= 0)
                throw new System.InvalidOperationException("the support text no longer holds exactly one '" + declaration + "'");
            support = support.Substring(0, at) + bound + support.Substring(at + declaration.Length);
        }

        return support;
    }
}
