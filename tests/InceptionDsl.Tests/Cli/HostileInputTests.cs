using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using InceptionDsl.Cli;
using InceptionDsl.Cli.Commands;
using InceptionDsl.Cli.Explain;
using InceptionDsl.Reference;
using InceptionDsl.Training;
using TorchSharp;
using Xunit;

namespace InceptionDsl.Tests.Cli;

/// <summary>
/// Bad input to the CLI's readers and writers is a precise error (file, line and column where there is
/// one, what was expected), never a crash, a native backtrace or a half-written file. In process: the
/// readers, writers and option checks the commands call.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("idsl-hostile-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string PathOf(string name) => Path.Combine(dir, name);

    private static readonly string Resnet18 = File.ReadAllText(ReferencePaths.ModelFile("resnet18"));

    private static string Mutate(Action<JsonObject> change)
    {
        var json = JsonNode.Parse(Resnet18)!.AsObject();
        change(json);
        return json.ToJsonString();
    }

    public static TheoryData<string, string> BadReferenceFiles() => new()
    {
        { Resnet18[..5000], "<json>(1,5001): invalid JSON: Expected end of string, but instead reached end of data." },
        { "[1, 2]", "<json>: the file must be a JSON object, found a list" },
        { Mutate(j => j.Remove("params")), "<json>: required field 'params' is missing" },
        { Mutate(j => j["params"] = "eleven"), "<json>: 'params' must be a whole number, found a string (\"eleven\")" },
        { Mutate(j => j["params"] = 1.5), "<json>: 'params' must be a whole number, found 1.5" },
        { Mutate(j => j["id"] = 42), "<json>: 'id' must be a string, found a number (42)" },
        { Mutate(j => j["state_dict"]![0]![1] = new JsonArray(-64, 3, 7, 7)), "<json>: 'state_dict[0][1]' must hold sizes of 0 or more, found [-64, 3, 7, 7]" },
        { Mutate(j => j["state_dict"]![0] = new JsonArray("conv1.weight", new JsonArray(64))), "<json>: 'state_dict[0]' must be [name, shape, dtype], found 2 item(s)" },
        { Mutate(j => j["input"] = new JsonArray(2, -3, 224, 224)), "<json>: 'input' must be [batch, channels, height, width] with every size at least 1, found [2, -3, 224, 224]" },
        { Mutate(j => j["input"] = new JsonArray(2)), "<json>: 'input' must be [batch, channels, height, width] with every size at least 1, found [2]" },
        { Mutate(j => j["input"] = new JsonArray(2, 3, 100000, 100000)), "<json>: 'input' [2, 3, 100000, 100000] has 6E+10 values, more than the 67,108,864 a verification input may have" },
        { Mutate(j => j["logits_float64"]![0] = new JsonArray(1.0, 2.0)), "<json>: 'logits_float64' must have rows of equal, non-zero length: row 0 has 2 values, row 1 has 1000" },
        { Mutate(j => j["logits_float64"]![1]![7] = "x"), "<json>: 'logits_float64[1][7]' must be a number, found a string (\"x\")" },
        { Mutate(j => j["logits_float64"] = new JsonArray()), "<json>: 'logits_float64' is empty: expected one row of values per input sample" },
        { "[" + new string('[', 100) + new string(']', 101), "<json>(1,65): invalid JSON: The maximum configured depth of 64 has been exceeded. Cannot read next JSON array." },
    };

    [ReferenceTheory]
    [MemberData(nameof(BadReferenceFiles))]
    public void AMalformedReferenceFileNamesThePlaceAndWhatWasExpected(string json, string message)
    {
        var error = Assert.Throws<ReferenceFormatException>(() => ReferenceModel.Parse(json));
        Assert.Equal(message, error.Message);
    }

    [ReferenceFact("checkpoints")]
    public void ALogitsFileMustFitItsInput()
    {
        var good = JsonNode.Parse(File.ReadAllText(ReferencePaths.CheckpointFile(CheckpointLogits.GoogLeNetFp16FileName)))!.AsObject();
        string Write(string name, Action<JsonObject> change)
        {
            var copy = JsonNode.Parse(good.ToJsonString())!.AsObject();
            change(copy);
            File.WriteAllText(PathOf(name), copy.ToJsonString());
            return PathOf(name);
        }

        var oneRow = Write("one_row.logits.json", j => j["logits_float64"]!.AsArray().RemoveAt(1));
        Assert.Equal($"{oneRow}: 'logits_float64' has 1 row(s), but 'input' [2, 3, 224, 224] has batch 2",
            Assert.Throws<ReferenceFormatException>(() => CheckpointLogits.Load(oneRow)).Message);
        var noKeys = Write("no_keys.logits.json", j => j.Remove("keys"));
        Assert.Equal($"{noKeys}: required field 'keys' is missing", Assert.Throws<ReferenceFormatException>(() => CheckpointLogits.Load(noKeys)).Message);
    }

    /// <summary>A safetensors file: the 8-byte length, the header, the data.</summary>
    private string Safetensors(string name, string header, byte[] data)
    {
        var bytes = Encoding.UTF8.GetBytes(header);
        using var stream = File.Create(PathOf(name));
        stream.Write(BitConverter.GetBytes((ulong)bytes.Length));
        stream.Write(bytes);
        stream.Write(data);
        return PathOf(name);
    }

    private const string LinearHeader = "{\"weight\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,24]},\"bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[24,36]}}";

    public static TheoryData<string, string, int> BadSafetensors() => new()
    {
        { LinearHeader.Replace("[3,2]", "[-3,2]"), "'weight.shape' must hold sizes of 0 or more, found [-3, 2]", 36 },
        { LinearHeader.Replace("\"F32\",\"shape\":[3,2]", "\"XX9\",\"shape\":[3,2]"), "header entry 'weight': dtype 'XX9' is not one of BOOL, U8, I8, I16, F16, BF16, I32, F32, I64, F64", 36 },
        { LinearHeader.Replace("\"F32\",\"shape\":[3,2]", "\"F64\",\"shape\":[3,2]"), "header entry 'weight': F64 [3, 2] needs 48 bytes, data_offsets [0, 24] hold 24", 36 },
        { LinearHeader, "header entry 'bias': data_offsets [24, 36] lie outside the 30 data byte(s) of the file (truncated?)", 30 },
        { "{\"weight\": garbage}", "invalid JSON: 'g' is an invalid start of a value.", 0 },
    };

    [Theory]
    [MemberData(nameof(BadSafetensors))]
    public void AMalformedSafetensorsHeaderIsNamedBeforeTheNativeReaderSeesIt(string header, string detail, int dataBytes)
    {
        var path = Safetensors("bad.safetensors", header, new byte[dataBytes]);
        var error = Assert.Throws<ReferenceFormatException>(() => CheckpointLoader.Read(path));
        Assert.Equal(detail, error.Detail);
        Assert.DoesNotContain("frame #", error.Message);
    }

    [Fact]
    public void ATruncatedOrEmptyCheckpointIsNamed()
    {
        var path = PathOf("short.safetensors");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(1_000_000UL), (byte)'{', (byte)'}']);
        Assert.Equal($"{path}: the header length is 1000000 bytes, but the file has 2 byte(s) after the length (truncated, or not a safetensors file)",
            Assert.Throws<ReferenceFormatException>(() => CheckpointLoader.Read(path)).Message);
        var empty = PathOf("empty.pt");
        File.WriteAllBytes(empty, []);
        Assert.Contains("the file is empty", Assert.Throws<ReferenceFormatException>(() => CheckpointLoader.Read(empty)).Message);
        var zip = PathOf("garbage.pt");
        File.WriteAllBytes(zip, [(byte)'P', (byte)'K', 1, 2, 3, 4, 5, 6, 7, 8]);
        Assert.Equal($"{zip}: the zip archive of the torch.save file is damaged or truncated", Assert.Throws<ReferenceFormatException>(() => CheckpointLoader.Read(zip)).Message);
    }

    [Fact]
    public void AnIntegerTensorForAFloatParameterIsMisTyped()
    {
        var data = new byte[12 + 12];
        var path = Safetensors("int.safetensors",
            "{\"weight\":{\"dtype\":\"I16\",\"shape\":[3,2],\"data_offsets\":[0,12]},\"bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[12,24]}}", data);
        using var linear = torch.nn.Linear(2, 3);
        var error = Assert.Throws<CheckpointMismatchException>(() => CheckpointLoader.Load(linear, path));
        var entry = Assert.Single(error.MisTyped);
        Assert.Equal(("weight", "Float32", "Int16"), (entry.Name, entry.Expected, entry.Actual));
        Assert.Contains("mis-typed: weight: module Float32, file Int16", error.Message);
    }

    [Fact]
    public void NativeBacktracesAreCutFromMessages()
    {
        var native = new ExternalException("Given input size: (480x1x1). Output size is too small\nException raised from max_pool2d at pool.cpp:1\nframe #0: c10::Error\nframe #1: at::max_pool2d");
        Assert.Equal("libtorch: Given input size: (480x1x1). Output size is too small", ErrorText.Of(native));
        Assert.Equal("libtorch: Given input size: (480x1x1). Output size is too small", CliErrors.Describe(native));
        Assert.Equal("cannot read x.json: permission denied", CliErrors.Describe(new UnauthorizedAccessException("Access to the path is denied."), "x.json"));
    }

    [Fact]
    public void ASpecFileThatIsNotUtf8TextIsRefusedWithItsPosition()
    {
        var latin1 = PathOf("latin1.inception.yaml");
        File.WriteAllBytes(latin1, [.. "model: Caf"u8, 0xE9, .. "Net\n"u8]);
        var error = Assert.Throws<CliInputException>(() => CliFiles.ReadSpec(latin1));
        Assert.Equal($"{latin1}(1,11): the file is not UTF-8 text (byte 0xE9); a spec is YAML, saved as UTF-8", error.Message);

        var binary = PathOf("nul.inception.yaml");
        File.WriteAllBytes(binary, [.. "model: X\nbody: []"u8, 0, 0]);
        Assert.Equal($"{binary}(2,9): the file holds a NUL character: binary data, not a YAML spec",
            Assert.Throws<CliInputException>(() => CliFiles.ReadSpec(binary)).Message);

        var huge = PathOf("huge.inception.yaml");
        using (var stream = File.Create(huge))
            stream.SetLength(CliFiles.MaxSpecBytes + 1);
        var limit = Assert.Throws<CliInputException>(() => CliFiles.ReadSpec(huge));
        Assert.Equal(("IDSL012", 1), (limit.Id, limit.Line));

        Assert.Equal($"{dir}: is a folder, not a file", Assert.Throws<CliInputException>(() => CliFiles.ReadSpec(dir)).Message);
        Assert.Equal($"{PathOf("none.yaml")}: file not found", Assert.Throws<CliInputException>(() => CliFiles.ReadSpec(PathOf("none.yaml"))).Message);
        Assert.Contains("is a folder, not a file", Assert.Throws<ExplainException>(() => ModelResolver.Resolve(dir)).Message);
    }

    [Fact]
    public void ASpecWithAByteOrderMarkIsRead()
    {
        var utf16 = PathOf("utf16.inception.yaml");
        File.WriteAllText(utf16, "model: X\n", new UnicodeEncoding(false, true));
        Assert.Equal("model: X\n", CliFiles.ReadSpec(utf16));
        var utf8 = PathOf("utf8.inception.yaml");
        File.WriteAllText(utf8, "model: X\n", new UTF8Encoding(true));
        Assert.Equal("model: X\n", CliFiles.ReadSpec(utf8));
    }

    [Fact]
    public void AnOutputFileIsWrittenWholeOrNotAtAll()
    {
        var target = PathOf("out.svg");
        File.WriteAllText(target, "old");
        CliFiles.WriteOutput(target, "new");
        Assert.Equal("new", File.ReadAllText(target));
        Assert.Equal(new[] { target }, Directory.GetFiles(dir));

        Assert.Equal($"{PathOf("missing/x.svg")}: cannot write: the folder {PathOf("missing")} does not exist",
            Assert.Throws<CliInputException>(() => CliFiles.WriteOutput(PathOf("missing/x.svg"), "x")).Message);
        Assert.Equal($"{dir}: is a folder; give a file name", Assert.Throws<CliInputException>(() => CliFiles.WriteOutput(dir, "x")).Message);
        Assert.Equal($"{target}/x.svg: cannot write: {target} is a file, not a folder",
            Assert.Throws<CliInputException>(() => CliFiles.WriteOutput(target + "/x.svg", "x")).Message);
        Assert.Equal("--output: the path is empty; give a file name", Assert.Throws<CliInputException>(() => CliFiles.WriteOutput("", "x")).Message);
        Assert.Equal(new[] { target }, Directory.GetFiles(dir));
        Assert.Equal("new", File.ReadAllText(target));
    }

    [Fact]
    public void TrainOptionsAreCheckedBeforeAnythingIsBuilt()
    {
        static string? Error(TrainCommand.Settings settings) => settings.Validate().Successful ? null : settings.Validate().Message;
        Assert.Null(Error(new TrainCommand.Settings { Model = "MiniInception" }));
        Assert.Equal("--epochs must be between 1 and 100000, not 0", Error(new TrainCommand.Settings { Epochs = 0 }));
        Assert.Equal("--batch-size must be between 1 and 65536, not -5", Error(new TrainCommand.Settings { BatchSize = -5 }));
        Assert.Equal("--train-size must be between 1 and 1000000, not -1", Error(new TrainCommand.Settings { TrainSize = -1 }));
        Assert.Equal("--classes must be between 2 and 10 (the generated shapes), not 11", Error(new TrainCommand.Settings { Classes = 11 }));
        Assert.Equal("--image-size must be between 8 and 1024, not 100000", Error(new TrainCommand.Settings { ImageSize = 100000 }));
        Assert.Equal("--val-fraction must be between 0 and 1 (exclusive), not 2", Error(new TrainCommand.Settings { ValidationFraction = 2 }));
        Assert.Equal("--lr must be above 0 and at most 10, not NaN", Error(new TrainCommand.Settings { LearningRate = double.NaN }));
        Assert.Equal("--warmup must be between 0 and 10000000, not -1", Error(new TrainCommand.Settings { Warmup = -1 }));
        Assert.Equal("--threads must be between 1 and 1024, not 0", Error(new TrainCommand.Settings { Threads = 0 }));
        Assert.Equal("--optimizer must be sgd, adam or adamw, not 'foo'", Error(new TrainCommand.Settings { Optimizer = "foo" }));
        Assert.Equal("--schedule must be cosine, step or constant, not 'foo'", Error(new TrainCommand.Settings { Schedule = "foo" }));
        Assert.Equal($"--data {PathOf("none")}: folder not found", Error(new TrainCommand.Settings { Data = PathOf("none") }));
        File.WriteAllText(PathOf("file"), "");
        Assert.Equal($"--checkpoint {PathOf("file")}: is a file; give a folder (the checkpoint is a folder)", Error(new TrainCommand.Settings { Checkpoint = PathOf("file") }));
        Assert.StartsWith("the generated dataset (1000000 + 1000 images of 512x512) would take more than 4 GiB",
            Error(new TrainCommand.Settings { TrainSize = 1_000_000, ImageSize = 512 }));
    }

    [ReferenceFact]
    public void VerifyOptionsAreChecked()
    {
        static string? Error(VerifyCommand.Settings settings) => settings.Validate().Successful ? null : settings.Validate().Message;
        var reference = ReferencePaths.ModelFile("resnet18");
        Assert.Null(Error(new VerifyCommand.Settings { Reference = reference }));
        Assert.Equal("--dtype must be float64 or float32, not 'float16'", Error(new VerifyCommand.Settings { Reference = reference, DType = "float16" }));
        Assert.Equal("--tolerance must be a number of 0 or more, not -1", Error(new VerifyCommand.Settings { Reference = reference, Tolerance = -1 }));
        Assert.Equal($"--reference {dir}: is a folder, not a file", Error(new VerifyCommand.Settings { Reference = dir }));
        File.WriteAllText(PathOf("x.pt"), "");
        Assert.Equal($"--logits {PathOf("x.logits.json")}: file not found (the default beside the weights; give --logits)",
            Error(new VerifyCommand.Settings { Model = "GoogLeNet", Weights = PathOf("x.pt") }));
    }

    [Fact]
    public void AResumedCheckpointDescriptionThatIsNotJsonNamesItsPlace()
    {
        File.WriteAllText(PathOf(Trainer.InfoFile), "{\"Model\": 3");
        var error = Assert.Throws<InvalidDataException>(() => Trainer.ReadCheckpointInfo(dir));
        Assert.StartsWith($"{PathOf(Trainer.InfoFile)}(1,", error.Message);
        Assert.Contains("not a checkpoint.json written by train", error.Message);
    }
}
