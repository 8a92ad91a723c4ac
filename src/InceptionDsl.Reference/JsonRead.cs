using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace InceptionDsl.Reference;

/// <summary>Small helpers over <see cref="JsonElement"/> for the reference files.</summary>
internal static class JsonRead
{
    public static JsonElement? Optional(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    public static JsonElement Required(JsonElement obj, string name, string file) =>
        Optional(obj, name) ?? throw new JsonException($"{file}: required field '{name}' is missing.");

    public static long[] Longs(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt64()).ToArray();

    public static int[][] IntMatrix(JsonElement array) =>
        array.EnumerateArray().Select(row => row.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToArray();

    public static double[][] Matrix(JsonElement array) =>
        array.EnumerateArray().Select(row => row.EnumerateArray().Select(e => e.GetDouble()).ToArray()).ToArray();

    public static IReadOnlyDictionary<string, double[][]> MatrixMap(JsonElement obj)
    {
        var result = new Dictionary<string, double[][]>();
        foreach (JsonProperty p in obj.EnumerateObject()) result[p.Name] = Matrix(p.Value);
        return result;
    }
}
