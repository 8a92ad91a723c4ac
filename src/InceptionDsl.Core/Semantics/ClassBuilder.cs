using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Expressions;
using InceptionDsl.Diagnostics;
using InceptionDsl.Syntax;
using InceptionDsl.Text;

namespace InceptionDsl.Semantics;

/// <summary>
/// Collects the submodule fields of one class being lowered and enforces unique names: state_dict
/// segments must be unique among siblings, and field names must not collide with each other or
/// with members every TorchSharp module already has.
/// </summary>
internal sealed class ClassBuilder
{
    /// <summary>
    /// Names a field must not take: members of TorchSharp's Module it would hide, and the members the
    /// emitters generate (ParameterCount, Fuse, _bnFolded, ...). A node of such a name gets a field with
    /// a '_' suffix and keeps its state_dict name through [ComponentName].
    /// </summary>
    private static readonly HashSet<string> Reserved = new(GeneratedNames.ModuleMembers.Concat(GeneratedNames.ModelMembers).Concat(GeneratedNames.BlockMembers).Concat(GeneratedNames.Unqualified));

    private readonly Dictionary<string, SourceSpan> _stateNames = new();
    private readonly HashSet<string> _fields = new();

    public ClassBuilder(string name, HashSet<string> reservedExtra)
    {
        Name = name;
        foreach (var extra in reservedExtra)
            _fields.Add(extra);
    }

    public string Name { get; }

    public List<MemberIR> Members { get; } = new();

    /// <summary>Per prefix: how many members so far have a state name starting with it, and how many members were looked at.</summary>
    private readonly Dictionary<string, (int Count, int Seen)> _prefixCounts = new();

    /// <summary>
    /// How many members have a state name starting with <paramref name="prefix"/> (the index of the next
    /// auto-named one). Incremental, so a class of 100,000 auto-named layers stays linear.
    /// </summary>
    public int CountStateNamesStartingWith(string prefix)
    {
        var (count, seen) = _prefixCounts.TryGetValue(prefix, out var known) ? known : (0, 0);
        for (; seen < Members.Count; seen++)
            if (Members[seen].StateName.StartsWith(prefix, System.StringComparison.Ordinal))
                count++;
        _prefixCounts[prefix] = (count, seen);
        return count;
    }

    /// <summary>
    /// IDSL006 for a second member named <paramref name="name"/>: where the first is the same node (a
    /// repeat whose name has no <c>{i}</c>), it says so instead of pointing at the node itself.
    /// </summary>
    public static SpecDiagnostic Duplicate(SourceSpan span, string name, SourceSpan first) =>
        first == span ? Descriptors.RepeatedName.Create(span, name) : Descriptors.DuplicateName.Create(span, name, first.Line);

    /// <summary>Registers a field; returns its C# name, or null after reporting a duplicate.</summary>
    public string? Add(string stateName, SourceSpan span, ModuleNode module, string comment, SymExpr? condition, List<SpecDiagnostic> diagnostics,
        EquatableArray<SequentialChildIR> children = default)
    {
        if (_stateNames.TryGetValue(stateName, out var first))
        {
            diagnostics.Add(Duplicate(span, stateName, first));
            return null;
        }

        _stateNames[stateName] = span;
        // A neutral identifier: a C# keyword ('class') gets a '_' as a reserved name does, never C#'s '@' escape, so the
        // IR holds no target's syntax (the field keeps its state_dict name through [ComponentName]).
        var field = Identifiers.ToFieldName(stateName).TrimStart('@');
        if (Reserved.Contains(field) || Identifiers.IsKeyword(field) || _fields.Contains(field) || field == Name)
        {
            var original = field;
            field += "_";
            while (_fields.Contains(field))
                field += "_";
            if (original == Name)
                diagnostics.Add(Descriptors.NameCollision.Create(span, stateName, $"its class '{Name}'; the field is named '{field}' and keeps the state_dict name")
                    with { Severity = SpecSeverity.Info });
        }

        _fields.Add(field);
        Members.Add(new MemberIR(field, stateName, module, comment, condition) { Children = children });
        return field;
    }
}
