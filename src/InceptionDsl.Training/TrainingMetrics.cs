using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace InceptionDsl.Training;

/// <summary>
/// The figures of a run, per epoch, as <c>metrics.csv</c> (one row per epoch) and <c>metrics.png</c> (loss and
/// accuracy curves, drawn with ScottPlot), each written beside and moved into place.
/// </summary>
public static class TrainingMetrics
{
    /// <summary>The CSV file's name in the checkpoint folder.</summary>
    public const string CsvFile = "metrics.csv";

    /// <summary>The plot's name in the checkpoint folder.</summary>
    public const string PlotFile = "metrics.png";

    /// <summary>The CSV header.</summary>
    public const string Header = "epoch,train_loss,train_top1,val_loss,val_top1,val_top5,lr,seconds";

    /// <summary>Writes both files into <paramref name="dir"/>.</summary>
    public static void Write(string dir, IReadOnlyList<EpochResult> history)
    {
        WriteCsv(Path.Combine(dir, CsvFile), history);
        WritePlot(Path.Combine(dir, PlotFile), history);
    }

    /// <summary>The CSV text: <see cref="Header"/>, then one row per epoch (accuracies 0..1, invariant culture).</summary>
    public static string Csv(IReadOnlyList<EpochResult> history)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var r in history)
        {
            text.AppendJoin(',', new[] { r.Epoch.ToString(CultureInfo.InvariantCulture) }
                .Concat(new[] { r.TrainLoss, r.TrainTop1, r.ValidationLoss, r.ValidationTop1, r.ValidationTop5, r.LearningRate, r.Elapsed.TotalSeconds }
                    .Select(v => v.ToString("G6", CultureInfo.InvariantCulture))));
            text.Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Writes <see cref="Csv"/> to <paramref name="path"/>.</summary>
    public static void WriteCsv(string path, IReadOnlyList<EpochResult> history) => WriteBeside(path, temp => File.WriteAllText(temp, Csv(history)));

    /// <summary>Draws training and validation loss (left axis) and top-1 / top-5 (right axis, %) per epoch as a PNG.</summary>
    public static void WritePlot(string path, IReadOnlyList<EpochResult> history, int width = 800, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(history);
        var plot = new ScottPlot.Plot();
        double[] epochs = history.Select(h => (double)h.Epoch).ToArray();
        void Line(Func<EpochResult, double> value, string label, bool accuracy)
        {
            var line = plot.Add.Scatter(epochs, history.Select(value).ToArray());
            line.LegendText = label;
            if (accuracy)
                line.Axes.YAxis = plot.Axes.Right;
        }

        Line(h => h.TrainLoss, "train loss", false);
        Line(h => h.ValidationLoss, "validation loss", false);
        Line(h => h.TrainTop1 * 100, "train top-1 %", true);
        Line(h => h.ValidationTop1 * 100, "validation top-1 %", true);
        Line(h => h.ValidationTop5 * 100, "validation top-5 %", true);
        plot.Axes.Bottom.Label.Text = "epoch";
        plot.Axes.Left.Label.Text = "loss";
        plot.Axes.Right.Label.Text = "accuracy (%)";
        plot.ShowLegend();
        WriteBeside(path, temp => plot.SavePng(temp, width, height));
    }

    // Ends like the target (ScottPlot picks the image format from the extension); never over a pipe, device or link.
    private static void WriteBeside(string path, Action<string> write) => InceptionDsl.Reference.SafeFiles.WriteWhole(path, write);
}
