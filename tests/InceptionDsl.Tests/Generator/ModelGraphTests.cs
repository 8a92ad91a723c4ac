using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using InceptionDsl.Generator;
using InceptionDsl.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;

namespace InceptionDsl.Tests.Generator;

/// <summary>
/// The values the incremental pipeline caches must compare by value and hold nothing from Roslyn
/// (no ISymbol, Compilation, SyntaxNode, Location...): otherwise they keep compilations alive and
/// never compare equal. Walks the types reachable from the pipeline's models, and the actual values
/// every tracked step produced for the zoo.
/// </summary>
public sealed class ModelGraphTests
{
    private static readonly Type[] Roots =
    {
        typeof(SpecResult),
        typeof(InceptionGenerator.SpecOutput),
        typeof(InceptionGenerator.ModelOwner),
        typeof(InceptionDsl.Emit.EmitOptions),
    };

    [Fact]
    public void ModelTypesHoldNoRoslynTypeAndCompareByValue()
    {
        var problems = new List<string>();
        var seen = new HashSet<Type>();
        var queue = new Queue<(Type Type, string Path)>(Roots.Select(t => (t, t.Name)));
        while (queue.Count > 0)
        {
            var (type, path) = queue.Dequeue();
            if (!seen.Add(type))
                continue;
            if (IsRoslyn(type))
            {
                problems.Add($"{path}: Roslyn type {type.FullName}");
                continue;
            }

            if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal))
                continue;
            if (Nullable.GetUnderlyingType(type) is { } underlying)
            {
                queue.Enqueue((underlying, path));
                continue;
            }

            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(EquatableArray<>))
            {
                queue.Enqueue((type.GetGenericArguments()[0], path + "[]"));
                continue;
            }

            if (type.IsArray || type == typeof(object) || type.IsInterface || (typeof(IEnumerable).IsAssignableFrom(type) && !IsValueTuple(type)))
            {
                problems.Add($"{path}: {Describe(type)} does not compare by value (wrap lists in EquatableArray<T>)");
                continue;
            }

            if (!IsValueTuple(type) && !ImplementsOwnEquality(type))
                problems.Add($"{path}: {Describe(type)} has no value equality (make it a record)");

            foreach (var member in InstanceMembers(type))
                queue.Enqueue((member.Type, path + "." + member.Name));
            // An abstract record (a forward step) stands for all its derived records.
            if (type.IsAbstract)
                foreach (var derived in type.Assembly.GetTypes().Where(t => t != type && type.IsAssignableFrom(t)))
                    queue.Enqueue((derived, path + "<" + derived.Name + ">"));
        }

        Assert.True(seen.Contains(typeof(Semantics.ModelIR)), "the walk did not reach ModelIR");
        Assert.True(seen.Contains(typeof(Semantics.StepIR)) && seen.Contains(typeof(Semantics.ConcatStep)), "the walk did not reach the forward steps");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void EveryValueTheZooPipelineCachesIsFreeOfRoslynObjects()
    {
        var driver = GeneratorHarness.CreateDriver(trackSteps: true)
            .AddAdditionalTexts(GeneratorHarness.ZooSpecs().Select(s => (AdditionalText)new InMemoryAdditionalText(s.Path, s.Text)).ToImmutableArray());
        driver = driver.RunGenerators(GeneratorHarness.EmptyCompilation());
        var result = driver.GetRunResult().Results.Single();
        var problems = new List<string>();
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        int models = 0;
        foreach (var name in InceptionGenerator.Steps.All.Where(n => n != InceptionGenerator.Steps.Options))
            foreach (var output in result.TrackedSteps[name].SelectMany(s => s.Outputs))
                Walk(output.Value, name, problems, visited, ref models);
        Assert.True(models > 0, "no ModelIR reached");
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(20)));
    }

    /// <summary>The Options step reads the analyzer options provider; its output is a plain record.</summary>
    [Fact]
    public void OptionsStepYieldsAPlainRecord()
    {
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(GeneratorHarness.EmptyCompilation());
        var output = Assert.Single(driver.GetRunResult().Results.Single().TrackedSteps[InceptionGenerator.Steps.Options].SelectMany(s => s.Outputs));
        Assert.IsType<InceptionDsl.Emit.EmitOptions>(output.Value);
    }

    private static void Walk(object? value, string path, List<string> problems, HashSet<object> visited, ref int models)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum)
            return;
        var type = value.GetType();
        if (!type.IsValueType && !visited.Add(value))
            return;
        if (IsRoslyn(type))
        {
            problems.Add($"{path}: {type.FullName}");
            return;
        }

        if (value is Semantics.ModelIR)
            models++;
        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (var item in items)
                Walk(item, $"{path}[{i++}]", problems, visited, ref models);
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(EquatableArray<>))
                return;
        }

        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            Walk(field.GetValue(value), path + "." + field.Name, problems, visited, ref models);
    }

    private static bool IsRoslyn(Type type) =>
        (type.Namespace ?? "").StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal)
        || type.GetInterfaces().Any(i => (i.Namespace ?? "").StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal))
        || (type.IsGenericType && type.GetGenericArguments().Any(IsRoslyn));

    private static bool IsValueTuple(Type type) => type.IsValueType && (type.FullName ?? "").StartsWith("System.ValueTuple", StringComparison.Ordinal);

    private static bool ImplementsOwnEquality(Type type) =>
        type.GetMethod("Equals", BindingFlags.Instance | BindingFlags.Public, new[] { type }) is { } equals && equals.DeclaringType == type;

    private static IEnumerable<(string Name, Type Type)> InstanceMembers(Type type) =>
        type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(f => f.DeclaringType == type || !type.IsAbstract)
            .Select(f => (f.Name.Replace("<", "", StringComparison.Ordinal).Replace(">k__BackingField", "", StringComparison.Ordinal), f.FieldType));

    private static string Describe(Type type) => type.IsGenericType
        ? type.Name[..type.Name.IndexOf('`')] + "<" + string.Join(", ", type.GetGenericArguments().Select(Describe)) + ">"
        : type.Name;
}
