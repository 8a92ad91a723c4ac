using System.Reflection;
using InceptionDsl.Diagnostics;
using InceptionDsl.Text;
using Xunit;

namespace InceptionDsl.Tests.Diagnostics;

/// <summary>
/// Every diagnostic the pipeline declares is in <see cref="Descriptors.All"/>, and the generator reports each under
/// its own ID: a descriptor missing from the list used to reach the build as IDSL099 "internal error" (IDSL090 did).
/// </summary>
public sealed class DescriptorCatalogTests
{
    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (var id in Descriptors.All.Select(d => d.Id).Distinct())
            data.Add(id);
        return data;
    }

    [Fact]
    public void TheListHoldsEveryDeclaredDescriptorInDeclarationOrder()
    {
        var declared = typeof(Descriptors).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(SpecDiagnosticDescriptor))
            .Select(f => (SpecDiagnosticDescriptor)f.GetValue(null)!)
            .ToList();
        Assert.Equal(declared.Count, Descriptors.All.Count);
        Assert.Contains(Descriptors.NoOnnxExport, Descriptors.All);
        Assert.Equal("IDSL001", Descriptors.All[0].Id);
        Assert.Equal(Descriptors.All.Select(d => d.Id).Order(StringComparer.Ordinal), Descriptors.All.Select(d => d.Id));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void RoslynReportsTheDiagnosticUnderItsOwnId(string id)
    {
        var descriptor = Descriptors.All.First(d => d.Id == id);
        var mapper = typeof(InceptionDsl.Generator.InceptionGenerator).Assembly.GetType("InceptionDsl.Generator.DiagnosticMapper", throwOnError: true)!;
        var toRoslyn = mapper.GetMethod("ToRoslyn", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!;

        var diagnostic = (Microsoft.CodeAnalysis.Diagnostic)toRoslyn.Invoke(null, new object[] { new SpecDiagnostic(id, descriptor.Severity, "message", SourceSpan.At("a.inception.yaml", 2, 3)) })!;

        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(descriptor.Title, diagnostic.Descriptor.Title.ToString());
        Assert.Equal(descriptor.Severity == SpecSeverity.Warning ? Microsoft.CodeAnalysis.DiagnosticSeverity.Warning : Microsoft.CodeAnalysis.DiagnosticSeverity.Error, diagnostic.Severity);
    }
}
