using System.Reflection;
using InceptionDsl.Diagnostics;
using InceptionDsl.Tests.Support;
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

    /// <summary>A diagnostic of the descriptor as the generator hands it to Roslyn (its internal DiagnosticMapper).</summary>
    internal static Microsoft.CodeAnalysis.Diagnostic ToRoslyn(SpecDiagnosticDescriptor descriptor)
    {
        var mapper = typeof(InceptionDsl.Generator.InceptionGenerator).Assembly.GetType("InceptionDsl.Generator.DiagnosticMapper", throwOnError: true)!;
        var toRoslyn = mapper.GetMethod("ToRoslyn", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!;
        return (Microsoft.CodeAnalysis.Diagnostic)toRoslyn.Invoke(null, new object[] { new SpecDiagnostic(descriptor.Id, descriptor.Severity, "message", SourceSpan.At("a.inception.yaml", 2, 3)) })!;
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void RoslynReportsTheDiagnosticUnderItsOwnId(string id)
    {
        var descriptor = Descriptors.All.First(d => d.Id == id);

        var diagnostic = ToRoslyn(descriptor);

        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(id, diagnostic.Descriptor.Id);
        Assert.Equal(descriptor.Title, diagnostic.Descriptor.Title.ToString());
        var severity = descriptor.Severity == SpecSeverity.Warning ? Microsoft.CodeAnalysis.DiagnosticSeverity.Warning : Microsoft.CodeAnalysis.DiagnosticSeverity.Error;
        Assert.Equal(severity, diagnostic.Severity);
        Assert.Equal(severity, diagnostic.Descriptor.DefaultSeverity);
        Assert.Equal(DiagnosticHelp.Link(id), diagnostic.Descriptor.HelpLinkUri);
    }

    /// <summary>
    /// IDSL090 through the mapper: no spec reaches it through the generator (every node kind has an ONNX form; OnnxGapTests
    /// makes the gap in code), so this is where the warning's Roslyn form is checked.
    /// </summary>
    [Fact]
    public void NoOnnxExportIsAWarningWithItsHelpLink()
    {
        var diagnostic = ToRoslyn(Descriptors.NoOnnxExport);
        Assert.Equal("IDSL090", diagnostic.Id);
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal("https://github.com/inceptiondsl/inceptiondsl/blob/main/docs/diagnostics.md#idsl090", diagnostic.Descriptor.HelpLinkUri);
    }

    [Theory]
    [InlineData("  - { name: c, conv: { filters: 8, k: 3, pad: 1 } }\n  - { name: c, conv: { filters: 8, k: 3, pad: 1 } }", "Duplicate name 'c' among siblings")]
    [InlineData("  - { name: blk, conv: { filters: 8, k: 1 }, repeat: 2 }", "Every copy of this repeated node is named 'blk'")]
    public void TheGeneratorReportsBothFormsOfIdsl006UnderOneIdAndLink(string body, string message)
    {
        var (run, _) = GeneratorHarness.Run(("dup.inception.yaml", Specs.Wrap(body)));
        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("IDSL006", diagnostic.Id);
        Assert.StartsWith(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Equal(Descriptors.DuplicateName.HelpLink, diagnostic.Descriptor.HelpLinkUri);
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Error, diagnostic.Severity);
    }
}
