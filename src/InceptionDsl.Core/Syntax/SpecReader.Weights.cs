using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using InceptionDsl.Diagnostics;
using InceptionDsl.Text;

namespace InceptionDsl.Syntax;

/// <summary>
/// The <c>weights:</c> list of a model: each entry's facts checked where they are written (file, line,
/// column), so a wrong figure is an error of the spec rather than a silently wrong preprocessing.
/// </summary>
public sealed partial class SpecReader
{
    private static readonly string[] WeightsKeys = LanguageCatalog.Names(LanguageCatalog.WeightsKeys);

    /// <summary>The interpolations a weights entry may name, as torchvision's and timm's transforms call them.</summary>
    public static IReadOnlyList<string> Interpolations { get; } = new[] { "bilinear", "bicubic", "nearest" };

    /// <summary>Fewest and most hex digits of a <c>sha256</c>: torch.hub's file names carry a prefix of 8 or more.</summary>
    public const int MinSha256Digits = 8, MaxSha256Digits = 64;

    /// <summary>The entries of a <c>weights</c> list, for a model whose input is <paramref name="input"/> (null: it has errors of its own).</summary>
    private EquatableArray<WeightsDecl> ReadWeights(YNode? node, InputDecl? input)
    {
        if (node is null)
            return EquatableArray<WeightsDecl>.Empty;
        var result = new List<WeightsDecl>();
        var seen = new Dictionary<string, SourceSpan>();
        foreach (var item in Items(node, "weights"))
        {
            if (Expect<YMapping>(item, "a weights entry", "a mapping with name, file, sha256, source, license, mean, std") is not { } map)
                continue;
            if (ReadWeightsEntry(map, input) is not { } entry)
                continue;
            if (seen.TryGetValue(entry.Facts.Name, out var first))
            {
                Report(Descriptors.DuplicateName.Create(entry.Span, entry.Facts.Name, first.Line));
                continue;
            }

            seen[entry.Facts.Name] = entry.Span;
            result.Add(entry);
        }

        return result.ToEquatableArray();
    }

    private WeightsDecl? ReadWeightsEntry(YMapping map, InputDecl? input)
    {
        CheckKeys(map, WeightsKeys, "a weights entry");
        int errors = _diagnostics.Count;
        var nameNode = Required(map, "name");
        var name = nameNode is null ? null : ReadName(nameNode, "weights name", NameKind.Property);
        var file = ReadFileName(Required(map, "file"));
        var sha256 = ReadSha256(Required(map, "sha256"));
        var source = ReadRequiredText(map, "source");
        var license = ReadRequiredText(map, "license");
        long channels = input?.Channels ?? 0;
        var mean = ReadPerChannel(Required(map, "mean"), "mean", channels, positive: false);
        var std = ReadPerChannel(Required(map, "std"), "std", channels, positive: true);

        (long Height, long Width)? size = input is null ? null : (input.Height, input.Width);
        if (map.Get("size") is { } sizeNode && ReadIntPair(sizeNode, "size") is { } declared && input is not null
            && (declared.Item1 != input.Height || declared.Item2 != input.Width))
            Report(Descriptors.OutOfRange.Create(sizeNode.Span, "size", $"the model's input size [{input.Height}, {input.Width}] (the size its shapes are checked for)",
                $"[{declared.Item1}, {declared.Item2}]"));

        double? crop = null;
        if (map.Get("crop") is { } cropNode && ReadDouble(cropNode, "crop") is { } cropValue)
        {
            if (cropValue is >= SpecLimits.MinCrop and <= 1)
                crop = cropValue;
            else
                Report(Descriptors.OutOfRange.Create(cropNode.Span, "crop", $"at least {Number(SpecLimits.MinCrop)} and at most 1", Number(cropValue)));
        }

        var interpolation = "bilinear";
        if (map.Get("interpolation") is { } interpolationNode && ReadText(interpolationNode, "interpolation") is { } word)
        {
            if (Interpolations.Contains(word))
                interpolation = word;
            else
                Report(Descriptors.OutOfRange.Create(interpolationNode.Span, "interpolation", string.Join(", ", Interpolations),
                    $"'{MessageText.Escape(word)}'{DidYouMean.Hint(word, Interpolations)}"));
        }

        var top1 = ReadPercent(map.Get("top1"), "top1");
        var top5 = ReadPercent(map.Get("top5"), "top5");
        var cite = ReadText(map.Get("cite"), "cite");
        if ((top1 is not null || top5 is not null) && cite is null && map.Get("cite") is null)
            Report(Descriptors.MissingField.Create(map.Span, "A weights entry with top1 or top5", "cite"));
        if (top1 is { } t1 && top5 is { } t5 && t5 < t1)
            Report(Descriptors.OutOfRange.Create(map.Get("top5")!.Span, "top5", $"at least top1 ({Number(t1)})", Number(t5)));

        if (_diagnostics.Count > errors || name is null || file is null || sha256 is null || source is null || license is null || mean is null || std is null || size is null)
            return null;
        var facts = new WeightsFacts(name, file, sha256, source, license, mean.Value, std.Value, size.Value.Height, size.Value.Width,
            crop, interpolation, top1, top5, cite);
        return new WeightsDecl(facts, nameNode!.Span);
    }

    /// <summary>The value of a required key, or null after reporting that it is missing.</summary>
    private YNode? Required(YMapping map, string key)
    {
        if (map.Get(key) is { } node)
            return node;
        Report(Descriptors.MissingField.Create(map.Span, "A weights entry", key));
        return null;
    }

    private string? ReadRequiredText(YMapping map, string key) => Required(map, key) is { } node ? ReadText(node, key) : null;

    /// <summary>A file name: text without a directory part, as a loader compares it with the file it is given.</summary>
    private string? ReadFileName(YNode? node)
    {
        if (node is null || ReadText(node, "file") is not { } file)
            return null;
        if (file.Length > 0 && file.IndexOfAny(new[] { '/', '\\' }) < 0 && file is not ("." or ".."))
            return file;
        Report(Descriptors.OutOfRange.Create(node.Span, "file", "a file name without a directory", $"'{MessageText.Escape(file)}'"));
        return null;
    }

    /// <summary>8 to 64 hex digits, returned in lower case.</summary>
    private string? ReadSha256(YNode? node)
    {
        if (node is null)
            return null;
        if (node is not YScalar scalar || scalar.IsNull)
        {
            Report(Descriptors.WrongType.Create(node.Span, "sha256", "hex digits", node.KindName));
            return null;
        }

        var hex = scalar.Value;
        int bad = hex.ToList().FindIndex(c => !System.Uri.IsHexDigit(c));
        if (bad >= 0)
        {
            Report(Descriptors.WrongType.Create(node.Span, "sha256", "hex digits (0-9, a-f)", $"character {NameAlphabet.Describe(hex, bad)} at position {bad + 1}"));
            return null;
        }

        if (hex.Length is < MinSha256Digits or > MaxSha256Digits)
        {
            Report(Descriptors.OutOfRange.Create(node.Span, "sha256", $"{MinSha256Digits} to {MaxSha256Digits} hex digits (the full hash, or the prefix a torch.hub file name carries)",
                $"{hex.Length} digits"));
            return null;
        }

        return hex.ToLowerInvariant();
    }

    /// <summary>One finite number per input channel (each positive where <paramref name="positive"/>); channels 0: not checked.</summary>
    private EquatableArray<double>? ReadPerChannel(YNode? node, string what, long channels, bool positive)
    {
        if (node is null)
            return null;
        if (node is not YSequence sequence)
        {
            Report(Descriptors.WrongType.Create(node.Span, what, "a list of numbers, one per input channel", Describe(node)));
            return null;
        }

        var values = new List<double>();
        foreach (var item in sequence.Items)
        {
            if (ReadDouble(item, what) is not { } value)
                return null;
            if (positive && !(value > 0))
            {
                Report(Descriptors.OutOfRange.Create(item.Span, what, "greater than 0", Number(value)));
                return null;
            }

            values.Add(value);
        }

        if (channels > 0 && values.Count != channels)
        {
            Report(Descriptors.ChannelMismatch.Create(node.Span, what, $"{values.Count} value(s) given, but the model's input has {channels} channel(s); give one per channel"));
            return null;
        }

        return values.ToEquatableArray();
    }

    /// <summary>A percentage in [0, 100].</summary>
    private double? ReadPercent(YNode? node, string what)
    {
        if (node is null || ReadDouble(node, what) is not { } value)
            return null;
        if (value is >= 0 and <= 100)
            return value;
        Report(Descriptors.OutOfRange.Create(node.Span, what, "a percentage from 0 to 100", Number(value)));
        return null;
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
