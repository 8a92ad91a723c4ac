using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Text;

namespace InceptionDsl.Diagnostics;

/// <summary>A diagnostic kind: stable ID, title and message format.</summary>
public sealed record SpecDiagnosticDescriptor(string Id, string Title, string MessageFormat, SpecSeverity Severity = SpecSeverity.Error)
{
    /// <summary>A diagnostic whose message is one line however much spec text it quotes (<see cref="MessageText"/>).</summary>
    public SpecDiagnostic Create(SourceSpan span, params object[] args) =>
        new(Id, Severity, MessageText.OneLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, MessageFormat, args)), span);

    /// <summary>Where the diagnostic is explained: its section of docs/diagnostics.md.</summary>
    public string HelpLink => DiagnosticHelp.Link(Id);
}

/// <summary>
/// Every diagnostic the spec pipeline can report. IDs are stable: never renumber, only add.
/// docs/diagnostics.md explains each (written from this list by <see cref="DiagnosticReference"/>).
/// </summary>
public static class Descriptors
{
    public static readonly SpecDiagnosticDescriptor YamlSyntax = new("IDSL001", "YAML syntax error", "YAML syntax error: {0}");
    public static readonly SpecDiagnosticDescriptor UnknownKey = new("IDSL002", "Unknown key", "Unknown key '{0}' in {1}{2}");
    public static readonly SpecDiagnosticDescriptor WrongType = new("IDSL003", "Value of the wrong type", "'{0}' expects {1}, found {2}");
    public static readonly SpecDiagnosticDescriptor MissingField = new("IDSL004", "Missing required field", "{0} requires '{1}'");
    public static readonly SpecDiagnosticDescriptor OutOfRange = new("IDSL005", "Value out of range", "'{0}' must be {1}, found {2}");
    public static readonly SpecDiagnosticDescriptor DuplicateName = new("IDSL006", "Duplicate name", "Duplicate name '{0}' among siblings (first declared at line {1})");
    /// <summary>IDSL006 where the duplicate is another copy of the same repeated node (its name has no <c>{i}</c>).</summary>
    public static readonly SpecDiagnosticDescriptor RepeatedName = new("IDSL006", "Duplicate name", "Every copy of this repeated node is named '{0}': put {{i}} (the copy's index) or an expression of it in the name, e.g. '{0}{{i}}'");
    public static readonly SpecDiagnosticDescriptor UndefinedBlock = new("IDSL007", "Undefined block", "Block '{0}' is not defined{1}");
    public static readonly SpecDiagnosticDescriptor UndefinedParameter = new("IDSL008", "Undefined parameter", "Parameter '${0}' is not defined here{1}");
    public static readonly SpecDiagnosticDescriptor RecursiveBlock = new("IDSL009", "Recursive block", "Block '{0}' uses itself: {1}");
    public static readonly SpecDiagnosticDescriptor InvalidIdentifier = new("IDSL010", "Invalid name", "'{0}' is not usable as a {1}: {2}");
    public static readonly SpecDiagnosticDescriptor DuplicateModel = new("IDSL011", "Duplicate model", "Model '{0}' is declared twice (also in {1})");
    public static readonly SpecDiagnosticDescriptor LimitExceeded = new("IDSL012", "Limit exceeded", "{0} exceeds the limit of {1}");
    public static readonly SpecDiagnosticDescriptor ExpressionSyntax = new("IDSL013", "Invalid expression", "Invalid expression '{0}': {1}");
    public static readonly SpecDiagnosticDescriptor ExpressionType = new("IDSL014", "Expression of the wrong type", "Expression '{0}' {1}");
    public static readonly SpecDiagnosticDescriptor BadArguments = new("IDSL015", "Bad block arguments", "Block '{0}': {1}");
    public static readonly SpecDiagnosticDescriptor NameCollision = new("IDSL016", "Name collision", "Name '{0}' collides with {1} in the generated C#");
    public static readonly SpecDiagnosticDescriptor BadNode = new("IDSL017", "Invalid node", "{0}");
    public static readonly SpecDiagnosticDescriptor ResidualMismatch = new("IDSL020", "Residual shape mismatch", "Residual '{0}': shortcut {1} and body {2} differ; an add needs equal shapes");
    public static readonly SpecDiagnosticDescriptor ConcatMismatch = new("IDSL021", "Concat spatial mismatch", "Concat '{0}': branch '{1}' is {2} but branch '{3}' is {4}; branches must agree in spatial size");
    public static readonly SpecDiagnosticDescriptor SpatialCollapsed = new("IDSL022", "Spatial size collapsed", "'{0}': earlier layers reduced the map to {1}, and a kernel {2} leaves no output; the spatial size must stay positive (remove a reduction or enlarge the input)");
    public static readonly SpecDiagnosticDescriptor KernelTooLarge = new("IDSL023", "Kernel larger than input", "'{0}': kernel {1} is larger than its padded input {2}");
    public static readonly SpecDiagnosticDescriptor ClassifierMismatch = new("IDSL024", "Classifier input mismatch", "Linear '{0}' expects {1} input features, but its input is {2}");
    public static readonly SpecDiagnosticDescriptor AuxTargetMissing = new("IDSL025", "Aux head target not found", "Aux head '{0}' is attached at '{1}', which is not a named node of the model's body");
    public static readonly SpecDiagnosticDescriptor ConditionalChangesShape = new("IDSL026", "Conditional node changes shape", "'{0}' is conditional but turns {1} into {2}; a node that may be skipped must keep the shape");
    public static readonly SpecDiagnosticDescriptor ChannelMismatch = new("IDSL027", "Channel mismatch", "'{0}': {1}");
    public static readonly SpecDiagnosticDescriptor ClassCannotServeUse = new("IDSL028", "Block class cannot serve this use", "Block '{0}' is generated as one class, lowered for its first use, but its use as '{1}' needs {2}: {3}");
    public static readonly SpecDiagnosticDescriptor NoOnnxExport = new("IDSL090", "No ONNX export", "Model '{0}' is generated without ONNX export (it does not implement IOnnxExportable): {1}", SpecSeverity.Warning);
    public static readonly SpecDiagnosticDescriptor InternalError = new("IDSL099", "Internal error", "InceptionDsl could not process this spec: {0}. Please report it.");

    /// <summary>
    /// All descriptors, in declaration order: every public static descriptor field of this class, found by
    /// reflection so that none can be missing (a hand-kept list once lacked IDSL090, which the build then
    /// reported as IDSL099). The generator maps each ID to a Roslyn descriptor from this list.
    /// </summary>
    public static IReadOnlyList<SpecDiagnosticDescriptor> All { get; } = typeof(Descriptors)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(field => field.FieldType == typeof(SpecDiagnosticDescriptor))
        .OrderBy(field => field.MetadataToken)
        .Select(field => (SpecDiagnosticDescriptor)field.GetValue(null)!)
        .ToArray();
}
