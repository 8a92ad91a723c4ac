using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Support;

/// <summary>Writes tensors in the safetensors format for a Python peer to read: 8 bytes of header length, the JSON header (in the given order), then each tensor's little-endian bytes.</summary>
public static class SafetensorsFile
{
    /// <summary>Float tensors as F32, or as F64 with <paramref name="float64"/>; int64 tensors as I64.</summary>
    public static void Write(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, bool float64 = false)
    {
        var header = new Dictionary<string, object>();
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, value) in tensors)
        {
            var contiguous = value.contiguous().cpu();
            byte[] blob;
            string dtype;
            if (contiguous.dtype == ScalarType.Int64)
            {
                blob = Bytes(contiguous.data<long>().ToArray(), 8);
                dtype = "I64";
            }
            else if (float64)
            {
                blob = Bytes(contiguous.to_type(ScalarType.Float64).data<double>().ToArray(), 8);
                dtype = "F64";
            }
            else
            {
                blob = Bytes(contiguous.to_type(ScalarType.Float32).data<float>().ToArray(), 4);
                dtype = "F32";
            }

            header[name] = new Dictionary<string, object> { ["dtype"] = dtype, ["shape"] = value.shape, ["data_offsets"] = new[] { offset, offset + blob.Length } };
            blobs.Add(blob);
            offset += blob.Length;
        }

        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        using var file = File.Create(path);
        file.Write(BitConverter.GetBytes((ulong)json.Length));
        file.Write(json);
        foreach (var blob in blobs)
            file.Write(blob);
    }

    private static byte[] Bytes<T>(T[] data, int size) where T : struct
    {
        var blob = new byte[data.Length * size];
        Buffer.BlockCopy(data, 0, blob, 0, blob.Length);
        return blob;
    }

    /// <summary>The Python that reads such a file into an ordered dict of tensors (torch alone).</summary>
    public const string PythonReader = """
        def read_safetensors(path):
            import json, struct
            raw = open(path, "rb").read()
            size = struct.unpack("<Q", raw[:8])[0]
            header, data = json.loads(raw[8:8 + size]), raw[8 + size:]
            types = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64}
            tensors = {}
            for name, entry in header.items():
                begin, end = entry["data_offsets"]
                tensors[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=types[entry["dtype"]]).reshape(entry["shape"])
            return tensors
        """;
}
