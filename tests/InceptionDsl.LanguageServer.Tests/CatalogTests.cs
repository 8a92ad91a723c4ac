using System.Reflection;
using InceptionDsl.Syntax;
using Xunit;

namespace InceptionDsl.LanguageServer.Tests;

/// <summary>Completion offers exactly the words the reader accepts.</summary>
public sealed class CatalogTests
{
    private static string[] ReaderKeys(string field)
    {
        var type = typeof(SpecCompiler).Assembly.GetType("InceptionDsl.Syntax.SpecReader")!;
        return (string[])type.GetField(field, BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Public)!.GetValue(null)!;
    }

    [Fact]
    public void KeysEqualTheReaders()
    {
        var catalog = OpCatalogLanguage.Instance;
        Assert.Equal(ReaderKeys("TopKeys"), catalog.TopKeys.Select(k => k.Name));
        Assert.Equal(ReaderKeys("VariantKeys"), catalog.VariantKeys.Select(k => k.Name));
        Assert.Equal(ReaderKeys("BlockKeys"), catalog.BlockKeys.Select(k => k.Name));
        Assert.Equal(ReaderKeys("AuxKeys"), catalog.AuxKeys.Select(k => k.Name));
        Assert.Equal(ReaderKeys("WeightsKeys"), catalog.WeightsKeys.Select(k => k.Name));
        Assert.Equal(OpCatalog.NodeKeys, catalog.NodeKeys.Select(k => k.Name));
        Assert.Equal(OpCatalog.OpKeys, catalog.NodeKinds.Select(k => k.Name));
    }

    [Fact]
    public void EveryOptionHasADescription()
    {
        foreach (var op in OpCatalog.Ops)
        {
            var options = OpCatalogLanguage.Instance.OptionsOf(op.Key);
            Assert.Equal(op.Options, options.Select(o => o.Name));
            Assert.All(options, o => Assert.NotEqual(o.Name, o.Description));
        }
    }
}
