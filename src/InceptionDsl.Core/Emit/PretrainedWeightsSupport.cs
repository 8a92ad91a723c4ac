namespace InceptionDsl.Emit;

/// <summary>
/// The support types of the weights catalogue (<see cref="WeightsEmitter"/>): <c>PretrainedWeights</c>, the facts of
/// one published file, and <c>PretrainedPreprocessing</c>, the eval transform those weights expect, for tensors.
/// Written once per project into the support file by <see cref="SupportEmitter"/>; no spec text appears here.
/// </summary>
internal static class PretrainedWeightsSupport
{
    public const string Text = @"/// <summary>
/// Published pretrained weights of a model, with the facts its spec gives: the file and its SHA-256 (the full hash,
/// or the prefix of 8 or more hex digits torch.hub puts in file names, which is compared as a prefix), where it is
/// published and under which license, the preprocessing it was evaluated with, and the ImageNet accuracy its source
/// reports (with the citation). Nothing is downloaded: a loader takes a local file and checks <see cref=""Sha256""/> first.
/// </summary>
[global::System.CodeDom.Compiler.GeneratedCode(""InceptionDsl"", """ + EmitOptions.GeneratorVersion + @""")]
public sealed record PretrainedWeights(string Model, string Name, string FileName, string Sha256, string Source, string License,
    global::System.Collections.Generic.IReadOnlyList<double> Mean, global::System.Collections.Generic.IReadOnlyList<double> Std,
    long Height, long Width, double? CropFraction, string Interpolation, double? Top1, double? Top5, string? Citation)
{
    /// <summary>Whether <see cref=""Sha256""/> is a prefix of the hash (fewer than 64 digits) rather than all of it.</summary>
    public bool IsSha256Prefix => this.Sha256.Length < 64;

    /// <summary>Whether a file's full SHA-256 (hex, any case) is the one these weights name: equal, or starting with the prefix.</summary>
    public bool MatchesSha256(string fileSha256) =>
        fileSha256 is not null && fileSha256.StartsWith(this.Sha256, global::System.StringComparison.OrdinalIgnoreCase);

    /// <summary>The eval preprocessing these weights expect: resize, center crop, normalise.</summary>
    public PretrainedPreprocessing Preprocessing => new PretrainedPreprocessing(this.Height, this.Width, this.Mean, this.Std, this.CropFraction, this.Interpolation);

    /// <summary>Model.Weights.Name, the file and its license.</summary>
    public override string ToString() => this.Model + "".Weights."" + this.Name + "" ("" + this.FileName + "", "" + this.License + "")"";
}

/// <summary>
/// The eval transform of published weights, as torchvision's ImageClassification and timm's eval transform: resize
/// (the shorter side to floor(size / crop fraction), keeping the aspect ratio; without a crop fraction, the whole
/// image to the size), center crop to the size, normalise per channel with the mean and std.
/// </summary>
[global::System.CodeDom.Compiler.GeneratedCode(""InceptionDsl"", """ + EmitOptions.GeneratorVersion + @""")]
public sealed record PretrainedPreprocessing(long Height, long Width, global::System.Collections.Generic.IReadOnlyList<double> Mean,
    global::System.Collections.Generic.IReadOnlyList<double> Std, double? CropFraction, string Interpolation)
{
    /// <summary>
    /// The length the shorter image side is resized to: floor(the larger of height and width / crop fraction), as timm's
    /// scale_size; the 1e-6 keeps a fraction written as a decimal (224 / 232 = 0.9655172413793104) on torchvision's 232.
    /// Without a crop fraction, the larger of height and width.
    /// </summary>
    public long ResizeSize => this.CropFraction is double crop
        ? (long)global::System.Math.Floor(global::System.Math.Max(this.Height, this.Width) / crop + 1e-6)
        : global::System.Math.Max(this.Height, this.Width);

    /// <summary>
    /// The height and width an image of <paramref name=""height""/> x <paramref name=""width""/> is resized to: the
    /// shorter side to <see cref=""ResizeSize""/> and the longer in proportion, truncated as torchvision's Resize(int);
    /// without a crop fraction, the size itself.
    /// </summary>
    public (long Height, long Width) ResizeTarget(long height, long width)
    {
        if (this.CropFraction is null)
            return (this.Height, this.Width);
        long shorter = this.ResizeSize;
        return height <= width ? (shorter, (long)(shorter * (double)width / height)) : ((long)(shorter * (double)height / width), shorter);
    }

    /// <summary>
    /// Applies the transform to images already in memory: [N, C, H, W] values in 0..1 with C the number of mean values.
    /// Bilinear and bicubic resizing are antialiased, as torchvision's tensor transforms; a new float32 tensor.
    /// </summary>
    public global::TorchSharp.torch.Tensor Apply(global::TorchSharp.torch.Tensor images)
    {
        if (images is null)
            throw new global::System.ArgumentNullException(nameof(images));
        if (images.dim() != 4 || images.shape[1] != this.Mean.Count)
            throw new global::System.ArgumentException($""images are [N, {this.Mean.Count}, H, W], not [{string.Join("", "", images.shape)}]"", nameof(images));
        using var scope = global::TorchSharp.torch.NewDisposeScope();
        var (rh, rw) = this.ResizeTarget(images.shape[2], images.shape[3]);
        var x = images.to_type(global::TorchSharp.torch.ScalarType.Float32);
        if (rh != images.shape[2] || rw != images.shape[3])
        {
            var mode = this.Interpolation switch
            {
                ""bicubic"" => global::TorchSharp.torch.InterpolationMode.Bicubic,
                ""nearest"" => global::TorchSharp.torch.InterpolationMode.Nearest,
                _ => global::TorchSharp.torch.InterpolationMode.Bilinear,
            };
            bool smooth = this.Interpolation != ""nearest"";
            x = global::TorchSharp.torch.nn.functional.interpolate(x, new long[] { rh, rw }, mode: mode,
                align_corners: smooth ? false : (bool?)null, antialias: smooth);
        }

        // torchvision's center_crop: the offset rounded half to even, as Python's round.
        long top = (long)global::System.Math.Round((rh - this.Height) / 2.0), left = (long)global::System.Math.Round((rw - this.Width) / 2.0);
        x = x.slice(2, top, top + this.Height, 1).slice(3, left, left + this.Width, 1);
        var mean = global::TorchSharp.torch.tensor(global::System.Linq.Enumerable.ToArray(global::System.Linq.Enumerable.Select(this.Mean, v => (float)v))).view(1, -1, 1, 1);
        var std = global::TorchSharp.torch.tensor(global::System.Linq.Enumerable.ToArray(global::System.Linq.Enumerable.Select(this.Std, v => (float)v))).view(1, -1, 1, 1);
        return ((x - mean) / std).contiguous().MoveToOuterDisposeScope();
    }
}";
}
