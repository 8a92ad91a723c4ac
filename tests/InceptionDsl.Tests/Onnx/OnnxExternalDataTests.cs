using InceptionDsl.Models;
using InceptionDsl.Onnx;
using Onnx;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Onnx;

/// <summary>
/// A model past protobuf's 2 GiB limit is written with ONNX external data (model.onnx and model.onnx.data). The limit
/// is a parameter, so a small model stands in for a 2 GiB one: its weights go to the data file and ONNX Runtime,
/// loading the model file, reads them and computes what the one-file model computes.
/// </summary>
public sealed class OnnxExternalDataTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("onnx-external-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void AModelPastTheLimitIsWrittenWithExternalDataThatOnnxRuntimeLoads()
    {
        using var model = new ResNet18();
        model.eval();
        var proto = OnnxExport.ToModelProto((IOnnxExportable)model);
        long size = OnnxExternalData.Size(proto);
        Assert.False(OnnxExternalData.Needed(proto), "ResNet18 fits one file");
        Assert.True(OnnxExternalData.Needed(proto, limit: size / 2));

        var path = Path.Combine(folder, "model.onnx");
        var dataPath = OnnxExport.Save((IOnnxExportable)model, path, limit: 1_000_000);
        Assert.Equal(Path.Combine(folder, "model.onnx.data"), dataPath);
        Assert.True(new FileInfo(path).Length < 1_000_000, $"the model file holds {new FileInfo(path).Length} bytes");
        Assert.True(new FileInfo(dataPath!).Length > 40_000_000, "the weights are in the data file");
        var written = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var external = written.Graph.Initializer.Where(t => t.DataLocation == TensorProto.Types.DataLocation.External).ToList();
        Assert.NotEmpty(external);
        Assert.All(external, t => Assert.Equal("model.onnx.data", t.ExternalData.Single(e => e.Key == "location").Value));
        Assert.All(external, t => Assert.Equal(0, long.Parse(t.ExternalData.Single(e => e.Key == "offset").Value) % OnnxExternalData.Alignment));

        var input = randn(1, 3, 224, 224);
        using var inline = new OnnxModelSession(OnnxExport.ToBytes((IOnnxExportable)model));
        using var split = new OnnxModelSession(path);
        Assert.True(allclose(inline.Run(input), split.Run(input)));
    }

    [Fact]
    public void AModelUnderTheLimitIsOneFile()
    {
        using var model = new ResNet18();
        var path = Path.Combine(folder, "one.onnx");
        Assert.Null(OnnxExport.Save((IOnnxExportable)model, path));
        Assert.Single(Directory.EnumerateFiles(folder));
    }
}
