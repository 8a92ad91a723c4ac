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
internal sealed class PyTorchForward
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
        {
            WriteStep(step, source, output);
            source = output;
        }
    }

    /// <summary>A step that may leave its input untouched needs the output to start as the input.</summary>
    private static bool NeedsCopy(StepIR step) => step switch
    {
        ModuleStep module => module.Optional,
        FunctionalStep functional => functional.Condition is not null,
        AuxTapStep => true,
        _ => false,
    };

    private void WriteStep(StepIR step, string source, string target)
    {
        _w.Comment(step.Comment);
        switch (step)
        {
            case ModuleStep module:
                var call = $"{target} = {_attributes[module.Field]}({source})";
                _w.Line(module.Optional ? $"if {_attributes[module.Field]} is not None:\n    {call}" : call);
                break;
            case FunctionalStep { Operation: ScaleByParameterNode scaled }:
                _w.Line($"{target} = {source} * {_attributes[scaled.Field]}");
                break;
            case FunctionalStep functional:
                var apply = $"{target} = {PyTorchModules.Apply(functional.Operation, source)}";
                _w.Line(functional.Condition is null ? apply : $"if {_values[functional.Condition]}:\n    {apply}");
                break;
            case ConcatStep concat:
                var parts = new List<string>();
                foreach (var branch in concat.Branches)
                {
                    var local = Allocate(branch.Hint);
                    Write(branch.Steps, source, local);
                    parts.Add(local);
                }

                _w.Line($"{target} = torch.cat([{string.Join(", ", parts)}], 1)");
                break;
            case ResidualStep residual:
                var shortcut = Allocate("shortcut");
                Write(residual.Shortcut, source, shortcut);
                var body = Allocate("residual");
                Write(residual.Body, source, body);
                var scale = residual.Scale is null ? "" : " * " + (_values.TryGetValue(residual.Scale, out var scaleAttribute) ? scaleAttribute : PythonExpressions.Render(residual.Scale));
                var sum = $"drop_path({body}, self.drop_path_rate, self.training){scale} + {shortcut}";
                _w.Line(residual.AddCondition is null ? $"{target} = {sum}" : $"{target} = {sum} if {_values[residual.AddCondition]} else {body}");
                break;
            case GateStep gate:
                var weights = Allocate("gate");
                Write(gate.Branch, source, weights);
                _w.Line($"{target} = {source} * {weights}");
                break;
            case SelectStep select:
                WriteSelect(select, source, target);
                break;
            case AuxTapStep tap:
                var head = _attributes[tap.AuxField];
                _w.Line($"if compute_aux and {head} is not None:\n    aux_outputs[{PythonText.Literal(_stateNames.TryGetValue(tap.AuxField, out var auxName) ? auxName : tap.AuxField.TrimStart('@'))}] = {head}({source})");
                if (target != source)
                    _w.Line($"{target} = {source}");
                break;
        }
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
