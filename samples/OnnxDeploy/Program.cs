// Classifies an image with a model exported by `inceptiondsl export MODEL -o model.onnx`.
// Usage: OnnxDeploy model.onnx [image.ppm]   (without an image: a synthetic gradient picture)
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

if (args.Length is < 1 or > 2)
{
    Console.Error.WriteLine("usage: OnnxDeploy model.onnx [image.ppm]");
    return 2;
}

using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
using var session = new InferenceSession(args[0], options);
var meta = session.ModelMetadata.CustomMetadataMap;
// The exporter records the size the spec was checked for, e.g. "3x299x299".
var size = meta["input_size"].Split('x').Select(int.Parse).ToArray();
var (channels, height, width) = (size[0], size[1], size[2]);
Console.WriteLine($"model: {meta["model_name"]} from {meta["spec_file"]}, {meta["parameter_count"]} parameters, input {channels}x{height}x{width}");

var (pixels, imageWidth, imageHeight) = args.Length == 2 ? Ppm.Read(args[1]) : Ppm.Gradient(320, 240);
var input = Preprocess.ToTensor(pixels, imageWidth, imageHeight, width, height);

using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("input", input) });
var logits = results.First(r => r.Name == "logits").AsTensor<float>().ToArray();
var probabilities = Preprocess.Softmax(logits);
foreach (var (p, index) in probabilities.Select((p, i) => (p, i)).OrderByDescending(t => t.p).Take(5))
    Console.WriteLine($"class {index,4}: {p:P2}");
return 0;

/// <summary>The preprocessing torchvision's ImageNet models expect.</summary>
internal static class Preprocess
{
    private static readonly float[] Mean = { 0.485f, 0.456f, 0.406f };
    private static readonly float[] Std = { 0.229f, 0.224f, 0.225f };

    /// <summary>RGB bytes (row-major, 3 per pixel) resized bilinearly to width x height, scaled to [0, 1], normalised per channel, as [1, 3, H, W].</summary>
    public static DenseTensor<float> ToTensor(byte[] rgb, int sourceWidth, int sourceHeight, int width, int height)
    {
        var tensor = new DenseTensor<float>(new[] { 1, 3, height, width });
        for (int y = 0; y < height; y++)
        {
            float sy = Math.Clamp((y + 0.5f) * sourceHeight / height - 0.5f, 0, sourceHeight - 1);
            int y0 = (int)sy, y1 = Math.Min(y0 + 1, sourceHeight - 1);
            float fy = sy - y0;
            for (int x = 0; x < width; x++)
            {
                float sx = Math.Clamp((x + 0.5f) * sourceWidth / width - 0.5f, 0, sourceWidth - 1);
                int x0 = (int)sx, x1 = Math.Min(x0 + 1, sourceWidth - 1);
                float fx = sx - x0;
                for (int c = 0; c < 3; c++)
                {
                    float Pixel(int px, int py) => rgb[(py * sourceWidth + px) * 3 + c] / 255f;
                    float value = (1 - fy) * ((1 - fx) * Pixel(x0, y0) + fx * Pixel(x1, y0)) + fy * ((1 - fx) * Pixel(x0, y1) + fx * Pixel(x1, y1));
                    tensor[0, c, y, x] = (value - Mean[c]) / Std[c];
                }
            }
        }

        return tensor;
    }

    public static float[] Softmax(float[] logits)
    {
        float max = logits.Max();
        var exp = logits.Select(v => MathF.Exp(v - max)).ToArray();
        float sum = exp.Sum();
        return exp.Select(v => v / sum).ToArray();
    }
}

/// <summary>Binary PPM (P6) images: enough for a sample without an image library.</summary>
internal static class Ppm
{
    public static (byte[] Rgb, int Width, int Height) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int position = 0;
        string Token()
        {
            while (char.IsWhiteSpace((char)bytes[position]) || bytes[position] == '#')
            {
                if (bytes[position] == '#')
                    while (bytes[position] != '\n') position++;
                position++;
            }

            int start = position;
            while (!char.IsWhiteSpace((char)bytes[position])) position++;
            return System.Text.Encoding.ASCII.GetString(bytes, start, position - start);
        }

        if (Token() != "P6")
            throw new InvalidDataException($"{path}: not a binary PPM (P6) image");
        int width = int.Parse(Token()), height = int.Parse(Token()), max = int.Parse(Token());
        if (max != 255)
            throw new InvalidDataException($"{path}: only 8-bit PPM images are read");
        position++;
        return (bytes.AsSpan(position, width * height * 3).ToArray(), width, height);
    }

    public static (byte[] Rgb, int Width, int Height) Gradient(int width, int height)
    {
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = (y * width + x) * 3;
                rgb[i] = (byte)(255 * x / width);
                rgb[i + 1] = (byte)(255 * y / height);
                rgb[i + 2] = 128;
            }

        return (rgb, width, height);
    }
}
