using System.Diagnostics;
using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using InceptionDsl.Reference;
using Xunit;
using Xunit.Abstractions;

namespace InceptionDsl.Tests.Package;

/// <summary>
/// The NuGet package as a user meets it: <c>dotnet pack src/InceptionDsl.Generator</c> into a local
/// folder, then a brand-new console project outside the repository (so none of the repository's
/// Directory.Build.* files apply) that references <c>InceptionDsl</c> and TorchSharp-cpu from that
/// folder and the user's usual NuGet sources, holds one spec, builds, runs a forward pass and prints
/// the output shape; then the spec is broken and the build must fail at the spec's line.
/// </summary>
/// <remarks>
/// The package gets a unique prerelease version per run, so the machine's global packages folder
/// (where TorchSharp-cpu and libtorch are already extracted: no 600 MB copy) never serves a stale
/// InceptionDsl; that version folder is deleted again at the end.
/// </remarks>
public sealed partial class PackageTests(ITestOutputHelper output, PackageTests.PackedFeed packed) : IClassFixture<PackageTests.PackedFeed>
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    /// <summary>
    /// The packages the tests of this class install, packed once into one local folder with one unique prerelease
    /// version: the generator and the runtime (what the test run has just built: --no-build) and the templates. Deleted
    /// again at the end, with their version folders in the global packages folder.
    /// </summary>
    public sealed class PackedFeed : IDisposable
    {
        public string Version { get; } = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        public string Root { get; } = Path.Combine(Path.GetTempPath(), $"inceptiondsl-feed-{Guid.NewGuid():N}");
        public string Feed => Path.Combine(Root, "feed");

        /// <summary>What packing said, for a test's log.</summary>
        public List<string> Log { get; } = [];

        public PackedFeed()
        {
            Directory.CreateDirectory(Feed);
            foreach (var (project, noBuild) in new[] { ("InceptionDsl.Generator", true), ("InceptionDsl.Runtime", true), ("InceptionDsl.Templates", false) })
            {
                string[] args = ["pack", Path.Combine("src", project, project + ".csproj"), "-c", Configuration, "-o", Feed,
                    $"-p:PackageVersion={Version}", $"-p:NuspecOutputPath={Path.Combine(Root, "nuspec-" + project)}{Path.DirectorySeparatorChar}"];
                // The templates compile nothing, so packing them builds in seconds; the others are what the test run built.
                var result = RunDotnet(ReferencePaths.RepoRoot, Log.Add, noBuild ? [.. args, "--no-build"] : args);
                result.AssertSuccess($"dotnet pack {project}");
            }
        }

        public void Dispose()
        {
            TryDelete(Root);
            foreach (var id in new[] { "inceptiondsl", "inceptiondsl.runtime", "inceptiondsl.templates" })
                TryDelete(Path.Combine(GlobalPackagesFolder(), id, Version));
        }
    }

    // Generous: packing the tool compresses libtorch (hundreds of MB), minutes on a busy 2-core machine.
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(15);

    private const string Spec = """
        # A tiny network for the package test: two conv-BN-ReLU units, a pool, a classifier.
        model: TinyNet
        input: { channels: 3, size: [32, 32] }
        classes: 10
        defaults:
          conv: { bias: false, bn: true, act: relu }
        body:
          - { name: stem, conv: { filters: 16, k: 3, pad: 1 } }
          - maxpool: { k: 2 }
          - { name: features, conv: { filters: 32, k: 3, pad: 1 } }
          - global_avgpool
          - { name: fc, linear: $classes }

        """;

    /// <summary>
    /// The test app: a forward pass of the generated model, then what InceptionDsl.Runtime offers: save and
    /// load a checkpoint (identical weights, the same logits to 1e-5), the generated ForwardFeatures (one
    /// map per declared stage, with its channels), one epoch of training on a small image folder it draws, and
    /// an ONNX export of the model run in ONNX Runtime (logits equal to TorchSharp's to 1e-4).
    /// </summary>
    private const string Program = """
        using InceptionDsl.Reference;
        using InceptionDsl.Training;
        using PackageSmoke.Nets;
        using SkiaSharp;
        using TorchSharp;

        var model = new TinyNet(numClasses: 10);
        model.eval();
        using var input = torch.randn(2, 3, 32, 32);
        using var logits = model.forward(input);
        Console.WriteLine($"output {string.Join("x", logits.shape)}");
        Console.WriteLine($"parameters {TinyNet.ParameterCount}");

        var work = args.Length > 0 ? args[0] : Path.GetTempPath();
        var checkpoint = Path.Combine(work, "tiny.safetensors");
        CheckpointLoader.Save(model, checkpoint);
        var reloaded = new TinyNet(numClasses: 10);
        reloaded.eval();
        var loaded = CheckpointLoader.Load(reloaded, checkpoint);
        var saved = model.state_dict();
        var identical = reloaded.state_dict().All(entry => entry.Value.eq(saved[entry.Key]).all().item<bool>());
        using var again = reloaded.forward(input);
        var difference = (again - logits).abs().max().item<float>();
        Console.WriteLine($"checkpoint {loaded.Entries} entries, identical {identical}, logits max difference {difference:E1}, close {difference <= 1e-5f}");

        var maps = model.ForwardFeatures(input);
        var matching = maps.Count == model.FeatureStages.Count
            && maps.Zip(model.FeatureStages).All(p => p.First.Stage == p.Second.Stage && p.First.Map.shape[1] == p.Second.Channels);
        Console.WriteLine($"features {maps.Count} maps match the declared stages {matching}");

        var images = Path.Combine(work, "images");
        foreach (var (label, color) in new[] { ("red", SKColors.Red), ("blue", SKColors.Blue) })
        {
            Directory.CreateDirectory(Path.Combine(images, label));
            for (var i = 0; i < 8; i++)
            {
                using var bitmap = new SKBitmap(32, 32);
                bitmap.Erase(color.WithAlpha((byte)(160 + 10 * i)));
                using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(Path.Combine(images, label, $"{i}.png"), png.ToArray());
            }
        }

        using var data = ImageFolder.LoadSplits(images, 32, 32, validationFraction: 0.25);
        var student = new TinyNet(numClasses: 2);
        var epochs = new Trainer(student, new TrainingOptions { Epochs = 1, BatchSize = 4, LearningRate = 0.01 }).Fit(data.Train, data.Validation);
        Console.WriteLine($"trained {epochs.Count} epoch(s) on {data.Train.Count} images, loss finite {double.IsFinite(epochs[0].TrainLoss)}");
        // The package brings InceptionDsl.Contracts: the support types generated into PackageSmoke.Nets implement them.
        Console.WriteLine($"contracts {student is InceptionDsl.Contracts.IGeneratedModel { ModelInfo.Name: "TinyNet" }}");

        var onnxFile = Path.Combine(work, "tiny.onnx");
        InceptionDsl.Onnx.OnnxExport.Save(model, onnxFile);
        using var session = new InceptionDsl.Onnx.OnnxModelSession(onnxFile);
        var onnxLogits = session.Run(input.data<float>().ToArray(), new[] { 2, 3, 32, 32 });
        var expected = logits.data<float>().ToArray();
        var onnxDifference = onnxLogits.Zip(expected, (a, b) => Math.Abs(a - b)).Max();
        Console.WriteLine($"onnx {onnxLogits.Length} logits, max difference {onnxDifference:E1}, close {onnxDifference <= 1e-4f}");

        // The project's own weights catalogue (PackageSmoke.Nets.PretrainedWeights, an IPretrainedWeights through the
        // contracts) loads through the package's loader, which checks the file's SHA-256 first.
        InceptionDsl.Contracts.IPretrainedWeights entry = TinyNet.Weights.Smoke;
        var pretrained = new TinyNet(numClasses: 10);
        var fromCatalogue = pretrained.Load(entry, Path.Combine(work, entry.FileName));
        Console.WriteLine($"catalogue {entry.Model}.{entry.Name} loaded {fromCatalogue.Entries == pretrained.state_dict().Count}, input {entry.ImagePreprocessing().Width}");
        try
        {
            new TinyNet(numClasses: 10).Load(entry, checkpoint);
            Console.WriteLine("catalogue accepted another file");
        }
        catch (CheckpointHashException)
        {
            Console.WriteLine("catalogue refused another file");
        }

        """;

    /// <summary>
    /// Writes the weights of TinyNet (built from <see cref="Spec"/> at run time by InceptionDsl.Training's SpecModels) into
    /// <paramref name="work"/> and returns a <c>weights:</c> entry, "Smoke", naming that file and its computed SHA-256,
    /// to append to the spec (after the body, so the spec's line numbers stay).
    /// </summary>
    private static string WeightsEntry(string work)
    {
        var read = InceptionDsl.Training.SpecModels.Read("tiny.inception.yaml", Spec);
        Assert.Empty(read.Errors);
        var file = Path.Combine(work, "tiny-pretrained.safetensors");
        using (var model = InceptionDsl.Training.SpecModels.Create(Assert.Single(read.Models), numClasses: 10, inChannels: 3, aux: false))
            CheckpointLoader.Save(model, file);
        return $"""
            weights:
              - name: Smoke
                file: {Path.GetFileName(file)}
                sha256: {CheckpointHash.Compute(file)}
                source: the package test
                license: MIT
                mean: [0.485, 0.456, 0.406]
                std: [0.229, 0.224, 0.225]
                size: 32

            """;
    }

    [GeneratedRegex("""<PackageReference\s+Include="TorchSharp-cpu"\s+Version="([^"]+)"\s*/>""")]
    private static partial Regex TorchSharpReference();

    [Fact]
    public void PackedPackageBuildsAndRunsAFreshConsoleProjectAndReportsSpecErrorsAtTheirLine()
    {
        var version = packed.Version;
        var root = Path.Combine(Path.GetTempPath(), $"inceptiondsl-package-{Guid.NewGuid():N}");
        var feed = packed.Feed;
        var app = Path.Combine(root, "app");
        Directory.CreateDirectory(app);
        try
        {
            // 1. The packages, packed by the fixture from what the test run has just built (the test project references the generator).
            foreach (var line in packed.Log)
                output.WriteLine(line);
            var package = Path.Combine(feed, $"InceptionDsl.{version}.nupkg");
            CheckPackageLayout(package, version);
            CheckRuntimePackage(Path.Combine(feed, $"InceptionDsl.Runtime.{version}.nupkg"));

            // 2. A brand-new console project: empty Directory.Build.* files stop MSBuild's upward search
            //    at the temp root, whatever lies above it.
            foreach (var name in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
                File.WriteAllText(Path.Combine(root, name), "<Project />\n");
            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="inceptiondsl-local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(app, "PackageSmoke.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <InceptionDslNamespace>PackageSmoke.Nets</InceptionDslNamespace>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="InceptionDsl" Version="{version}" />
                    <PackageReference Include="InceptionDsl.Runtime" Version="{version}" />
                    <PackageReference Include="TorchSharp-cpu" Version="{TorchSharpVersion()}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(app, "Program.cs"), Program);
            var specDir = Path.Combine(app, "Nets");
            Directory.CreateDirectory(specDir);
            var spec = Path.Combine(specDir, "tiny.inception.yaml");
            var smokeSpec = Spec + WeightsEntry(root);
            File.WriteAllText(spec, smokeSpec);

            // 3. Build (restore included) and run a forward pass: the generated TinyNet, in the chosen namespace.
            //    Hard links instead of copies of libtorch (1 GB per build otherwise); the TorchSharp native
            //    fix replaces its one file by a patched copy, so the NuGet cache stays untouched.
            Run(app, "build", "--disable-build-servers", "-c", "Debug", "-p:CreateHardLinksForCopyLocalIfPossible=true").AssertSuccess("dotnet build");
            var run = Run(app, Path.Combine(app, "bin", "Debug", "net10.0", "PackageSmoke.dll"), root);
            run.AssertSuccess("the console app");
            Assert.Contains("output 2x10", run.Output);
            Assert.Contains("parameters 5466", run.Output);
            Assert.Matches(@"checkpoint \d+ entries, identical True, logits max difference \S+, close True", run.Output);
            Assert.Matches(@"features \d+ maps match the declared stages True", run.Output);
            Assert.Contains("trained 1 epoch(s) on 12 images, loss finite True", run.Output);
            Assert.Contains("contracts True", run.Output);
            Assert.Matches(@"onnx 20 logits, max difference \S+, close True", run.Output);
            Assert.Contains("catalogue TinyNet.Smoke loaded True, input 32", run.Output);
            Assert.Contains("catalogue refused another file", run.Output);

            // 4. Break the spec: an unknown key on line 10 (the 'kernel' at column 44) fails the build there.
            File.WriteAllText(spec, smokeSpec.Replace("{ filters: 32, k: 3, pad: 1 }", "{ filters: 32, kernel: 3, pad: 1 }", StringComparison.Ordinal));
            var broken = Build(app);
            Assert.NotEqual(0, broken.ExitCode);
            Assert.Contains($"{spec}(10,44): error IDSL002: Unknown key 'kernel'", broken.Output);
            File.WriteAllText(spec, smokeSpec);
            Build(app).AssertSuccess("dotnet build of the repaired spec");

            // 5. No stale builds: a rename keeps the file's old time, so only the set of spec paths can tell
            //    CoreCompile. Renamed out of the spec pattern, TinyNet is gone and Program.cs no longer compiles.
            var renamed = Path.Combine(specDir, "tiny.yaml");
            File.Move(spec, renamed);
            var stale = Build(app);
            Assert.NotEqual(0, stale.ExitCode);
            Assert.True(stale.Output.Contains("Program.cs(", StringComparison.Ordinal) && stale.Output.Contains("error CS0246", StringComparison.Ordinal),
                "the build after the rename did not fail on the generated types Program.cs uses:\n" + stale.Output);
            //    Renamed back (still the old time), it compiles again.
            File.Move(renamed, spec);
            Build(app).AssertSuccess("dotnet build after renaming the spec back");

            // 6. Visible generated code: on the now up-to-date project, the switch alone writes the files.
            Build(app, "-p:InceptionDslEmitGeneratedFiles=true").AssertSuccess("dotnet build with InceptionDslEmitGeneratedFiles");
            var generated = Path.Combine(app, "obj", "Debug", "net10.0", "generated", "InceptionDsl.Generator");
            Assert.True(Directory.Exists(generated), $"no generated files under {generated}");
            Assert.Contains(Directory.EnumerateFiles(generated, "*.g.cs", SearchOption.AllDirectories),
                f => File.ReadAllText(f).Contains("class TinyNet", StringComparison.Ordinal));
        }
        finally
        {
            TryDelete(root);
        }
    }

    /// <summary>
    /// The template as a new user meets it: installed from the packed InceptionDsl.Templates (into a hive of its own, so
    /// the machine's templates are untouched), <c>dotnet new inceptiondsl-app -n MyApp --feed FOLDER</c> outside the
    /// repository, then plain <c>dotnet build</c> and <c>dotnet run</c>: the project as created works at once.
    /// </summary>
    [Fact]
    public void TemplateFromThePackedPackageCreatesAProjectThatBuildsAndRuns()
    {
        var root = Path.Combine(Path.GetTempPath(), $"inceptiondsl-template-{Guid.NewGuid():N}");
        var hive = Path.Combine(root, "hive");
        var work = Path.Combine(root, "work");
        Directory.CreateDirectory(work);
        try
        {
            foreach (var name in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
                File.WriteAllText(Path.Combine(root, name), "<Project />\n");
            var template = Path.Combine(packed.Feed, $"InceptionDsl.Templates.{packed.Version}.nupkg");
            Run(work, "new", "install", template, "--debug:custom-hive", hive).AssertSuccess("dotnet new install");
            Run(work, "new", "inceptiondsl-app", "-n", "MyApp", "--feed", packed.Feed, "--debug:custom-hive", hive).AssertSuccess("dotnet new inceptiondsl-app");

            var project = Path.Combine(work, "MyApp");
            var csproj = File.ReadAllText(Path.Combine(project, "MyApp.csproj"));
            Assert.Contains("<InceptionDslNamespace>MyApp.Nets</InceptionDslNamespace>", csproj);
            // The sample spec's modeline names a schema file that is there from the start, and is the package's schema.
            var spec = File.ReadAllLines(Path.Combine(project, "Nets", "tiny.inception.yaml"));
            var modeline = System.Text.RegularExpressions.Regex.Match(spec[0], @"^# yaml-language-server: \$schema=(\S+)$");
            Assert.True(modeline.Success, "no schema modeline: " + spec[0]);
            var schema = Path.GetFullPath(Path.Combine(project, "Nets", modeline.Groups[1].Value));
            Assert.True(File.Exists(schema), $"the modeline points at {schema}, which the template did not create");
            Assert.Equal(File.ReadAllText(Path.Combine(ReferencePaths.RepoRoot, "specs", "inceptiondsl.schema.json")), File.ReadAllText(schema));

            Run(project, "build", "--disable-build-servers", "-p:CreateHardLinksForCopyLocalIfPossible=true").AssertSuccess("dotnet build of the new project");
            var run = Run(project, "run", "--no-build");
            run.AssertSuccess("dotnet run of the new project");
            Assert.Matches(@"TinyNet: 5,466 parameters, [\d,]+ FLOPs per image", run.Output);
            Assert.Contains("features.conv.weight", run.Output);
            Assert.Contains("forward: [2, 3, 32, 32] -> [2, 10]", run.Output);
            var onnx = Path.Combine(project, "tinynet.onnx");
            Assert.True(File.Exists(onnx) && new FileInfo(onnx).Length > 0, "no tinynet.onnx");
            Assert.Contains($"wrote {onnx}", run.Output);
        }
        finally
        {
            TryDelete(root);
        }
    }

    /// <summary>
    /// The CLI as a .NET tool: packed for this machine's platform only (the tool is packed per platform,
    /// libtorch being part of it), installed from a local folder into a tool manifest as the docs show,
    /// and run: the spec-only commands and one that runs a model with TorchSharp.
    /// </summary>
    [Fact]
    public void PackedToolInstallsFromALocalFolderAndRunsTheDocumentedCommands()
    {
        var version = $"0.2.0-test.{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        var rid = System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;
        var root = Path.Combine(Path.GetTempPath(), $"inceptiondsl-tool-{Guid.NewGuid():N}");
        var feed = Path.Combine(root, "feed");
        var work = Path.Combine(root, "work");
        Directory.CreateDirectory(feed);
        Directory.CreateDirectory(work);
        try
        {
            Run(ReferencePaths.RepoRoot, "pack", Path.Combine("src", "InceptionDsl.Cli", "InceptionDsl.Cli.csproj"),
                "-c", Configuration, "-o", feed, $"-p:PackageVersion={version}", $"-p:ToolPackageRuntimeIdentifiers={rid}")
                .AssertSuccess("dotnet pack of the tool");
            Assert.True(File.Exists(Path.Combine(feed, $"InceptionDsl.Cli.{version}.nupkg")), "no pointer package");
            using (var zip = ZipFile.OpenRead(Path.Combine(feed, $"InceptionDsl.Cli.{rid}.{version}.nupkg")))
            {
                var entries = zip.Entries.Select(e => e.FullName).ToList();
                Assert.Contains("schema/inceptiondsl.schema.json", entries);
                Assert.Contains(entries, e => e.EndsWith("/inceptiondsl.dll", StringComparison.Ordinal));
            }

            foreach (var name in new[] { "Directory.Build.props", "Directory.Build.targets" })
                File.WriteAllText(Path.Combine(root, name), "<Project />\n");
            File.WriteAllText(Path.Combine(work, "tiny.inception.yaml"), Spec);
            Run(work, "new", "tool-manifest").AssertSuccess("dotnet new tool-manifest");
            Run(work, "tool", "install", "--local", "--add-source", feed, "InceptionDsl.Cli", "--version", version).AssertSuccess("dotnet tool install");

            var help = Run(work, "inceptiondsl", "--help");
            help.AssertSuccess("inceptiondsl --help");
            foreach (var command in new[] { "check", "emit", "schema", "summary", "explain", "diff", "diagram", "zoo", "train", "verify", "bench" })
                Assert.Contains(command, help.Output);
            var check = Run(work, "inceptiondsl", "check", "tiny.inception.yaml");
            check.AssertSuccess("inceptiondsl check");
            Assert.Contains("1 file(s), 1 model(s), 0 error(s)", check.Output);
            var emit = Run(work, "inceptiondsl", "emit", "tiny.inception.yaml", "--namespace", "Tool.Nets");
            emit.AssertSuccess("inceptiondsl emit");
            Assert.Contains("namespace Tool.Nets", emit.Output);
            Assert.Contains("public sealed partial class TinyNet", emit.Output);
            var schema = Run(work, "inceptiondsl", "schema");
            schema.AssertSuccess("inceptiondsl schema");
            Assert.Contains("\"$id\": \"urn:inceptiondsl:spec-schema:v1\"", schema.Output);
            Run(work, "inceptiondsl", "summary", "tiny.inception.yaml").AssertSuccess("inceptiondsl summary");
            // A zoo class name, with no specs/ folder above the working directory: the tool's own copy of the zoo specs.
            var zooSummary = Run(work, "inceptiondsl", "summary", "InceptionV4", "--depth", "0");
            zooSummary.AssertSuccess("inceptiondsl summary InceptionV4");
            Assert.Contains("total params=42679816", zooSummary.Output);
            // TorchSharp and libtorch come with the tool: the zoo runs a forward pass.
            var zoo = Run(work, "inceptiondsl", "zoo", "--model", "MiniInception");
            zoo.AssertSuccess("inceptiondsl zoo");
            Assert.Contains("MiniInception", zoo.Output);
        }
        finally
        {
            TryDelete(root);
            TryDelete(Path.Combine(GlobalPackagesFolder(), "inceptiondsl.cli", version));
            TryDelete(Path.Combine(GlobalPackagesFolder(), $"inceptiondsl.cli.{rid}", version));
        }
    }

    /// <summary>A plain incremental <c>dotnet build</c> of the test app, as a user runs it after an edit.</summary>
    private Result Build(string app, params string[] extra) =>
        Run(app, ["build", "--no-restore", "--disable-build-servers", "-c", "Debug", "-p:CreateHardLinksForCopyLocalIfPossible=true", .. extra]);

    /// <summary>The package holds the generator and its two dependencies as analyzers, the build
    /// files, the readme, complete metadata, and no dependency (TorchSharp is the user's choice).</summary>
    private static void CheckPackageLayout(string package, string version)
    {
        using var zip = ZipFile.OpenRead(package);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        foreach (var expected in new[]
                 {
                     "analyzers/dotnet/cs/InceptionDsl.Generator.dll", "analyzers/dotnet/cs/InceptionDsl.Core.dll",
                     "analyzers/dotnet/cs/YamlDotNet.dll", "buildTransitive/InceptionDsl.props",
                     "buildTransitive/InceptionDsl.targets", "buildTransitive/InceptionDsl.BuildInputs.targets",
                     "buildTransitive/TorchSharpNativeFix.targets", "README.md", "schema/inceptiondsl.schema.json",
                 })
            Assert.Contains(expected, entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal));

        using var nuspecStream = zip.GetEntry("InceptionDsl.nuspec")!.Open();
        var metadata = XDocument.Load(nuspecStream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string Value(string name) => metadata.Elements().Single(e => e.Name.LocalName == name).Value;
        Assert.Equal("InceptionDsl", Value("id"));
        Assert.Equal(version, Value("version"));
        Assert.Equal("MIT", Value("license"));
        Assert.Equal("README.md", Value("readme"));
        Assert.False(string.IsNullOrWhiteSpace(Value("description")));
        Assert.Contains("torchsharp", Value("tags"), StringComparison.Ordinal);
        Assert.Equal("git", metadata.Elements().Single(e => e.Name.LocalName == "repository").Attribute("type")?.Value);
        Assert.DoesNotContain(metadata.Descendants(), e => e.Name.LocalName == "dependency");
    }

    /// <summary>The runtime package: the run-time assemblies under lib/, TorchSharp (the API) as a dependency and no backend.</summary>
    private static void CheckRuntimePackage(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        foreach (var expected in new[] { "lib/net10.0/InceptionDsl.Reference.dll", "lib/net10.0/InceptionDsl.Training.dll", "lib/net10.0/InceptionDsl.Contracts.dll", "README.md" })
            Assert.Contains(expected, entries);
        // No generated code: a project generating into InceptionDsl.Models (the default) meets no second BasicConv2d.
        Assert.DoesNotContain(entries, e => e.EndsWith("/InceptionDsl.Models.dll", StringComparison.Ordinal));
        using var nuspecStream = zip.GetEntry("InceptionDsl.Runtime.nuspec")!.Open();
        var dependencies = XDocument.Load(nuspecStream).Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => e.Attribute("id")!.Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.Contains("TorchSharp", dependencies);
        Assert.DoesNotContain(dependencies, d => d.StartsWith("TorchSharp-", StringComparison.OrdinalIgnoreCase) || d.StartsWith("libtorch", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(dependencies, d => d.StartsWith("InceptionDsl", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The TorchSharp-cpu version the zoo builds with, so the test app uses the cached one.</summary>
    private static string TorchSharpVersion()
    {
        var csproj = File.ReadAllText(Path.Combine(ReferencePaths.RepoRoot, "src", "InceptionDsl.Models", "InceptionDsl.Models.csproj"));
        var match = TorchSharpReference().Match(csproj);
        Assert.True(match.Success, "no TorchSharp-cpu reference in InceptionDsl.Models.csproj");
        return match.Groups[1].Value;
    }

    private static string GlobalPackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private sealed record Result(string Command, int ExitCode, string Output, TimeSpan Elapsed)
    {
        public void AssertSuccess(string what) =>
            Assert.True(ExitCode == 0, $"{what} failed with exit code {ExitCode}: {Command}\n{Output}");
    }

    private Result Run(string workingDirectory, params string[] args) => RunDotnet(workingDirectory, output.WriteLine, args);

    /// <summary>Runs <c>dotnet</c> with the given arguments, as a user would from a shell: without
    /// the MSBuild variables the test host may have inherited from <c>dotnet test</c>.</summary>
    private static Result RunDotnet(string workingDirectory, Action<string> log, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var key in info.Environment.Keys.ToList())
        {
            if (key.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
                info.Environment.Remove(key);
        }
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

        var command = "dotnet " + string.Join(" ", args);
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(StepTimeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"timed out after {StepTimeout}: {command}");
        }
        process.WaitForExit();
        var text = stdout.Result + stderr.Result;
        log($"{command}: exit {process.ExitCode} in {stopwatch.Elapsed.TotalSeconds:F1} s");
        return new Result(command, process.ExitCode, text, stopwatch.Elapsed);
    }
}
