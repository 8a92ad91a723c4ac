using System.Collections.Generic;
using InceptionDsl.Diagnostics;
using InceptionDsl.Semantics;

namespace InceptionDsl.Kinds;

/// <summary>
/// What a <see cref="LayerKind"/>'s lowering sees of one node: its spec path (for messages), its options merged over
/// the spec's defaults, the shape flowing in, whether the walk records numbered labels (a block use's rows, where a
/// value computed at run time is shown as its number), and where problems go.
/// </summary>
internal sealed class LayerContext
{
    private readonly List<SpecDiagnostic> _diagnostics;

    public LayerContext(string label, Options options, TensorShape input, bool numbers, List<SpecDiagnostic> diagnostics)
    {
        Label = label;
        Options = options;
        Input = input;
        Numbers = numbers;
        _diagnostics = diagnostics;
    }

    /// <summary>The node's spec path, e.g. <c>features.3.branch1.1</c>.</summary>
    public string Label { get; }

    public Options Options { get; }

    public TensorShape Input { get; }

    /// <summary>Whether the plan should carry a numbered label where a value is computed at run time.</summary>
    public bool Numbers { get; }

    public void Report(SpecDiagnostic diagnostic) => _diagnostics.Add(diagnostic);

    /// <summary>A channel problem of this node, at <paramref name="option"/>'s value (the node where it has none).</summary>
    public void ChannelMismatch(string option, string message) => Report(Descriptors.ChannelMismatch.Create(Options.SpanOf(option), Label, message));

    /// <summary>Whether the input is a feature map; reports, and is false, for a vector.</summary>
    public bool RequireMap()
    {
        if (!Input.IsVector)
            return true;
        Report(Descriptors.ChannelMismatch.Create(Options.Span, Label, $"needs a feature map [C, H, W] but its input is the vector {Input}"));
        return false;
    }
}
