using System.ComponentModel;
using InceptionDsl.Diagnostics;
using InceptionDsl.Reference;
using Spectre.Console.Cli;

namespace InceptionDsl.Cli.Commands;

/// <summary>
/// Runs the generator's own pipeline on spec files and prints its diagnostics in the compiler's
/// format (<c>file(line,col): error IDSLnnn: message</c>). Exit code 1 when any error is found.
/// </summary>
public sealed class CheckCommand : Command<CheckCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILES>")]
        [Description("Spec files (*.inception.yaml) or folders holding them.")]
        public string[] Files { get; init; } = Array.Empty<string>();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var files = new List<string>();
        int errors = 0, models = 0;
        foreach (var path in settings.Files)
        {
            if (Directory.Exists(path))
            {
                // The one walk of the file policy: link loops end, special files are named and not opened, the walk is bounded.
                var refused = new List<string>();
                List<string> found;
                try
                {
                    found = SafeFiles.FindFiles(path, IsSpecFile, refused);
                }
                catch (UnsafeFileException error)
                {
                    Console.WriteLine($"{CliText.Plain(error.Path)}(1,1): error IDSL001: {CliText.Plain(error.Detail)}");
                    errors++;
                    continue;
                }

                foreach (var problem in refused)
                {
                    Console.WriteLine($"{CliText.Plain(problem.Split(": ", 2)[0])}(1,1): error IDSL001: {problem.Split(": ", 2)[1]}");
                    errors++;
                }

                if (found.Count == 0 && refused.Count == 0)
                {
                    // A folder named by mistake must not pass as "no errors".
                    Console.WriteLine($"{CliText.Plain(path)}(1,1): error IDSL001: the folder holds no spec files (*.inception.yaml)");
                    errors++;
                }

                files.AddRange(found);
            }
            else
            {
                files.Add(path);
            }
        }

        var owners = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase); // hint names are compared ignoring case, as Roslyn does
        foreach (var file in files)
        {
            string text;
            try
            {
                text = CliFiles.ReadSpec(file);
            }
            catch (CliInputException error)
            {
                Console.WriteLine($"{CliText.Plain(file)}({Math.Max(1, error.Line)},{Math.Max(1, error.Column)}): error {error.Id}: {CliText.Plain(error.Detail)}");
                errors++;
                continue;
            }

            var result = SpecCompiler.Compile(file, text);
            foreach (var diagnostic in result.Diagnostics)
            {
                Console.WriteLine(diagnostic.ToString());
                foreach (var note in diagnostic.RelatedLines())
                    Console.WriteLine(note);
                if (diagnostic.Severity == SpecSeverity.Error)
                    errors++;
            }

            foreach (var model in result.Models)
            {
                if (owners.TryGetValue(model.ClassName, out var first))
                {
                    Console.WriteLine(Descriptors.DuplicateModel.Create(result.SiteOf(model.ClassName), model.ClassName, first).ToString());
                    errors++;
                }
                else
                {
                    owners[model.ClassName] = file;
                    models++;
                }
            }
        }

        Console.WriteLine($"{files.Count} file(s), {models} model(s), {errors} error(s)");
        return errors > 0 ? 1 : 0;
    }

    private static bool IsSpecFile(string path)
    {
        var name = Path.GetFileName(path);
        return name.EndsWith(".inception.yaml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".inception.yml", StringComparison.OrdinalIgnoreCase);
    }
}
