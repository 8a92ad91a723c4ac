using InceptionDsl.Onnx;
using InceptionDslApp.Nets;
using TorchSharp;

// TinyNet is generated from Nets/tiny.inception.yaml when the project builds: edit the spec and rebuild.
var model = new TinyNet(numClasses: 10);
model.eval();

// Its summary: the counts the build computed, and every state_dict entry (the names PyTorch checkpoints use).
Console.WriteLine($"TinyNet: {TinyNet.ParameterCount:N0} parameters, {TinyNet.FlopCount:N0} FLOPs per image (counted at build time)");
foreach (var (name, tensor) in model.state_dict())
    Console.WriteLine($"  {name,-32} [{string.Join(", ", tensor.shape)}]");

// A forward pass on a random batch of two 32x32 RGB images.
using (torch.no_grad())
{
    using var images = torch.randn(2, 3, 32, 32);
    using var logits = model.forward(images);
    Console.WriteLine($"forward: [{string.Join(", ", images.shape)}] -> [{string.Join(", ", logits.shape)}]");
}

// The same model as ONNX, for ONNX Runtime or any other ONNX consumer.
const string OnnxFile = "tinynet.onnx";
OnnxExport.Save(model, OnnxFile);
Console.WriteLine($"wrote {Path.GetFullPath(OnnxFile)} ({new FileInfo(OnnxFile).Length:N0} bytes)");
