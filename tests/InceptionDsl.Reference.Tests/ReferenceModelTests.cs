using System.IO;
using System.Linq;
using InceptionDsl.Reference;
using InceptionDsl.Tests;
using Xunit;

namespace InceptionDsl.Reference.Tests;

public class ReferenceModelTests
{
    [ReferenceFact]
    public void Reference_dir_is_found_beside_the_repo()
    {
        Assert.True(File.Exists(Path.Combine(ReferencePaths.RepoRoot, "InceptionDsl.sln")));
        Assert.True(File.Exists(Path.Combine(ReferencePaths.ReferenceDir, "README.md")));
        Assert.Contains("googlenet", ReferenceModel.AvailableIds());
    }

    [ReferenceFact]
    public void Googlenet_file_has_everything()
    {
        var m = ReferenceModel.LoadById("googlenet");
        Assert.Equal("googlenet", m.Id);
        Assert.Equal("torchvision", m.Source);
        Assert.Equal(new long[] { 2, 3, 224, 224 }, m.Input);
        Assert.Equal(13004888, m.Params);
        Assert.Equal(6624904, m.ParamsWithoutAux);
        Assert.Equal(364, m.StateDict.Count);
        Assert.Equal(new StateDictEntry("conv1.conv.weight", [64, 3, 7, 7], "float32").Name, m.StateDict[0].Name);
        Assert.Equal(new long[] { 64, 3, 7, 7 }, m.StateDict[0].Shape);
        Assert.True(m.HasLogits);
        Assert.True(m.HasAuxEntries);
        Assert.Equal(2, m.LogitsFloat64!.Length);
        Assert.Equal(1000, m.LogitsFloat64[0].Length);
        Assert.Equal(new[] { "aux1", "aux2" }, m.AuxLogitsFloat64!.Keys.OrderBy(k => k));
        Assert.NotNull(m.LogitsFloat32);
        Assert.True(m.LogitsAbsMax > 1);
        Assert.True(m.Float32VsFloat64MaxAbsDiff < 1e-3);
        Assert.Equal(5, m.Top5Float64![0].Length);
        Assert.NotEmpty(m.Modules);
        Assert.StartsWith("GoogLeNet(", m.Repr);
        Assert.True(m.FlopsBatch1 > 0);
        // Every state_dict element is either a parameter or a buffer element.
        Assert.Equal(m.Params + m.Buffers, m.StateDict.Sum(e => e.Numel));
    }

    [ReferenceFact]
    public void Optional_fields_are_optional()
    {
        var m = ReferenceModel.LoadById("resnet34");
        Assert.False(m.HasLogits);
        Assert.Null(m.LogitsFloat64);
        Assert.Null(m.AuxLogitsFloat64);
        Assert.Null(m.Top5Float64);
        Assert.Equal(218, m.StateDict.Count);
    }

    [ReferenceFact]
    public void Every_model_file_loads()
    {
        foreach (string id in ReferenceModel.AvailableIds())
        {
            var m = ReferenceModel.LoadById(id);
            Assert.Equal(id, m.Id);
            Assert.Equal(m.Params + m.Buffers, m.StateDict.Sum(e => e.Numel));
        }
    }

    [ReferenceFact("checkpoints")]
    public void Checkpoint_logits_load()
    {
        var c = CheckpointLogits.LoadGoogLeNetFp16();
        Assert.Equal(344, c.Keys);
        Assert.Equal(new long[] { 2, 3, 224, 224 }, c.Input);
        Assert.Equal(2, c.LogitsFloat64.Length);
        Assert.Equal(1000, c.LogitsFloat64[0].Length);
        Assert.Contains("googlenet", c.Model);
        Assert.NotNull(c.Top5Float64);
    }
}
