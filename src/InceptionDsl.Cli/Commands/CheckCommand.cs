using System.ComponentModel;
using InceptionDsl.Diagnostics;
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
                var found = Directory.EnumerateFiles(path, "*.inception.y*ml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
                if (found.Count == 0)
                {
                    // A folder named by mistake must not pass as "no errors".
                    Console.WriteLine($"{path}(1,1): error IDSL001: the folder holds no spec files (*.inception.yaml)");
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
                Console.WriteLine($"{file}({Math.Max(1, error.Line)},{Math.Max(1, error.Column)}): error {error.Id}: {error.Detail}");
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
}
