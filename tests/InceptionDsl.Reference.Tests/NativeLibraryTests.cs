using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Reference.Tests;

public class NativeLibraryTests
{
    /// <summary>
    /// Fails with DllNotFoundException ("GLIBCXX_3.4.32 not found") on hosts with an older
    /// libstdc++ unless build/TorchSharpNativeFix.targets patched the copy in bin/.
    /// </summary>
    [Fact]
    public void Torch_ones_works()
    {
        using Tensor ones = torch.ones(2, 3);
        Assert.Equal(6.0f, ones.sum().item<float>());
    }
}
