using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using InceptionDsl.Text;

namespace InceptionDsl.Reference;

/// <summary>
/// Checks a <c>.safetensors</c> file's layout before its tensors are read: the header length, the JSON
/// header, and for every entry a known dtype, a shape of sizes 0 or more, and data offsets inside the
/// file that hold exactly the bytes the dtype and shape need. A bad file throws
/// <see cref="ReferenceFormatException"/> naming the entry and what was expected, so that no
/// malformed header reaches the native reader.
/// </summary>
public static class SafetensorsHeader
{
    /// <summary>The format's own bound on the header (100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>The dtypes TorchSharp reads and their sizes in bytes.</summary>
    public static IReadOnlyDictionary<string, int> DTypeSizes { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["I16"] = 2, ["F16"] = 2, ["BF16"] = 2, ["I32"] = 4, ["F32"] = 4, ["I64"] = 8, ["F64"] = 8,
    };

    /// <summary>Validates the file; returns the number of tensor entries.</summary>
    public static int Check(string path)
    {
        using var stream = SafeFiles.OpenRead(path);
        long length = stream.Length;
        Span<byte> prefix = stackalloc byte[8];
        if (length < 8 || stream.Read(prefix) != 8)
            throw new ReferenceFormatException(path, $"a safetensors file starts with an 8-byte header length; the file has {length} byte(s)");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)MaxHeaderBytes || (long)headerLength > length - 8)
            throw new ReferenceFormatException(path, $"the header length is {headerLength} bytes, but the file has {length - 8} byte(s) after the length (truncated, or not a safetensors file)");

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataLength = length - 8 - (long)headerLength;
        using var doc = JsonRead.Parse(new MemoryStream(header, writable: false), path + " header");
        var read = new JsonRead(path);
        var root = read.Object(doc.RootElement, "the header");
        int entries = 0;
        // JSON leaves duplicate keys to the reader; the tensor reader would take the last one silently (other weights,
        // other logits, no warning). A key twice is an error here, as a duplicate key is in a spec.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!seen.Add(property.Name))
                throw read.Error($"the header holds the key '{ShownText.Of(property.Name)}' twice; each tensor (and __metadata__) must appear once");
            if (property.Name == "__metadata__")
                continue;
            var name = ShownText.Of(property.Name);
            var where = $"header entry '{name}'";
            var entry = read.Object(property.Value, where);
            var dtype = read.String(read.Required(entry, "dtype"), name + ".dtype");
            if (!DTypeSizes.TryGetValue(dtype, out int size))
                throw read.Error($"{where}: dtype '{dtype}' is not one of {string.Join(", ", DTypeSizes.Keys)}");
            var shape = read.Shape(read.Required(entry, "shape"), name + ".shape");
            var offsets = read.Array(read.Required(entry, "data_offsets"), name + ".data_offsets");
            if (offsets.Length != 2)
                throw read.Error($"{where}: data_offsets must be [begin, end], found {offsets.Length} value(s)");
            long begin = read.Count(offsets[0], name + ".data_offsets[0]"), end = read.Count(offsets[1], name + ".data_offsets[1]");
            if (begin > end || end > dataLength)
                throw read.Error($"{where}: data_offsets [{begin}, {end}] lie outside the {dataLength} data byte(s) of the file (truncated?)");
            double needed = shape.Aggregate((double)size, (a, s) => a * s);
            if (needed != end - begin)
                throw read.Error($"{where}: {dtype} [{string.Join(", ", shape)}] needs {needed:0} bytes, data_offsets [{begin}, {end}] hold {end - begin}");
            entries++;
        }

        return entries;
    }
}
