using System.Reflection;
using InceptionDsl.Emit;
using InceptionDsl.Semantics;
using InceptionDsl.Syntax;
using InceptionDsl.Tests.Support;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace InceptionDsl.Tests.Security;

/// <summary>
/// The name rules of docs/security.md: the lists of generated names stay those the emitters write and
/// TorchSharp defines, and a refused name is one located line that shows the offending code point.
/// </summary>
public sealed class NameRulesTests
{
    [Fact]
    public void SupportTypesAreTheTypesTheSharedFilesDeclare()
    {
        var support = CSharpSyntaxTree.ParseText(SupportEmitter.Emit(EmitOptions.Default) + ZooEmitter.Emit([], EmitOptions.Default));
        var declared = support.GetRoot().DescendantNodes().OfType<BaseTypeDeclarationSyntax>().Select(t => t.Identifier.ValueText).Order().ToList();
        Assert.Equal(declared, GeneratedNames.SupportTypes.Order().ToList());
    }

    [Fact]
    public void ModuleMembersCoverEveryMemberATorchSharpModuleExposes()
    {
        var type = typeof(TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>);
        var flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.FlattenHierarchy;
        var visible = type.GetMembers(flags)
            .Where(m => m switch
            {
                MethodBase method => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly,
                FieldInfo field => field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly,
                PropertyInfo property => property.GetMethod is { } get && (get.IsPublic || get.IsFamily || get.IsFamilyOrAssembly),
                EventInfo => true,
                Type nested => nested.IsNestedPublic || nested.IsNestedFamily,
                _ => false,
            })
            .Where(m => m is not MethodBase { IsSpecialName: true } && m is not ConstructorInfo && !m.Name.Contains('.') && !m.Name.StartsWith("<", StringComparison.Ordinal))
            .Select(m => m.Name).Distinct().ToList();
        var missing = visible.Where(name => !GeneratedNames.ModuleMembers.Contains(name) && NameAlphabet.IdentifierProblem(name) is null).Order().ToList();
        Assert.True(missing.Count == 0, "add to GeneratedNames.ModuleMembers: " + string.Join(", ", missing));
    }

    [Theory]
    [InlineData("ab\u202Ec", "U+202E RIGHT-TO-LEFT OVERRIDE", "ab\\u202Ec")]
    [InlineData("a\nb", "U+000A LINE FEED", "a\\u000Ab")]
    [InlineData("a\u2028b", "U+2028 LINE SEPARATOR", "a\\u2028b")]
    [InlineData("a\0b", "U+0000 NULL", "a\\u0000b")]
    [InlineData("a\u200Bb", "U+200B ZERO WIDTH SPACE", "a\\u200Bb")]
    [InlineData("a\"/*", "'\"' (U+0022)", "a\"/*")]
    [InlineData("c\u043Env", "U+043E (LowercaseLetter)", "c\\u043Env")]
    public void ARefusedNodeNameIsOneLineShowingTheCodePoint(string name, string described, string shown)
    {
        var error = Specs.Error(Specs.Wrap($"  - {{ name: {FreeTextPropertyTests.Yaml(name)}, conv: {{ filters: 8, k: 3 }} }}"));
        Assert.Equal("IDSL010", error.Id);
        Assert.Equal(5, error.Span.Line);
        Assert.Contains(described, error.Message);
        Assert.Contains($"'{shown}' is not usable as a node name", error.Message);
        Assert.DoesNotMatch("[\r\n\u0085\u2028\u2029\u202E\u200B\0]", error.Message);
    }

    [Fact]
    public void ALongNameIsCutInTheMessage()
    {
        var error = Specs.Error(Specs.Wrap("  - relu").Replace("TestNet", new string('M', 300)));
        Assert.Equal("IDSL010", error.Id);
        Assert.Contains("(300 characters)", error.Message);
        Assert.Contains("more than the 128 a name may have", error.Message);
        Assert.True(error.Message.Length < 300, error.Message);
    }

    [Theory]
    [InlineData("a_b", "aB")]
    [InlineData("w_", "W")]
    [InlineData("in_channels", null)]
    [InlineData("num_classes", null)]
    [InlineData("numClasses", null)]
    public void BlockParametersThatMeetAfterTheCSharpMappingCollide(string first, string? second)
    {
        var names = second is null ? first : $"{first}, {second}";
        var args = second is null ? "1" : "1, 2";
        var error = Specs.Error(Specs.Wrap($"  - {{ name: a, use: A, args: [{args}] }}", $"  A:\n    params: [{names}]\n    body: [relu]"));
        Assert.Equal("IDSL016", error.Id);
        Assert.Equal(6, error.Span.Line);
        Assert.Contains(second is null ? "the constructor parameter every block class may have" : $"parameter '{first}' at line 6", error.Message);
    }

    [Fact]
    public void ModelsOfTwoSpecsDifferingOnlyInCaseAreADuplicateNotACrash()
    {
        var first = Specs.Wrap("  - { name: c, conv: { filters: 8, k: 3 } }").Replace("TestNet", "CaseNet");
        var second = first.Replace("CaseNet", "Casenet");
        var (run, output) = GeneratorHarness.Run(("a.inception.yaml", first), ("b.inception.yaml", second));
        Assert.All(run.Results, r => Assert.Null(r.Exception));
        Assert.DoesNotContain(output.GetDiagnostics(), d => d.Id is "CS8785" or "AD0001");
        var duplicate = Assert.Single(run.Diagnostics);
        Assert.Equal("IDSL011", duplicate.Id);
        Assert.Equal("b.inception.yaml", duplicate.Location.GetLineSpan().Path);
        Assert.Single(run.GeneratedTrees, t => t.FilePath.EndsWith("CaseNet.g.cs", StringComparison.Ordinal));
        Assert.Empty(GeneratorHarness.CompileProblems(output));
    }
}
