using System.Collections.Generic;

namespace InceptionDsl.Expressions;

/// <summary>
/// Names visible to expressions: a block's parameters and lets, chained to the enclosing scope
/// (a block sees the model's variant parameters, which are build-time constants).
/// </summary>
public sealed class Scope
{
    private readonly Dictionary<string, Value> _values = new();

    public Scope(Scope? parent, string description)
    {
        Parent = parent;
        Description = description;
    }

    public Scope? Parent { get; }

    /// <summary>Where these names come from, for "not defined here" messages.</summary>
    public string Description { get; }

    public void Set(string name, Value value) => _values[name] = value;

    /// <summary>Names looked up through this scope level, e.g. whether a block reads <c>$classes</c>.</summary>
    public HashSet<string> Used { get; } = new();

    public bool TryGet(string name, out Value value)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope._values.TryGetValue(name, out value!))
            {
                scope.Used.Add(name);
                return true;
            }
        }

        value = null!;
        return false;
    }

    public IEnumerable<string> Names()
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
            foreach (var name in scope._values.Keys)
                yield return name;
    }
}
