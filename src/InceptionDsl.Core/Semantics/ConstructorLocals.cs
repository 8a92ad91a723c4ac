using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace InceptionDsl.Semantics;

/// <summary>
/// The locals a generated constructor declares for itself (beyond the spec's lets): a loop's index,
/// the builder list a loop fills, and the channels a loop carries from one copy to the next. Each
/// takes a name no constructor parameter, let or other such local of the class has, so the C#
/// compiles whatever the spec names its parameters.
/// </summary>
internal sealed class ConstructorLocals
{
    private readonly HashSet<string> _taken;

    public ConstructorLocals(IEnumerable<string> taken)
    {
        _taken = new HashSet<string>(taken);
    }

    /// <summary>Locals to declare at the top of the constructor, after the lets, in order.</summary>
    public List<LetIR> Declared { get; } = new();

    /// <summary>
    /// The name of a local for <paramref name="key"/> (the spec node it serves): the same for every copy
    /// of a loop that walks the node again, else <paramref name="stem"/> or the stem with the first free
    /// number (i, i1, i2, ...).
    /// </summary>
    public string Claim(string stem, object key) => ClaimFor(stem, (stem, key)).Name;

    /// <summary>The local carrying a loop's channels, and whether this is its first claim.</summary>
    public (string Name, bool Fresh) ClaimCarried(string stem, object key) => ClaimFor(stem, ("channels", key));

    /// <summary>Declares a local among the lets, once.</summary>
    public void Declare(string name, Expressions.SymExpr init)
    {
        if (_carried.Add(name))
            Declared.Add(new LetIR(name, Expressions.SymType.Int, init));
    }

    /// <summary>Whether <paramref name="value"/> reads a declared carried local (whose value changes as the constructor runs).</summary>
    public bool ReadsCarried(Expressions.Value value) =>
        value.Expr is { } expr && expr.Names().Any(_carried.Contains);

    private readonly Dictionary<object, string> _claimed = new();
    private readonly HashSet<string> _carried = new();

    private (string Name, bool Fresh) ClaimFor(string stem, object key)
    {
        if (_claimed.TryGetValue(key, out var known))
            return (known, false);
        var name = stem;
        for (int n = 1; !_taken.Add(name); n++)
            name = stem + n.ToString(CultureInfo.InvariantCulture);
        _claimed[key] = name;
        return (name, true);
    }
}
