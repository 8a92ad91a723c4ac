using System.Collections;
using System.Reflection;
using InceptionDsl.Reference;
using InceptionDsl.Semantics;
using InceptionDsl.Tests.Support;
using Xunit;

namespace InceptionDsl.Tests.PyTorch;

/// <summary>
/// The IR is one typed graph that every backend renders: no string in it holds a target's syntax. Every text the
/// lowering of each zoo spec leaves in the IR (names, labels, comments; not the spec's own prose) is searched for
/// TorchSharp C# and PyTorch Python markers.
/// </summary>
public sealed class BackendNeutralIrTests
{
    /// <summary>What only a target's code contains: namespaces, member access on an instance, casts, lambdas, target literals.</summary>
    private static readonly string[] TargetMarkers =
    {
        "global::", "TorchSharp", "torch.", "nn.", "this.", "self.", "=>", "(double)", "1L", "InceptionDslModules", "ToString(",
        "new ", "F.", "lambda ", "def ", "@",
    };

    public static TheoryData<string> ZooSpecs()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(ReferencePaths.RepoRoot, "specs"), "*.inception.yaml").OrderBy(p => p, StringComparer.Ordinal))
            data.Add(Path.GetFileName(path));
        return data;
    }

    [Theory]
    [MemberData(nameof(ZooSpecs))]
    public void NoIrStringHoldsTargetSyntax(string spec)
    {
        var path = Path.Combine(ReferencePaths.RepoRoot, "specs", spec);
        AssertNeutral(SpecCompiler.Compile(path, File.ReadAllText(path)));
    }

    /// <summary>Names that are keywords of a target (C#'s class and in, Python's def and is) stay plain names in the IR.</summary>
    [Fact]
    public void NamesThatAreTargetKeywordsStayPlainNames()
    {
        const string spec = """
            model: Keywords
            input: { channels: 3, size: 8 }
            classes: 4
            blocks:
              Unit:
                params: [in, is]
                body:
                  - { name: class, conv: { filters: $is, k: 1 } }
                  - { name: def, bn: {} }
            body:
              - { name: in, use: Unit, args: { in: 2, is: 8 } }
              - { name: new, seq: [ { conv: { filters: 8, k: 3, pad: 1 } }, relu ] }
              - global_avgpool
              - { name: fc, linear: $classes }
            """;
        var result = SpecCompiler.Compile("keywords.inception.yaml", spec);
        AssertNeutral(result);
        var unit = Assert.Single(result.Models.Single().Blocks);
        Assert.Equal(new[] { "class_", "def" }, unit.Members.Select(m => m.Field));
        Assert.Equal(new[] { "class", "def" }, unit.Members.Select(m => m.StateName));

        // The C# renderer makes them fields that compile and keep their state_dict names.
        using var model = InMemoryModels.Load(("keywords.inception.yaml", spec))("Keywords");
        Assert.Contains("in.class.weight", model.state_dict().Keys);
        Assert.Contains("new.0.weight", model.state_dict().Keys);
    }

    private static void AssertNeutral(SpecResult result)
    {
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        var strings = new List<(string Where, string Text)>();
        foreach (var model in result.Models)
            Collect(model, model.ClassName, strings, new HashSet<object>(ReferenceEqualityComparer.Instance));
        Assert.NotEmpty(strings);
        var leaks = strings.Where(s => TargetMarkers.Any(m => s.Text.Contains(m, StringComparison.Ordinal)))
            .Select(s => $"{s.Where}: {s.Text}").Take(10).ToList();
        Assert.True(leaks.Count == 0, "target syntax in the IR:\n" + string.Join("\n", leaks));
    }

    /// <summary>Every string reachable from <paramref name="value"/> through public properties, records and sequences.</summary>
    private static void Collect(object? value, string where, List<(string, string)> into, HashSet<object> seen)
    {
        switch (value)
        {
            case null:
                return;
            case string text:
                into.Add((where, text));
                return;
            case Enum or ValueType when value.GetType().IsPrimitive || value is Enum || value is decimal:
                return;
        }

        if (!value.GetType().IsValueType && !seen.Add(value))
            return;
        if (value is IEnumerable sequence)
        {
            int i = 0;
            foreach (var item in sequence)
                Collect(item, $"{where}[{i++}]", into, seen);
            return;
        }

        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            // The spec's own prose (papers, block docs, weights' citations and licenses) is the user's text, not lowering's.
            if (property.GetIndexParameters().Length > 0 || property.Name is "EqualityContract" or "Metadata" or "Doc" or "Weights" or "SpecPath")
                continue;
            Collect(property.GetValue(value), $"{where}.{property.Name}", into, seen);
        }
    }
}
