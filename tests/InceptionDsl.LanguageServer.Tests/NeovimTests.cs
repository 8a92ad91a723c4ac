using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Xunit;

namespace InceptionDsl.LanguageServer.Tests;

/// <summary>
/// A real editor: Neovim headless attaches the built <c>inceptiondsl lsp</c> to a spec with a typo
/// (Editors/attach.lua) and must receive its diagnostic and a hover with the node's shape. Installs
/// nothing: skipped, saying why, where <c>nvim</c> is not on the PATH (.ci/run installs Debian's neovim).
/// </summary>
public sealed class NeovimTests
{
    private static string? Nvim() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, "nvim")).FirstOrDefault(File.Exists);

    [SkippableFact]
    public void NeovimReceivesDiagnosticsAndAHover()
    {
        var nvim = Nvim();
        Skip.If(nvim is null, "nvim is not on the PATH: install Debian's neovim package (as .ci/run does) to run this editor test");
        Skip.IfNot(File.Exists(Repo.CliDll), $"the CLI is not built at {Repo.CliDll}");

        var folder = Directory.CreateTempSubdirectory("idsl-nvim-");
        try
        {
            var text = File.ReadAllText(Repo.Fixture("resnet")).Replace("filters: 64, k: 7", "filtrs: 64, k: 7");
            var spec = Path.Combine(folder.FullName, "typo.inception.yaml");
            File.WriteAllText(spec, text);
            var output = Path.Combine(folder.FullName, "out.json");
            var hoverAt = TextAt.Find(text, "{ name: layer2, use: Layer", "{ name: layer2, ".Length + 1);

            var info = new ProcessStartInfo(nvim!) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
            foreach (var arg in new[] { "--headless", "--clean", "-n", "-c", "luafile " + Path.Combine(AppContext.BaseDirectory, "Editors", "attach.lua") })
                info.ArgumentList.Add(arg);
            info.Environment["INCEPTIONDSL_CLI_DLL"] = Repo.CliDll;
            info.Environment["INCEPTIONDSL_SPEC"] = spec;
            info.Environment["INCEPTIONDSL_OUT"] = output;
            info.Environment["INCEPTIONDSL_HOVER"] = string.Create(CultureInfo.InvariantCulture, $"{hoverAt.Line},{hoverAt.Character}");
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("Neovim did not finish within 3 minutes: " + stderr.Result);
            }

            Assert.True(File.Exists(output), $"Neovim wrote no result (exit {process.ExitCode}): {stderr.Result} {stdout.Result}");
            var result = JsonNode.Parse(File.ReadAllText(output))!;
            var diagnostic = Assert.Single(result["diagnostics"]!.AsArray());
            Assert.Contains("Unknown key 'filtrs'", (string)diagnostic!["message"]!);
            var typo = TextAt.Find(text, "filtrs");
            Assert.Equal(typo.Line, (int)diagnostic["line"]!);
            Assert.Equal(typo.Character, (int)diagnostic["character"]!);

            // The typo stops lowering, so the hover comes from the server's last lowered text: none yet
            // here; it still names the node and its block.
            var hover = (string?)result["hover"];
            Assert.NotNull(hover);
            Assert.Contains("**use** `Layer` named `layer2`", hover);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
