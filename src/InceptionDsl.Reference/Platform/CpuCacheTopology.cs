using System;
using System.IO;
using System.Runtime.Intrinsics.X86;

namespace InceptionDsl.Platform;

/// <summary>
/// What this CPU tells software about its data caches, read the way oneDNN's CPU detection (Xbyak)
/// reads it: CPUID's deterministic cache parameters (leaf 0x8000001D on AMD, leaf 4 elsewhere). Some virtual machines leave those leaves empty; oneDNN then sizes its convolution
/// blocking with zero-byte caches, miscomputes float32 convolutions and divides by zero (SIGFPE)
/// when it plans a channels-last 1x1 convolution (see docs/platform.md).
/// </summary>
/// <param name="Applies">Whether the CPU is x86 (CPUID can be read); elsewhere the other fields say nothing.</param>
/// <param name="Leaf">The CPUID leaf read, e.g. <c>0x8000001D</c>.</param>
/// <param name="DataCacheLevels">How many data or unified cache levels that leaf describes (0: none).</param>
/// <param name="Level1DataBytes">The first-level data cache's size in bytes, 0 when not described.</param>
/// <param name="Level2Bytes">The second-level cache's size in bytes, 0 when not described.</param>
/// <param name="HasAvx512">Whether the CPU has AVX-512F, the instruction set of oneDNN's affected kernels.</param>
/// <param name="SysfsCacheListed">Whether Linux lists the caches (<c>/sys/devices/system/cpu/cpu0/cache</c>), which it reads from the same leaves; null off Linux.</param>
public sealed record CpuCacheTopology(bool Applies, string Leaf, int DataCacheLevels, long Level1DataBytes, long Level2Bytes, bool HasAvx512, bool? SysfsCacheListed)
{
    /// <summary>Whether the CPU hides the cache sizes oneDNN divides by: x86, and no data cache described.</summary>
    public bool HidesDataCaches => Applies && (DataCacheLevels == 0 || Level1DataBytes == 0 || Level2Bytes == 0);

    /// <summary>What CPUID says of the caches, e.g. <c>CPUID leaf 0x8000001D describes no data cache</c>.</summary>
    public string Summary => !Applies
        ? "not an x86 CPU: cache topology not read"
        : DataCacheLevels == 0
            ? $"CPUID leaf {Leaf} describes no data cache"
            : $"CPUID leaf {Leaf}: L1d {Level1DataBytes / 1024} KiB, L2 {Level2Bytes / 1024} KiB";

    /// <summary><see cref="Summary"/>, what Linux lists and whether the CPU has AVX-512, e.g. <c>CPUID leaf 0x8000001D describes no data cache; Linux lists no cache; AVX-512: yes</c>.</summary>
    public string Describe()
    {
        if (!Applies)
            return Summary;
        var caches = Summary;
        var sysfs = SysfsCacheListed switch { true => "; Linux lists the caches", false => "; Linux lists no cache", null => "" };
        return $"{caches}{sysfs}; AVX-512: {(HasAvx512 ? "yes" : "no")}";
    }

    /// <summary>Reads this CPU's topology (a few CPUID instructions; no allocation of note).</summary>
    public static CpuCacheTopology Read()
    {
        bool? sysfs = OperatingSystem.IsLinux() ? Directory.Exists("/sys/devices/system/cpu/cpu0/cache") : null;
        if (!X86Base.IsSupported)
            return new CpuCacheTopology(false, "", 0, 0, 0, false, sysfs);

        var (maxBasic, vendorB, vendorC, vendorD) = X86Base.CpuId(0, 0);
        bool amd = vendorB == 0x68747541 && vendorD == 0x69746E65 && vendorC == 0x444D4163; // "AuthenticAMD"
        bool hygon = vendorB == 0x6F677948; // "HygonGenuine": AMD's leaves
        // AMD describes its caches in leaf 0x8000001D (Intel's leaf 4 layout). Some hypervisors clear
        // the TOPOEXT bit that announces it yet leave the leaf in range, as on the machine of
        // docs/platform.md; read it whenever it is in range, as Linux does, and the older leaves on
        // AMD CPUs that predate it.
        var (maxExtended, _, _, _) = X86Base.CpuId(unchecked((int)0x80000000), 0);
        if ((amd || hygon) && (uint)maxExtended < 0x8000001D)
            return ReadAmdLegacy(sysfs);
        int leaf = amd || hygon ? unchecked((int)0x8000001D) : 4;
        if (leaf == 4 && maxBasic < 4)
            return new CpuCacheTopology(true, "0x4", 0, 0, 0, Avx512F.IsSupported, sysfs);

        int levels = 0;
        long level1 = 0, level2 = 0;
        for (int index = 0; index < 16; index++)
        {
            var (eax, ebx, ecx, _) = X86Base.CpuId(leaf, index);
            int type = eax & 0x1F; // 0: no more caches, 1: data, 2: instruction, 3: unified
            if (type == 0)
                break;
            if (type == 2)
                continue;
            int level = (eax >> 5) & 0x7;
            long ways = ((ebx >> 22) & 0x3FF) + 1L;
            long partitions = ((ebx >> 12) & 0x3FF) + 1L;
            long lineSize = (ebx & 0xFFF) + 1L;
            long sets = (uint)ecx + 1L;
            long bytes = ways * partitions * lineSize * sets;
            levels++;
            if (level == 1)
                level1 = bytes;
            else if (level == 2)
                level2 = bytes;
        }

        return new CpuCacheTopology(true, $"0x{leaf:X}", levels, level1, level2, Avx512F.IsSupported, sysfs);
    }

    /// <summary>AMD CPUs older than leaf 0x8000001D: the sizes of leaves 0x80000005 (L1d, KiB in ECX[31:24]) and 0x80000006 (L2, KiB in ECX[31:16]).</summary>
    private static CpuCacheTopology ReadAmdLegacy(bool? sysfs)
    {
        var (maxExtended, _, _, _) = X86Base.CpuId(unchecked((int)0x80000000), 0);
        if ((uint)maxExtended < 0x80000006)
            return new CpuCacheTopology(true, "0x80000005", 0, 0, 0, Avx512F.IsSupported, sysfs);
        var (_, _, l1, _) = X86Base.CpuId(unchecked((int)0x80000005), 0);
        var (_, _, l2, _) = X86Base.CpuId(unchecked((int)0x80000006), 0);
        long level1 = (((uint)l1 >> 24) & 0xFF) * 1024L;
        long level2 = (((uint)l2 >> 16) & 0xFFFF) * 1024L;
        int levels = (level1 > 0 ? 1 : 0) + (level2 > 0 ? 1 : 0);
        return new CpuCacheTopology(true, "0x80000005/6", levels, level1, level2, Avx512F.IsSupported, sysfs);
    }
}
