using System.Linq;
using InceptionDsl.Reference;
using InceptionDsl.Tests;
using Xunit;

namespace InceptionDsl.Reference.Tests;

public class StateDictComparisonTests
{
    private static readonly ReferenceModel Resnet18 = ReferenceModel.LoadById("resnet18");

    private static (string, long[], string)[] ReferenceRows(ReferenceModel m) =>
        m.StateDict.Select(e => (e.Name, e.Shape.ToArray(), e.DType)).ToArray();

    [ReferenceFact]
    public void Identical_list_matches()
    {
        var c = StateDictComparison.Compare(ReferenceRows(Resnet18), Resnet18.Params, Resnet18);
        Assert.True(c.NamesAndShapesMatch);
        Assert.True(c.OrderMatches);
        Assert.False(c.WithoutAux);
    }

    [ReferenceFact]
    public void Differences_are_listed()
    {
        var rows = ReferenceRows(Resnet18).ToList();
        rows.RemoveAt(0);                                           // missing conv1.weight
        rows.Add(("extra.weight", [3], "float32"));                 // unexpected
        rows[0] = (rows[0].Item1, [1, 2], rows[0].Item3);           // mis-shaped bn1.weight
        (rows[1], rows[2]) = (rows[2], rows[1]);                    // swapped order
        var c = StateDictComparison.Compare(rows, 123, Resnet18);

        Assert.Equal(new[] { "conv1.weight" }, c.Missing);
        Assert.Equal(new[] { "extra.weight" }, c.Unexpected);
        Assert.Single(c.Mismatched);
        Assert.Equal("bn1.weight", c.Mismatched[0].Name);
        Assert.Equal("[64] float32", c.Mismatched[0].Expected);
        Assert.Equal(2, c.OrderDifferenceCount);
        Assert.False(c.ParamsMatch);
        Assert.False(c.NamesAndShapesMatch);
        string text = string.Join("\n", c.ToLines());
        Assert.Contains("missing: conv1.weight", text);
        Assert.Contains("unexpected: extra.weight", text);
    }

    [ReferenceFact]
    public void Order_is_compared_per_kind_when_parameter_names_are_given()
    {
        var rows = ReferenceRows(Resnet18);
        var parameterNames = rows.Select(r => r.Item1)
            .Where(n => !n.EndsWith(".running_mean") && !n.EndsWith(".running_var") && !n.EndsWith(".num_batches_tracked"))
            .ToHashSet();
        // TorchSharp's layout: every parameter, then every buffer.
        var torchSharpOrder = rows.Where(r => parameterNames.Contains(r.Item1))
            .Concat(rows.Where(r => !parameterNames.Contains(r.Item1))).ToArray();

        var perKind = StateDictComparison.Compare(torchSharpOrder, Resnet18.Params, Resnet18, null, parameterNames);
        Assert.True(perKind.OrderMatches);
        Assert.False(perKind.ExactOrderMatches);

        var raw = StateDictComparison.Compare(torchSharpOrder, Resnet18.Params, Resnet18);
        Assert.False(raw.OrderMatches);
    }

    [ReferenceFact]
    public void Aux_entries_are_left_out_when_the_module_has_none()
    {
        var googlenet = ReferenceModel.LoadById("googlenet");
        var rows = ReferenceRows(googlenet).Where(r => !ReferenceModel.IsAuxEntry(r.Item1)).ToArray();
        var c = StateDictComparison.Compare(rows, googlenet.ParamsWithoutAux, googlenet);
        Assert.True(c.WithoutAux);
        Assert.Equal(344, c.ReferenceEntries);
        Assert.True(c.NamesAndShapesMatch);
    }
}
