using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Expressions;

namespace InceptionDsl.Emit;

/// <summary>
/// The constructor-time values a class's WriteOnnx reads (a stride or kernel given as a block parameter, a group
/// count computed in a let): one field per constructor parameter or let, declared and set only when the class is
/// emitted with ONNX export, so the builder gets every size from the IR and none from the TorchSharp modules.
/// </summary>
internal sealed class OnnxModuleFields
{
    private readonly string _ns;
    private readonly IReadOnlyDictionary<string, SymType> _names;
    private readonly ISet<string> _taken;
    private readonly Dictionary<string, (string Field, SymType Type)> _fields = new();

    /// <param name="ns">The generated support's namespace.</param>
    /// <param name="names">The class's constructor parameters and lets, by name, with their kinds.</param>
    /// <param name="taken">The class's member names: a field takes none of them (and adds its own).</param>
    public OnnxModuleFields(string ns, IReadOnlyDictionary<string, SymType> names, ISet<string> taken)
    {
        _ns = ns;
        _names = names;
        _taken = taken;
    }

    /// <summary>A renderer writing to <paramref name="w"/> that reads (and, on the first pass, chooses) these fields.</summary>
    public OnnxModules Modules(CodeWriter w) => new(w, _ns, _names, _fields, _taken);

    /// <summary>The field declarations, one per value, with a comment saying what it holds.</summary>
    public void WriteDeclarations(CodeWriter w)
    {
        foreach (var entry in _fields.OrderBy(f => f.Value.Field, System.StringComparer.Ordinal))
        {
            w.Comment($"Read by WriteOnnx: the constructor's {entry.Key}");
            w.Line($"private readonly {CSharpExpressions.TypeOf(entry.Value.Type)} {entry.Value.Field};");
            w.Line();
        }
    }

    /// <summary>The constructor's assignments (after its lets).</summary>
    public void WriteAssignments(CodeWriter w)
    {
        foreach (var entry in _fields.OrderBy(f => f.Value.Field, System.StringComparer.Ordinal))
            w.Line($"this.{entry.Value.Field} = {Syntax.Identifiers.Escape(entry.Key)};");
    }
}
