using InceptionDsl.Tests.Support;
using Xunit;

namespace InceptionDsl.Tests.Weights;

/// <summary>The <c>weights:</c> list of a spec: every fact parsed as written, every wrong one a located error.</summary>
public sealed class WeightsSpecTests
{
    /// <summary>A model with one weights entry: line 5 is its name, lines 6-17 its facts, one per line in this order.</summary>
    private static readonly string[] Lines =
    [
        "model: WeightsNet",
        "input: { channels: 3, size: 32 }",
        "classes: 10",
        "weights:",
        "  - name: ImageNet1K_V1",
        "    file: net-0123abcd.pth",
        "    sha256: 0123abcd",
        "    source: https://example.org/net-0123abcd.pth",
        "    license: BSD-3-Clause",
        "    mean: [0.485, 0.456, 0.406]",
        "    std: [0.229, 0.224, 0.225]",
        "    size: 32",
        "    crop: 0.875",
        "    interpolation: bicubic",
        "    top1: 70.5",
        "    top5: 90.25",
        "    cite: \"the source's table\"",
        "body:",
        "  - { name: conv, conv: { filters: 8, k: 3 } }",
        "  - global_avgpool",
        "  - { name: fc, linear: $classes }",
    ];

    private static string Spec(int line = 0, string? replacement = null)
    {
        var lines = Lines.ToArray();
        if (line > 0)
            lines[line - 1] = replacement!;
        return string.Join("\n", lines.Where(l => l.Length > 0)) + "\n";
    }

    [Fact]
    public void AnEntryCarriesEveryFactAsWritten()
    {
        var facts = Assert.Single(Specs.Model(Spec()).Weights);
        Assert.Equal("ImageNet1K_V1", facts.Name);
        Assert.Equal("net-0123abcd.pth", facts.FileName);
        Assert.Equal("0123abcd", facts.Sha256);
        Assert.Equal("https://example.org/net-0123abcd.pth", facts.Source);
        Assert.Equal("BSD-3-Clause", facts.License);
        Assert.Equal([0.485, 0.456, 0.406], facts.Mean);
        Assert.Equal([0.229, 0.224, 0.225], facts.Std);
        Assert.Equal((32L, 32L), (facts.Height, facts.Width));
        Assert.Equal(0.875, facts.CropFraction);
        Assert.Equal("bicubic", facts.Interpolation);
        Assert.Equal((70.5, 90.25), (facts.Top1, facts.Top5));
        Assert.Equal("the source's table", facts.Citation);
    }

    [Fact]
    public void OptionalFactsTakeTheirDefaults()
    {
        // No size, crop, interpolation, accuracy or citation: the model's input, no crop, bilinear, none.
        var text = Spec(12, "").Replace("    crop: 0.875\n", "").Replace("    interpolation: bicubic\n", "")
            .Replace("    top1: 70.5\n", "").Replace("    top5: 90.25\n", "").Replace("    cite: \"the source's table\"\n", "");
        var facts = Assert.Single(Specs.Model(text).Weights);
        Assert.Equal((32L, 32L, null, "bilinear", null, null, null), (facts.Height, facts.Width, facts.CropFraction, facts.Interpolation, facts.Top1, facts.Top5, facts.Citation));
    }

    [Fact]
    public void AFullHashIsKeptInLowerCase()
    {
        var hash = new string('A', 32) + new string('f', 32);
        Assert.Equal(hash.ToLowerInvariant(), Assert.Single(Specs.Model(Spec(7, "    sha256: " + hash)).Weights).Sha256);
    }

    [Theory]
    [InlineData(7, "    sha256: 0123abc", "IDSL005", "8 to 64 hex digits")]
    [InlineData(7, "    sha256: 0123abcz", "IDSL003", "hex digits")]
    [InlineData(7, "    sha256: [1, 2]", "IDSL003", "sha256")]
    [InlineData(6, "    file: ../net.pth", "IDSL005", "a file name without a directory")]
    [InlineData(10, "    mean: [0.5, 0.5]", "IDSL027", "2 value(s) given, but the model's input has 3 channel(s)")]
    [InlineData(10, "    mean: 0.5", "IDSL003", "a list of numbers")]
    [InlineData(11, "    std: [0.5, 0, 0.5]", "IDSL005", "'std' must be greater than 0")]
    [InlineData(12, "    size: 64", "IDSL005", "the model's input size [32, 32]")]
    [InlineData(13, "    crop: 1.5", "IDSL005", "'crop' must be at least 0.05 and at most 1")]
    [InlineData(13, "    crop: 0", "IDSL005", "'crop' must be at least 0.05 and at most 1")]
    [InlineData(13, "    crop: 1e-300", "IDSL005", "'crop' must be at least 0.05 and at most 1")]
    [InlineData(14, "    interpolation: bicubik", "IDSL005", "did you mean 'bicubic'")]
    [InlineData(15, "    top1: 100.5", "IDSL005", "a percentage from 0 to 100")]
    [InlineData(16, "    top5: 60", "IDSL005", "at least top1 (70.5)")]
    [InlineData(5, "  - name: 1st", "IDSL010", "is not usable as a weights name")]
    [InlineData(5, "  - name: class", "IDSL010", "C# keyword")]
    [InlineData(5, "  - name: All", "IDSL016", "WeightsNet.Weights")]
    [InlineData(5, "  - name: ToString", "IDSL016", "WeightsNet.Weights")]
    [InlineData(9, "    licence: MIT", "IDSL002", "did you mean 'license'")]
    public void AWrongFactIsALocatedError(int line, string replacement, string id, string message)
    {
        var text = Spec(line, replacement);
        var result = SpecCompiler.Compile("test.inception.yaml", text);
        var error = Assert.Single(result.Diagnostics, d => d.Id == id);
        Assert.Equal(line, error.Span.Line);
        Assert.Contains(message, error.Message);
        Assert.Empty(result.Models);
    }

    [Fact]
    public void AccuracyWithoutACitationIsAnError()
    {
        var error = Specs.Error(Spec(17, ""));
        Assert.Equal("IDSL004", error.Id);
        Assert.Equal(5, error.Span.Line);
        Assert.Contains("'cite'", error.Message);
    }

    [Fact]
    public void AMissingRequiredFactIsNamed()
    {
        var error = Specs.Error(Spec(9, ""));
        Assert.Equal("IDSL004", error.Id);
        Assert.Contains("'license'", error.Message);
    }

    [Fact]
    public void TwoEntriesOfOneNameAreAnError()
    {
        var entry = string.Join("\n", Lines[4..17]);
        var text = Spec().Replace(entry, entry + "\n" + entry);
        var error = Specs.Error(text);
        Assert.Equal("IDSL006", error.Id);
        Assert.Equal(18, error.Span.Line);
    }

    [Fact]
    public void AFamilyListsWeightsPerVariant()
    {
        var weights = string.Join("\n", Lines[3..17]);
        var family = Spec().Replace("model: WeightsNet\n", "params: [width: 8]\nvariants:\n  - { model: WeightsNetA }\n");
        var error = Specs.Error(family);
        Assert.Equal("IDSL017", error.Id);
        Assert.Contains("per variant", error.Message);

        // In the variant, the variant's own input decides the channel count.
        var variant = Spec().Replace(weights + "\n", "").Replace("model: WeightsNet\n",
            "variants:\n  - model: WeightsNetGray\n    input: { channels: 1, size: 32 }\n" + string.Join("\n", Lines[3..17].Select(l => "    " + l)) + "\n");
        var errors = SpecCompiler.Compile("test.inception.yaml", variant).Diagnostics.Select(d => (d.Id, d.Message.Split(':')[0])).ToList();
        Assert.Equal([("IDSL027", "'mean'"), ("IDSL027", "'std'")], errors);
    }

    [Fact]
    public void AModelNamedWeightsCannotNestItsCatalogue()
    {
        var error = Specs.Error(Spec().Replace("model: WeightsNet", "model: Weights"));
        Assert.Equal("IDSL016", error.Id);
        Assert.Contains("the class 'Weights' the model class nests", error.Message);
    }

    [Fact]
    public void ABlockNamedWeightsCollidesWithTheCatalogue()
    {
        var text = Spec().Replace("body:\n", "blocks:\n  Weights:\n    body:\n      - relu\nbody:\n");
        var error = Specs.Error(text);
        Assert.Equal("IDSL016", error.Id);
        Assert.Contains("'Weights'", error.Message);
    }
}
