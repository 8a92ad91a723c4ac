using InceptionDsl.Semantics;
using InceptionDsl.Syntax;
using InceptionDsl.Text;

namespace InceptionDsl.Analysis.Source;

/// <summary>One node lowered for one use in one model of a spec.</summary>
public sealed record NodeUse(string Model, LoweredNode Node)
{
    public SourceSpan Span => Node.Syntax.Span;
}

/// <summary>Collects every node use the lowerer reports, by model, and the document it lowered.</summary>
internal sealed class NodeUseCollector : LoweringObserver
{
    private string _model = "";

    public SpecDocument? Document { get; private set; }

    public List<NodeUse> Uses { get; } = new();

    public override void ModelStarted(SpecDocument document, string model)
    {
        Document = document;
        _model = model;
    }

    public override void NodeLowered(LoweredNode node) => Uses.Add(new NodeUse(_model, node));
}
