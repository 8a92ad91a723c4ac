using System.Diagnostics;
using InceptionDsl.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Inference;

/// <summary>Measured alone: other test classes allocating in parallel would move the process's RSS.</summary>
[CollectionDefinition(nameof(MemoryTests), DisableParallelization = true)]
public sealed class MemoryTestsCollection;

/// <summary>Repeated forwards of a generated model leave no tensors behind and do not grow native memory.</summary>
[Collection(nameof(MemoryTests))]
public sealed class MemoryTests
{
    private const string Spec = """
        model: TinyNet
        input: { channels: 3, size: 32 }
        classes: 10
        defaults:
          conv: { bias: false, bn: { eps: 0.001 }, act: relu }
        blocks:
          Mixed:
            params: [a, b]
            body:
              - concat:
                  - { name: branch1, conv: { filters: $a, k: 1 } }
                  - name: branch2
                    seq:
                      - conv: { filters: $b, k: 1 }
                      - conv: { filters: $b, k: 3, pad: 1 }
          Res:
            params: [planes]
            body:
              - residual:
                  body:
                    - { name: conv1, conv: { filters: $planes, k: 3, pad: 1, bn: false, bias: false } }
                    - { name: bn1, bn: {} }
                    - relu
                    - { name: conv2, conv: { filters: $planes, k: 3, pad: 1 } }
              - relu
        body:
          - { name: stem, conv: { filters: 16, k: 3, stride: 2, pad: 1 } }
          - { name: mixed, use: Mixed, args: [8, 8] }
          - { maxpool: { k: 2 } }
          - { name: res, use: Res, args: [16] }
          - global_avgpool
          - { name: fc, linear: $classes }
        """;

    [Fact]
    public void ThousandForwardsDoNotGrowNativeMemory()
    {
        var create = InMemoryModels.Load(("tiny.inception.yaml", Spec));
        using var model = create("TinyNet");
        model.eval();
        using var input = randn(2, 3, 32, 32);
        long liveAt100 = 0, rssAt100 = 0;
        using (inference_mode())
        {
            for (int i = 1; i <= 1000; i++)
            {
                using (var logits = model.forward(input))
                    Assert.Equal(10, logits.shape[1]);
                if (i % 100 == 0)
                    Console.WriteLine($"forward {i}: live {DisposeScopeManager.Statistics.ThreadTotalLiveCount}, rss {CurrentRss() >> 10} KB");
                if (i == 100)
                {
                    liveAt100 = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
                    rssAt100 = CurrentRss();
                }
            }
        }

        long liveAt1000 = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        long rssAt1000 = CurrentRss();
        Assert.Equal(liveAt100, liveAt1000);
        // 900 more forwards of ~100 KB of activations each would add ~90 MB if anything leaked.
        Assert.True(rssAt1000 - rssAt100 < 16L << 20, $"RSS grew by {(rssAt1000 - rssAt100) >> 10} KB between forward 100 and 1000");
    }

    private static long CurrentRss()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }
}
