using System;
using System.IO;
using System.Reflection;
using InceptionDsl.Reference;

namespace InceptionDsl.Training.PyTorch;

/// <summary>
/// The PyTorch training entry point (<c>train_ddp.py</c>, embedded in this assembly): DistributedDataParallel training
/// of a module emitted by <c>emit --target pytorch</c>, launched by torchrun, with the recipe and checkpoint folder of
/// <see cref="Trainer"/> (docs/training.md, "Many machines: torchrun").
/// </summary>
public static class PyTorchTrainingScript
{
    /// <summary>The script's file name.</summary>
    public const string FileName = "train_ddp.py";

    private const string ResourceName = "InceptionDsl.Training.PyTorch.train_ddp.py";

    /// <summary>The script's text.</summary>
    public static string Text
    {
        get
        {
            using var stream = typeof(PyTorchTrainingScript).Assembly.GetManifestResourceStream(ResourceName)
                ?? throw new InvalidOperationException($"the assembly lacks its embedded {ResourceName}");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    /// <summary>Writes the script into <paramref name="folder"/> (whole or not at all) and returns its path.</summary>
    public static string WriteTo(string folder)
    {
        var path = Path.Combine(folder, FileName);
        var text = Text;
        SafeFiles.WriteWhole(path, (string temporary) => File.WriteAllText(temporary, text));
        return path;
    }
}
