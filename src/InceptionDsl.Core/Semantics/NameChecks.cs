using System;
using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Diagnostics;
using InceptionDsl.Emit;
using InceptionDsl.Syntax;
using InceptionDsl.Text;

namespace InceptionDsl.Semantics;

/// <summary>
/// Accepted means it compiles: before anything is lowered or emitted, every spec name that becomes a C#
/// type, constructor parameter, local or hint (file) name is checked against everything it can collide
/// with in the generated code (docs/security.md, "Collisions"). A collision is IDSL016 at the spec node,
/// naming the other party. Node names need no check here: they become fields, which
/// <see cref="ClassBuilder"/> renames away from every generated name while the state_dict keeps the name.
/// </summary>
public static class NameChecks
{
    /// <summary>Reports every collision of <paramref name="document"/>'s names; returns whether there was none.</summary>
    public static bool Check(SpecDocument document, List<SpecDiagnostic> diagnostics)
    {
        int before = diagnostics.Count;
        CheckModelNames(document, diagnostics);
        foreach (var block in document.Blocks)
            CheckBlock(block, document, diagnostics);
        return diagnostics.Count == before;
    }

    private static void CheckModelNames(SpecDocument document, List<SpecDiagnostic> diagnostics)
    {
        // Roslyn compares hint names ignoring case: two models differing only in case would throw (CS8785).
        var hints = new Dictionary<string, VariantDecl>(StringComparer.OrdinalIgnoreCase);
        foreach (var variant in document.Variants)
        {
            if (TypeNameProblem(variant.Model) is { } problem)
                diagnostics.Add(Descriptors.NameCollision.Create(variant.Span, variant.Model, problem));
            else if (GeneratedNames.Hints.FirstOrDefault(h => string.Equals(h, variant.Model, StringComparison.OrdinalIgnoreCase)) is { } hint)
                diagnostics.Add(Descriptors.NameCollision.Create(variant.Span, variant.Model, $"the generated file '{hint}.g.cs' (file names are compared ignoring case)"));
            else if (hints.TryGetValue(variant.Model, out var first) && first.Model != variant.Model)
                diagnostics.Add(Descriptors.NameCollision.Create(variant.Span, variant.Model,
                    $"model '{first.Model}' at line {first.Span.Line} (their files '{first.Model}.g.cs' and '{variant.Model}.g.cs' differ only in case)"));
            else
                hints[variant.Model] = variant;
            CheckWeights(variant, diagnostics);
        }
    }

    /// <summary>A weights entry becomes a property of the model's nested <c>Weights</c> class.</summary>
    private static void CheckWeights(VariantDecl variant, List<SpecDiagnostic> diagnostics)
    {
        if (variant.Weights.Count == 0)
            return;
        if (variant.Model == WeightsEmitter.ClassName)
            diagnostics.Add(Descriptors.NameCollision.Create(variant.Span, variant.Model, $"the class '{WeightsEmitter.ClassName}' the model class nests for its weights"));
        foreach (var weights in variant.Weights)
            if (GeneratedNames.WeightsMembers.Contains(weights.Facts.Name))
                diagnostics.Add(Descriptors.NameCollision.Create(weights.Span, weights.Facts.Name, $"the member '{weights.Facts.Name}' of the generated class {variant.Model}.{WeightsEmitter.ClassName}"));
    }

    private static void CheckBlock(BlockDecl block, SpecDocument document, List<SpecDiagnostic> diagnostics)
    {
        if (TypeNameProblem(block.Name) is { } problem)
            diagnostics.Add(Descriptors.NameCollision.Create(block.Span, block.Name, problem));
        else if (GeneratedNames.ModelMembers.Contains(block.Name))
            diagnostics.Add(Descriptors.NameCollision.Create(block.Span, block.Name, $"the generated member '{block.Name}' of the model class that nests the block class"));
        else if (document.Variants.FirstOrDefault(v => v.Model == block.Name) is { } model)
            diagnostics.Add(Descriptors.NameCollision.Create(model.Span, model.Model, $"block '{block.Name}' (line {block.Span.Line}), whose class the model class nests"));

        if (block.Inline)
            return; // an inline block is a template: its parameters and lets never reach C#
        // Parameters and lets share the constructor's scope after the spec-to-C# mapping (a_b and aB are both aB).
        var taken = new Dictionary<string, (string Spec, string What, int Line)>(StringComparer.Ordinal);
        foreach (var builtIn in GeneratedNames.BlockParameters)
            taken[builtIn] = (builtIn, "the constructor parameter every block class may have", 0);
        foreach (var parameter in block.Params)
            Claim(parameter.Name, "parameter", parameter.Span);
        foreach (var let in block.Lets)
            Claim(let.Name, "let", let.Span);

        void Claim(string name, string what, SourceSpan span)
        {
            var csharp = Identifiers.ToCamelCase(name).TrimStart('@');
            if (taken.TryGetValue(csharp, out var other))
            {
                var party = other.Line == 0 ? $"'{csharp}', {other.What}" : $"{other.What} '{other.Spec}' at line {other.Line}";
                diagnostics.Add(Descriptors.NameCollision.Create(span, name, $"{party} (both become '{csharp}')"));
                return;
            }

            taken[csharp] = (name, what, span.Line);
        }
    }

    /// <summary>Why a model or block name cannot be a type of the generated code, or null.</summary>
    private static string? TypeNameProblem(string name)
    {
        if (name.All(c => c is >= 'a' and <= 'z'))
            return "the rule that a type name has a character besides lower-case letters (CS8981: such names are reserved for C# keywords)";
        if (GeneratedNames.Unqualified.Contains(name))
            return $"the discard '{name}', which the generated methods use";
        if (GeneratedNames.SupportTypes.Contains(name))
            return $"the generated type '{name}'";
        if (GeneratedNames.RootNamespaces.Contains(name))
            return $"the namespace '{name}', which the project's code refers to";
        if (GeneratedNames.ModuleMembers.Contains(name))
            return $"the member '{name}' every TorchSharp module has";
        return null;
    }
}
