using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Expressions;
using InceptionDsl.Semantics;
using InceptionDsl.Syntax;

namespace InceptionDsl.Emit;

/// <summary>
/// Emits a model's catalogue of published weights (its spec's <c>weights:</c> list): a nested static class
/// <c>Weights</c> with one <c>PretrainedWeights</c> property per entry and <c>All</c>. Every text of an entry
/// (file name, source, license, citation) is spec data and reaches the code only through <see cref="CSharpText"/>.
/// </summary>
public static class WeightsEmitter
{
    /// <summary>The nested class's name (<c>ResNet50.Weights</c>).</summary>
    public const string ClassName = "Weights";

    /// <summary>The property listing every entry.</summary>
    public const string AllProperty = "All";

    /// <summary>The support record each entry is (emitted once per project by <see cref="SupportEmitter"/>).</summary>
    public const string RecordName = "PretrainedWeights";

    /// <summary>Writes the <c>Weights</c> class of <paramref name="model"/>; nothing when its spec lists no weights.</summary>
    internal static void Write(CodeWriter w, ModelIR model, string ns)
    {
        if (model.Weights.Count == 0)
            return;
        var record = $"global::{ns}.{RecordName}";
        w.Line();
        w.Summary($"The published weights of {model.ClassName}, as its spec lists them: file, SHA-256, source, license, the preprocessing they were evaluated with, and the accuracy their source reports.",
            "Nothing is downloaded: fetch the file yourself and load it with InceptionDsl.Training's PretrainedWeightsLoader, which checks the SHA-256 first.");
        w.Open($"public static class {ClassName}");
        foreach (var weights in model.Weights)
        {
            w.Summary(Describe(model.ClassName, weights));
            w.Line($"public static {record} {weights.Name} {{ get; }} = new {record}(");
            w.Line($"    Model: {CSharpText.Literal(model.ClassName)},");
            w.Line($"    Name: {CSharpText.Literal(weights.Name)},");
            w.Line($"    FileName: {CSharpText.Literal(weights.FileName)},");
            w.Line($"    Sha256: {CSharpText.Literal(weights.Sha256)},");
            w.Line($"    Source: {CSharpText.Literal(weights.Source)},");
            w.Line($"    License: {CSharpText.Literal(weights.License)},");
            w.Line($"    Mean: {Doubles(weights.Mean)},");
            w.Line($"    Std: {Doubles(weights.Std)},");
            w.Line($"    Height: {weights.Height},");
            w.Line($"    Width: {weights.Width},");
            w.Line($"    CropFraction: {Number(weights.CropFraction)},");
            w.Line($"    Interpolation: {CSharpText.Literal(weights.Interpolation)},");
            w.Line($"    Top1: {Number(weights.Top1)},");
            w.Line($"    Top5: {Number(weights.Top5)},");
            w.Line($"    Citation: {CSharpText.LiteralOrNull(weights.Citation)});");
            w.Line();
        }

        // Static initialisers run in text order: the list comes after the entries it holds.
        w.Summary("Every entry above, in the spec's order.");
        w.Line($"public static global::System.Collections.Generic.IReadOnlyList<{record}> {AllProperty} {{ get; }} = new {record}[] {{ {string.Join(", ", model.Weights.Select(e => e.Name))} }};");
        w.Close();
    }

    /// <summary>The one-line summary of an entry: what a reader looks for first.</summary>
    private static string Describe(string model, WeightsFacts weights)
    {
        var accuracy = weights.Top1 is null && weights.Top5 is null ? ""
            : $" Reported ImageNet accuracy:{(weights.Top1 is { } t1 ? $" top-1 {FloatValue.FormatDouble(t1)}" : "")}{(weights.Top5 is { } t5 ? $"{(weights.Top1 is null ? "" : ",")} top-5 {FloatValue.FormatDouble(t5)}" : "")} ({weights.Citation}).";
        var crop = weights.CropFraction is { } c ? $", center crop {FloatValue.FormatDouble(c)}" : "";
        return $"{model}.{ClassName}.{weights.Name}: {weights.FileName} ({weights.License}); input [{weights.Mean.Count}, {weights.Height}, {weights.Width}], {weights.Interpolation} resize{crop}.{accuracy}";
    }

    private static string Doubles(IEnumerable<double> values) => "new double[] { " + string.Join(", ", values.Select(FloatValue.FormatDouble)) + " }";

    private static string Number(double? value) => value is { } v ? FloatValue.FormatDouble(v) : "null";
}
