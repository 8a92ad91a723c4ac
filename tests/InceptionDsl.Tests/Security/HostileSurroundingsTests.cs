using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using InceptionDsl.Cli;
using InceptionDsl.Cli.Commands;
using InceptionDsl.Reference;
using InceptionDsl.Tests.Support;
using InceptionDsl.Text;
using InceptionDsl.Training;
using Xunit;

namespace InceptionDsl.Tests.Security;

/// <summary>
/// The developers' hostile corpus for everything around the spec (docs/security.md, "Beyond the spec"): text that
/// reaches terminals, output targets, links and special files, checkpoint and reference files, image folders and run
/// settings. Each case states its expected outcome; every run that could hang has a time limit.
/// </summary>
public sealed class HostileSurroundingsTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);
    private readonly string dir = Directory.CreateTempSubdirectory("idsl-surroundings-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string PathOf(string name) => Path.Combine(dir, name);

    private const string TinySpec = "model: Tiny\ninput: { channels: 3, size: 32 }\nclasses: 10\nbody: [ global_avgpool, flatten, { linear: 10 } ]\n";

    /// <summary>The characters a terminal acts on: ESC (OSC 52, titles, clear screen), BEL, CSI as C1, bidi overrides, line breaks.</summary>
    private const string Hostile = "\u001B]52;c;SGVsbG8=\u0007\u001B]0;title\u0007\u001B[2J\u009B31m\u202Eevil\u2066\rPASS forged\nPASS forged";

    private static bool HasRawControl(string text) =>
        text.Any(c => c is '\u001B' or '\u0007' or '\r' or '\u202E' or '\u2066' or '\u2028' || c is >= '\u0080' and <= '\u009F');

    private void Mkfifo(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("mkfifo", path) { UseShellExecute = false })!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    private static async Task<T> Within<T>(Func<T> work, string what)
    {
        var task = Task.Run(work);
        Assert.True(await Task.WhenAny(task, Task.Delay(Limit)) == task, $"{what} did not return within {Limit.TotalSeconds} s");
        return await task;
    }

    // ---- untrusted text reaching people ---------------------------------------------------------

    [Theory]
    [InlineData("\u001B[2J", "\\u001B[2J")]
    [InlineData("a\u0007b", "a\\u0007b")]
    [InlineData("\u009B31m", "\\u009B31m")]
    [InlineData("x\u202Ey", "x\\u202Ey")]
    [InlineData("line\nPASS", "line\\nPASS")]
    [InlineData("\r", "\\r")]
    [InlineData("\u007F", "\\u007F")]
    [InlineData("caf\u00E9 \U0001F600", "caf\u00E9 \U0001F600")]
    public void ShownTextShowsEveryHiddenCharacterVisibly(string text, string shown) => Assert.Equal(shown, ShownText.Of(text));

    [Fact]
    public void ALoneSurrogateIsShownAsItsCodePoint() => Assert.Equal("a\\uD800b\\uDC00", ShownText.Of("a\uD800b\uDC00"));

    [Fact]
    public void TheConsoleFilterEscapesControlsButKeepsLines()
    {
        var inner = new StringWriter();
        var filter = new ShownTextWriter(inner);
        filter.WriteLine("ok " + Hostile);
        filter.Write('\uD83D');
        filter.Write('\uDE00');
        filter.Flush();
        var text = inner.ToString();
        Assert.False(HasRawControl(text), text);
        Assert.Contains("\\u001B]52;c;", text);
        Assert.Contains("\nPASS forged", text); // the filter keeps line breaks: one-line escaping is ShownText.Of, at the source
        Assert.EndsWith("\U0001F600", text);
        Assert.Equal("\\u001B\\nx", CliText.Plain("\u001B\nx"));
        Assert.Equal("\\u001B[[red]]", CliText.Markup("\u001B[red]"));
    }

    [Fact]
    public void NoCommandPrintsARawControlCharacterFromASpecOrAFileName()
    {
        if (OperatingSystem.IsWindows())
            return; // control characters are not allowed in Windows file names
        var spec = PathOf("evil\u001B]0;x\u0007\nPASS.inception.yaml");
        File.WriteAllText(spec, "paper: \"" + "\\e]52;c;SGVsbG8=\\a \\u202E \\r PASS" + "\"\n" + TinySpec);
        foreach (var args in new[] { new[] { "check", spec }, new[] { "check", dir }, new[] { "explain", spec }, new[] { "summary", spec }, new[] { "diff", spec, spec } })
        {
            var (_, stdout, stderr) = CliProcess.Run(args);
            Assert.False(HasRawControl(stdout + stderr), $"{args[0]}: {stdout}{stderr}");
            Assert.True(!(stdout + stderr).Contains("\nPASS", StringComparison.Ordinal), $"{args[0]}: {stdout}{stderr}");
        }
    }

    [Theory]
    [InlineData("svg")]
    [InlineData("dot")]
    [InlineData("mermaid")]
    public void DiagramsStayWellFormedWhateverTheFileNameHolds(string format)
    {
        if (OperatingSystem.IsWindows())
            return;
        var spec = PathOf("a\"<b>&\u0001\\ c#.inception.yaml");
        File.WriteAllText(spec, TinySpec);
        var output = PathOf("out." + format);
        var (exit, _, stderr) = CliProcess.Run("diagram", spec, "--format", format, "-o", output);
        Assert.True(exit == 0, stderr);
        var text = File.ReadAllText(output);
        Assert.False(text.Any(c => c < ' ' && c is not '\n'), "a control character reached the diagram");
        if (format == "svg")
            XDocument.Parse(text); // throws on a character or markup that is not well-formed XML
        else if (format == "dot")
            Assert.Equal(text.Count(c => c == '{'), text.Count(c => c == '}'));
    }

    // ---- output targets -------------------------------------------------------------------------

    [Fact]
    public async Task AnOutputTargetThatIsNotARegularFileIsRefusedAndLeftAlone()
    {
        if (OperatingSystem.IsWindows())
            return;
        var fifo = PathOf("out.fifo");
        Mkfifo(fifo);
        var target = PathOf("target.txt");
        File.WriteAllText(target, "keep");
        var link = PathOf("link.txt");
        File.CreateSymbolicLink(link, target);
        var folder = Directory.CreateDirectory(PathOf("folder")).FullName;

        foreach (var (path, problem) in new[]
        {
            (fifo, "is a named pipe (FIFO), not a regular file; nothing was written"),
            (link, "is a symbolic link; it is not replaced by a file: give the path of the file itself"),
            ("/dev/null", "is a character device (such as /dev/null), not a regular file; nothing was written"),
            (folder, "is a folder; give a file name"),
        })
        {
            var cli = await Within(() => Assert.Throws<CliInputException>(() => CliFiles.WriteOutput(path, "text")), "CliFiles.WriteOutput");
            Assert.Equal($"{path}: {problem}", cli.Message);
            var library = await Within(() => Assert.Throws<UnsafeFileException>(() => SafeFiles.WriteWhole(path, (Stream s) => s.WriteByte(1))), "SafeFiles.WriteWhole");
            Assert.Equal($"{path}: {problem}", library.Message);
        }

        Assert.Equal("keep", File.ReadAllText(target));
        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.Equal("is a named pipe (FIFO), not a regular file; it was not read", SafeFiles.InputProblem(fifo)); // still a pipe
        Assert.Null(SafeFiles.OutputProblem(PathOf("new.txt")));
        Assert.Null(SafeFiles.OutputProblem(target));
        Assert.Empty(Directory.GetFiles(dir, "*.partial*"));
    }

    [Fact]
    public void TrainRefusesACheckpointFolderThatIsAPipe()
    {
        if (OperatingSystem.IsWindows())
            return;
        var fifo = PathOf("ck");
        Mkfifo(fifo);
        var result = new TrainCommand.Settings { Model = "MiniInception", Checkpoint = fifo }.Validate();
        Assert.False(result.Successful);
        Assert.Equal($"--checkpoint {fifo}: is a named pipe (FIFO), not a regular file; give a folder (the checkpoint is a folder)", result.Message);
    }

    // ---- links and special files ----------------------------------------------------------------

    [Fact]
    public async Task AFolderWalkEndsOnLinkLoopsAndNamesSpecialFiles()
    {
        if (OperatingSystem.IsWindows())
            return;
        var root = Directory.CreateDirectory(PathOf("walk")).FullName;
        var sub = Directory.CreateDirectory(Path.Combine(root, "sub")).FullName;
        File.WriteAllText(Path.Combine(sub, "a.inception.yaml"), TinySpec);
        Directory.CreateSymbolicLink(Path.Combine(sub, "up"), root);
        Directory.CreateSymbolicLink(Path.Combine(sub, "self"), sub);
        Mkfifo(Path.Combine(sub, "pipe.inception.yaml"));
        var refused = new List<string>();
        var found = await Within(() => SafeFiles.FindFiles(root, f => f.EndsWith(".inception.yaml"), refused), "the walk");
        Assert.Equal([Path.Combine(sub, "a.inception.yaml")], found);
        Assert.Equal([$"{Path.Combine(sub, "pipe.inception.yaml")}: is a named pipe (FIFO), not a regular file; it was not read"], refused);

        var (exit, stdout, _) = await Within(() => CliProcess.Run("check", root), "check DIR");
        Assert.Equal(1, exit);
        Assert.Contains("pipe.inception.yaml(1,1): error IDSL001: is a named pipe (FIFO)", stdout);
        Assert.Contains("1 file(s), 1 model(s), 1 error(s)", stdout);
    }

    [Fact]
    public async Task AFolderWalkIsBounded()
    {
        var root = Directory.CreateDirectory(PathOf("many")).FullName;
        for (int i = 0; i < 20; i++)
            File.WriteAllText(Path.Combine(root, $"{i}.txt"), "");
        var error = await Within(() => Assert.Throws<UnsafeFileException>(() => SafeFiles.FindFiles(root, _ => true, maxEntries: 10)), "the walk");
        Assert.Equal($"{root}: the folder holds more than 10 entries; the walk stopped there", error.Message);
    }

    [Fact]
    public async Task CheckpointReadersRefuseAPipeAndALinkToDevZero()
    {
        if (OperatingSystem.IsWindows())
            return;
        var fifo = PathOf("weights.safetensors");
        Mkfifo(fifo);
        var zero = PathOf("zero.pt");
        File.CreateSymbolicLink(zero, "/dev/zero");
        foreach (var path in new[] { fifo, zero })
        {
            var error = await Within(() => Assert.Throws<UnsafeFileException>(() => CheckpointLoader.Read(path)), "CheckpointLoader.Read");
            Assert.StartsWith(path + ": is a ", error.Message);
        }

        var validation = new TrainCommand.Settings { Model = "MiniInception", Weights = fifo }.Validate();
        Assert.Equal($"--weights {fifo}: is a named pipe (FIFO), not a regular file; it was not read", validation.Message);
    }

    // ---- checkpoint and reference files ---------------------------------------------------------

    private static byte[] Safetensors(string header, int dataBytes)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BitConverter.GetBytes((ulong)json.Length).CopyTo(bytes, 0);
        json.CopyTo(bytes, 8);
        return bytes;
    }

    [Fact]
    public void ASafetensorsHeaderWithADuplicateKeyIsAnError()
    {
        var path = PathOf("dup.safetensors");
        File.WriteAllBytes(path, Safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8));
        var error = Assert.Throws<ReferenceFormatException>(() => SafetensorsHeader.Check(path));
        Assert.Equal($"{path}: the header holds the key 'w' twice; each tensor (and __metadata__) must appear once", error.Message);
    }

    [Fact]
    public void MismatchListingsShowTheFirst20AndTheCounts()
    {
        var many = Enumerable.Range(0, 300_000).Select(i => $"layer{i}.weight").ToList();
        var error = new CheckpointMismatchException("big.safetensors", many, ["x\u001B[2J"], []);
        var lines = error.Message.Split('\n');
        Assert.Equal(1 + 20 + 1 + 1, lines.Length);
        Assert.Contains("... and 299980 more missing in the file (300000 in all)", error.Message);
        Assert.Contains("unexpected (not in the module): x\\u001B[2J", error.Message);
    }

    [Fact]
    public void TorchSaveReaderFailuresAreOneLineInTheProjectsWords()
    {
        var list = PathOf("list.pt");
        using (var zip = ZipFile.Open(list, ZipArchiveMode.Create))
        using (var entry = zip.CreateEntry("archive/data.pkl").Open())
            entry.Write([0x80, 0x02, (byte)']', (byte)'q', 0x00, (byte)'.']); // pickle protocol 2: an empty list
        var damaged = PathOf("damaged.pt");
        File.WriteAllBytes(damaged, [(byte)'P', (byte)'K', 3, 4, 0, 0, 1, 2, 3]);
        foreach (var path in new[] { list, damaged })
        {
            var error = Assert.Throws<ReferenceFormatException>(() => CheckpointLoader.Read(path));
            Assert.DoesNotContain("System.", error.Message);
            Assert.DoesNotContain("Unable to cast", error.Message);
            Assert.DoesNotContain("\n", error.Message);
            Assert.StartsWith(path + ": ", error.Message);
        }
    }

    [ReferenceFact]
    public void AReferenceFileCannotSetItsOwnToleranceScale()
    {
        var json = JsonNode.Parse(File.ReadAllText(ReferencePaths.ModelFile("resnet18")))!.AsObject();
        json["logits_abs_max"] = 1e300;
        var error = Assert.Throws<ReferenceFormatException>(() => ReferenceModel.Parse(json.ToJsonString()));
        Assert.StartsWith("<json>: 'logits_abs_max' is 1E+300, but the largest |logit| of 'logits_float64' is 171.705", error.Message);
        json["logits_abs_max"] = -1;
        Assert.Equal("<json>: 'logits_abs_max' must be a positive number, found -1", Assert.Throws<ReferenceFormatException>(() => ReferenceModel.Parse(json.ToJsonString())).Message);
    }

    // ---- image folders and run settings ---------------------------------------------------------

    private static uint Crc32(byte[] data, int start, int count)
    {
        uint crc = 0xFFFFFFFF;
        for (int i = start; i < start + count; i++)
        {
            crc ^= data[i];
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }

        return ~crc;
    }

    /// <summary>A PNG whose header claims <paramref name="side"/> x <paramref name="side"/> pixels and that holds almost no data.</summary>
    private static byte[] PngHeader(int side)
    {
        var png = new List<byte> { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };
        void Chunk(string type, byte[] data)
        {
            png.AddRange(BitConverter.GetBytes(data.Length).Reverse());
            var body = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
            png.AddRange(body);
            png.AddRange(BitConverter.GetBytes(Crc32(body, 0, body.Length)).Reverse());
        }

        Chunk("IHDR", BitConverter.GetBytes(side).Reverse().Concat(BitConverter.GetBytes(side).Reverse()).Concat(new byte[] { 8, 6, 0, 0, 0 }).ToArray());
        Chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        Chunk("IEND", []);
        return png.ToArray();
    }

    [Fact]
    public async Task BadImagesAreSkippedCountedAndNamedAndAnEmptySplitSaysWhy()
    {
        var root = Directory.CreateDirectory(PathOf("images")).FullName;
        foreach (var name in new[] { "cat", "dog" })
        {
            var folder = Directory.CreateDirectory(Path.Combine(root, name)).FullName;
            File.WriteAllBytes(Path.Combine(folder, "huge.png"), PngHeader(100_000));
            File.WriteAllBytes(Path.Combine(folder, "empty.png"), []);
            File.WriteAllText(Path.Combine(folder, "text.png"), "not an image");
            if (!OperatingSystem.IsWindows())
            {
                Mkfifo(Path.Combine(folder, "pipe.png"));
                Directory.CreateSymbolicLink(Path.Combine(folder, "loop"), root);
            }
        }

        var error = await Within(() => Assert.Throws<InvalidDataException>(() => ImageFolder.LoadSplits(root, new ImagePreprocessing(32, 32, ImageFolder.ImageNetMean, ImageFolder.ImageNetStd))), "loading the folder");
        Assert.True(error.Message.StartsWith($"{root}: no training and no validation images: ", StringComparison.Ordinal), error.Message);
        Assert.Contains(" skipped (first: ", error.Message);
        Assert.Contains("; ...)", error.Message);
        Assert.Contains("each class needs at least 2 readable images", error.Message);
        Assert.DoesNotContain("\n", error.Message);
        var preprocessing = new ImagePreprocessing(32, 32, ImageFolder.ImageNetMean, ImageFolder.ImageNetStd);
        Assert.Equal("its header says 100000x100000 pixels, more than the 40,000,000 an image may have",
            ImageFolder.ImageProblem(Path.Combine(root, "cat", "huge.png"), preprocessing, new float[3 * 32 * 32], 0));
        Assert.Equal("not an image SkiaSharp decodes", ImageFolder.ImageProblem(Path.Combine(root, "cat", "text.png"), preprocessing, new float[3 * 32 * 32], 0));
    }

    [Theory]
    [InlineData("--lr", "--lr must be above 0 and at most 10, not 1E+308")]
    [InlineData("--weight-decay", "--weight-decay must be between 0 and 1, not 1E+308")]
    public void NumericSettingsAreCheckedBeforeTheRun(string option, string message)
    {
        var settings = option == "--lr"
            ? new TrainCommand.Settings { Model = "MiniInception", LearningRate = 1e308 }
            : new TrainCommand.Settings { Model = "MiniInception", WeightDecay = 1e308 };
        Assert.Equal(message, settings.Validate().Message);
        Assert.Equal("--epochs must be between 1 and 100000, not 2147483647", new TrainCommand.Settings { Model = "M", Epochs = int.MaxValue }.Validate().Message);
    }
}
