using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace InceptionDsl.Reference;

/// <summary>
/// A reference, logits or checkpoint file that is not what it should be. The message names the file,
/// the place (<c>file(line,col)</c> for a JSON syntax error, else the field) and what was expected.
/// </summary>
public sealed class ReferenceFormatException : Exception
{
    /// <summary>Creates the error: <c>file(line,col): detail</c>, or <c>file: detail</c> without a position.</summary>
    public ReferenceFormatException(string file, string detail, long? line = null, long? column = null, Exception? inner = null)
        : base((line is null ? file : $"{file}({line},{column ?? 1})") + ": " + detail, inner)
    {
        File = file;
        Line = line;
        Column = column;
        Detail = detail;
    }

    /// <summary>The file as given.</summary>
    public string File { get; }

    /// <summary>1-based line of a syntax error, else null.</summary>
    public long? Line { get; }

    /// <summary>1-based column (byte in the line) of a syntax error, else null.</summary>
    public long? Column { get; }

    /// <summary>The message without the file and position.</summary>
    public string Detail { get; }
}

/// <summary>
/// Typed reads over the JSON of one file: every wrong type, missing field or impossible value throws
/// <see cref="ReferenceFormatException"/> naming the field (e.g. <c>state_dict[3] shape</c>) and what it should be.
/// </summary>
internal sealed class JsonRead(string file)
{
    /// <summary>The most values an input tensor may have (a 2x3x299x299 input has 536,406).</summary>
    public const long MaxInputValues = 1L << 26;

    public string File { get; } = file;

    /// <summary>Parses a whole file; a syntax error names its 1-based line and column.</summary>
    public static JsonDocument Parse(Stream stream, string file)
    {
        try
        {
            return JsonDocument.Parse(stream);
        }
        catch (JsonException error)
        {
            throw SyntaxError(file, error);
        }
    }

    public static JsonDocument Parse(string json, string file)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException error)
        {
            throw SyntaxError(file, error);
        }
    }

    private static ReferenceFormatException SyntaxError(string file, JsonException error)
    {
        // System.Text.Json appends " LineNumber: 0 | BytePositionInLine: 5." (0-based): the position goes in front instead.
        var message = error.Message;
        int cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut < 0) cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0) message = message.Substring(0, cut).TrimEnd(' ', '|');
        return new ReferenceFormatException(file, "invalid JSON: " + message, (error.LineNumber ?? 0) + 1, (error.BytePositionInLine ?? 0) + 1, error);
    }

    public ReferenceFormatException Error(string detail) => new(File, detail);

    public JsonElement Object(JsonElement element, string where) =>
        element.ValueKind == JsonValueKind.Object ? element : throw Error($"{where} must be a JSON object, found {Kind(element)}");

    public JsonElement? Optional(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public JsonElement Required(JsonElement obj, string name) =>
        Optional(obj, name) ?? throw Error($"required field '{name}' is missing");

    public string String(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.String)
            throw Error($"'{where}' must be a string, found {Kind(element)}");
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw Error($"'{where}' is not valid UTF-8 text");
        }
    }

    public long Long(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Number)
            throw Error($"'{where}' must be a whole number, found {Kind(element)}");
        return element.TryGetInt64(out long value) ? value : throw Error($"'{where}' must be a whole number, found {element.GetRawText()}");
    }

    public long Count(JsonElement element, string where)
    {
        long value = Long(element, where);
        return value >= 0 ? value : throw Error($"'{where}' must be 0 or more, found {value}");
    }

    public double Double(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Number)
            throw Error($"'{where}' must be a number, found {Kind(element)}");
        double value = element.GetDouble();
        return double.IsFinite(value) ? value : throw Error($"'{where}' must be a finite number, found {element.GetRawText()}");
    }

    public JsonElement[] Array(JsonElement element, string where) =>
        element.ValueKind == JsonValueKind.Array ? element.EnumerateArray().ToArray() : throw Error($"'{where}' must be a list, found {Kind(element)}");

    /// <summary>A tensor shape: a list of sizes, each 0 or more.</summary>
    public long[] Shape(JsonElement element, string where)
    {
        var cells = Array(element, where);
        var shape = new long[cells.Length];
        for (int i = 0; i < cells.Length; i++)
        {
            shape[i] = Long(cells[i], $"{where}[{i}]");
            if (shape[i] < 0)
                throw Error($"'{where}' must hold sizes of 0 or more, found [{string.Join(", ", cells.Select(c => c.GetRawText()))}]");
        }

        return shape;
    }

    /// <summary>An input shape [batch, channels, height, width]: every size at least 1, at most <see cref="MaxInputValues"/> values.</summary>
    public long[] InputShape(JsonElement element, string where)
    {
        var cells = Array(element, where);
        var shape = cells.Select((c, i) => Long(c, $"{where}[{i}]")).ToArray();
        var text = "[" + string.Join(", ", shape) + "]";
        if (shape.Length != 4 || shape.Any(s => s < 1))
            throw Error($"'{where}' must be [batch, channels, height, width] with every size at least 1, found {text}");
        double values = shape.Aggregate(1.0, (a, s) => a * s);
        if (values > MaxInputValues)
            throw Error($"'{where}' {text} has {values.ToString("G4", CultureInfo.InvariantCulture)} values, more than the {MaxInputValues:N0} a verification input may have");
        return shape;
    }

    /// <summary>A non-empty matrix of numbers whose rows all have the same, non-zero length.</summary>
    public double[][] Matrix(JsonElement element, string where)
    {
        var rows = Array(element, where);
        if (rows.Length == 0)
            throw Error($"'{where}' is empty: expected one row of values per input sample");
        var matrix = new double[rows.Length][];
        for (int r = 0; r < rows.Length; r++)
        {
            var cells = Array(rows[r], $"{where}[{r}]");
            matrix[r] = new double[cells.Length];
            for (int c = 0; c < cells.Length; c++)
                matrix[r][c] = Double(cells[c], $"{where}[{r}][{c}]");
            if (cells.Length == 0 || cells.Length != matrix[0].Length)
                throw Error($"'{where}' must have rows of equal, non-zero length: row 0 has {matrix[0].Length} values, row {r} has {cells.Length}");
        }

        return matrix;
    }

    public int[][] IntMatrix(JsonElement element, string where) =>
        Array(element, where).Select((row, r) => Array(row, $"{where}[{r}]").Select((cell, c) =>
        {
            long value = Long(cell, $"{where}[{r}][{c}]");
            return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw Error($"'{where}[{r}][{c}]' is out of range: {value}");
        }).ToArray()).ToArray();

    public IReadOnlyDictionary<string, double[][]> MatrixMap(JsonElement element, string where)
    {
        var result = new Dictionary<string, double[][]>();
        foreach (JsonProperty p in Object(element, $"'{where}'").EnumerateObject())
            result[p.Name] = Matrix(p.Value, $"{where}.{p.Name}");
        return result;
    }

    /// <summary>"a string (\"eleven\")", "a number (1.5)", "a list", "an object", "true", "null".</summary>
    public static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => $"a string ({Shorten(element.GetRawText())})",
        JsonValueKind.Number => $"a number ({Shorten(element.GetRawText())})",
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => "null",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text.Substring(0, 37) + "...";
}
