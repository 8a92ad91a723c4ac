using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Expressions;
using InceptionDsl.Semantics;

namespace InceptionDsl.Emit.PyTorch;

/// <summary>
/// Writes forward steps as straight-line Python: one statement per layer, a local per branch, the shortcut kept
/// aside for a residual add; each after the spec's comment. No step changes a tensor in place, so autograd and the
/// caller's tensors are safe without the ownership bookkeeping of the C# forward.
/// </summary>
internal sealed class PyTorchForward : StepVisitor<(string Source, string Target), string>
{
    private readonly PythonWriter _w;
    private readonly IReadOnlyDictionary<string, string> _attributes;
    private readonly IReadOnlyDictionary<SymExpr, string> _values;
    private readonly HashSet<string> _locals;
    private readonly IReadOnlyDictionary<string, string> _stateNames;

    /// <param name="attributes">Each member's C# field name -&gt; how forward reads it (<c>self.conv1</c>).</param>
    /// <param name="values">Conditions and residual scales computed in the constructor -&gt; the attribute that keeps each.</param>
    /// <param name="reserved">Names forward uses already (its arguments).</param>
    /// <param name="stateNames">Each member's C# field name -&gt; its state_dict name (an aux head's output is keyed by it).</param>
    public PyTorchForward(PythonWriter w, IReadOnlyDictionary<string, string> attributes, IReadOnlyDictionary<SymExpr, string> values, IEnumerable<string> reserved,
        IReadOnlyDictionary<string, string>? stateNames = null)
    {
        _stateNames = stateNames ?? new Dictionary<string, string>();
        _w = w;
        _attributes = attributes;
        _values = values;
        _locals = new HashSet<string>(reserved);
    }

    /// <summary>Applies <paramref name="steps"/> to <paramref name="input"/>, leaving the result in <paramref name="output"/>.</summary>
    public void Write(IReadOnlyList<StepIR> steps, string input, string output)
    {
        if (steps.Count == 0 || input != output && NeedsCopy(steps[0]))
            _w.Line($"{output} = {input}");
        var source = steps.Count > 0 && NeedsCopy(steps[0]) ? output : input;
        foreach (var step in steps)
            source = WriteStep(step, source, output);
    }

    /// <summary>A step that may leave its input untouched needs the output to start as the input.</summary>
    private static bool NeedsCopy(StepIR step) => step switch
    {
        ModuleStep module => module.Optional,
        FunctionalStep functional => functional.Condition is not null,
        AuxTapStep => true,
        _ => false,
    };

    /// <summary>Writes one step reading <paramref name="source"/> after its comment; returns the local holding its result (<paramref name="target"/>).</summary>
    private string WriteStep(StepIR step, string source, string target)
    {
        _w.Comment(step.Comment);
        return Visit(step, (source, target));
    }

    protected override string VisitModule(ModuleStep module, (string Source, string Target) at)
    {
        var call = $"{at.Target} = {_attributes[module.Field]}({at.Source})";
        _w.Line(module.Optional ? $"if {_attributes[module.Field]} is not None:\n    {call}" : call);
        return at.Target;
    }

    protected override string VisitFunctional(FunctionalStep functional, (string Source, string Target) at)
    {
        if (functional.Operation is ScaleByParameterNode scaled)
        {
            _w.Line($"{at.Target} = {at.Source} * {_attributes[scaled.Field]}");
            return at.Target;
        }

        var apply = $"{at.Target} = {PyTorchModules.Apply(functional.Operation, at.Source)}";
        _w.Line(functional.Condition is null ? apply : $"if {_values[functional.Condition]}:\n    {apply}");
        return at.Target;
    }

    protected override string VisitConcat(ConcatStep concat, (string Source, string Target) at)
    {
        var parts = new List<string>();
        foreach (var branch in concat.Branches)
        {
            var local = Allocate(branch.Hint);
            Write(branch.Steps, at.Source, local);
            parts.Add(local);
        }

        _w.Line($"{at.Target} = torch.cat([{string.Join(", ", parts)}], 1)");
        return at.Target;
    }

    protected override string VisitResidual(ResidualStep residual, (string Source, string Target) at)
    {
        var shortcut = Allocate("shortcut");
        Write(residual.Shortcut, at.Source, shortcut);
        var body = Allocate("residual");
        Write(residual.Body, at.Source, body);
        var scale = residual.Scale is null ? "" : " * " + (_values.TryGetValue(residual.Scale, out var scaleAttribute) ? scaleAttribute : PythonExpressions.Render(residual.Scale));
        var sum = $"drop_path({body}, self.drop_path_rate, self.training){scale} + {shortcut}";
        _w.Line(residual.AddCondition is null ? $"{at.Target} = {sum}" : $"{at.Target} = {sum} if {_values[residual.AddCondition]} else {body}");
        return at.Target;
    }

    protected override string VisitGate(GateStep gate, (string Source, string Target) at)
    {
        var weights = Allocate("gate");
        Write(gate.Branch, at.Source, weights);
        _w.Line($"{at.Target} = {at.Source} * {weights}");
        return at.Target;
    }

    protected override string VisitSelect(SelectStep select, (string Source, string Target) at)
    {
        WriteSelect(select, at.Source, at.Target);
        return at.Target;
    }

    protected override string VisitAuxTap(AuxTapStep tap, (string Source, string Target) at)
    {
        var head = _attributes[tap.AuxField];
        _w.Line($"if compute_aux and {head} is not None:\n    aux_outputs[{PythonText.Literal(_stateNames.TryGetValue(tap.AuxField, out var auxName) ? auxName : tap.AuxField.TrimStart('@'))}] = {head}({at.Source})");
        if (at.Target != at.Source)
            _w.Line($"{at.Target} = {at.Source}");
        return at.Target;
    }

    /// <summary>Selective kernels as timm's SelectiveKernel.forward: paths stacked on axis 1, softmax across them, weighted sum.</summary>
    private void WriteSelect(SelectStep select, string source, string target)
    {
        var paths = _attributes[select.PathsField];
        string slices = "";
        if (select.Split)
        {
            slices = Allocate("slices");
            _w.Line($"{slices} = torch.chunk({source}, {select.PathCount}, 1)");
        }

        var stacked = Allocate("stacked");
        var inputs = Enumerable.Range(0, select.PathCount).Select(i => $"{paths}[{i}]({(select.Split ? $"{slices}[{i}]" : source)})");
        _w.Line($"{stacked} = torch.stack([{string.Join(", ", inputs)}], 1)");
        var weights = Allocate("weights");
        _w.Line($"{weights} = {_attributes[select.AttnField]}({stacked}.sum(1))");
        _w.Line($"{weights} = {weights}.view({weights}.shape[0], {select.PathCount}, -1, {weights}.shape[2], {weights}.shape[3]).softmax(1)");
        _w.Line($"{target} = ({stacked} * {weights}).sum(1)");
    }

    private string Allocate(string hint)
    {
        var name = PythonText.Name(hint.TrimStart('@'));
        if (!Syntax.Identifiers.IsIdentifier(name))
            name = "branch";
        var candidate = name;
        for (int i = 1; !_locals.Add(candidate); i++)
            candidate = name + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return candidate;
    }
}
