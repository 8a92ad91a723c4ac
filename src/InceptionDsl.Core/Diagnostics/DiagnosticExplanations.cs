using System.Collections.Generic;

namespace InceptionDsl.Diagnostics;

/// <summary>What causes a diagnostic and how to fix it, with a small spec that produces it where one helps.</summary>
public sealed record DiagnosticExplanation(string Cause, string Fix, string? Example = null);

/// <summary>
/// The hand-written part of docs/diagnostics.md, one entry per diagnostic ID (<see cref="DiagnosticReference"/> adds
/// the title, severity and message format from <see cref="Descriptors.All"/>). A test asserts that every ID has one
/// and that no entry names an ID the pipeline does not declare.
/// </summary>
public static class DiagnosticExplanations
{
    public static IReadOnlyDictionary<string, DiagnosticExplanation> ById { get; } = new Dictionary<string, DiagnosticExplanation>
    {
        ["IDSL001"] = new(
            "The file is not valid YAML, or not one YAML document holding a mapping: a bad indentation, an unclosed bracket, "
            + "a key given twice in one mapping, an empty file or a second document after `---`. Nothing else is checked until it reads.",
            "Fix the YAML at the reported line; an editor with the spec schema (docs/language.md, \"Editor schema\") shows it as you type.",
            "body:\n  - { name: c, conv: { filters: 8, k: 3, k: 5 } }   # 'k' twice"),
        ["IDSL002"] = new(
            "A mapping holds a key the language does not have there: usually a misspelling (`wieght` for `weight`), or an option "
            + "of another node kind (`kernel` instead of `k`). The message suggests the nearest key when one is close.",
            "Rename the key to one the node accepts (docs/language-reference.md lists them per node kind) or remove it.",
            "aux:\n  - { name: aux1, at: c, use: A, wieght: 0.3 }"),
        ["IDSL003"] = new(
            "A value is of another type than its key takes: text where a number is expected, a list where an integer is, "
            + "a word `pad` does not know, a block argument of the wrong type.",
            "Give the key a value of the type the message names (an integer, a pair `[h, w]`, true or false, ...).",
            "- { name: c, conv: { filters: 8, k: 3, pad: full } }   # 'same', 'valid', an integer or [h, w]"),
        ["IDSL004"] = new(
            "A required field is missing: `model`, `input` or `body` at the top, `filters` or `k` of a conv, `out` of a linear, "
            + "`body` of a residual, `at` of an aux head.",
            "Add the field the message names.",
            "- { name: c, conv: { k: 3 } }   # conv requires 'filters'"),
        ["IDSL005"] = new(
            "A number is outside the range its key allows: a negative or zero count of filters, a negative stride or padding, "
            + "a dropout probability above 1.",
            "Use a value in the range the message gives.",
            "- dropout: 1.5   # a probability"),
        ["IDSL006"] = new(
            "Two siblings (nodes of one list, branches of one concat, parameters of one block) share a name; the names become "
            + "module names and state_dict paths, which must be unique. A repeated node (`repeat: n`) whose name has no `{i}` "
            + "gives every copy the same name and is reported too. The message gives the line of the first declaration.",
            "Rename one of them; for a repeated node put `{i}` (the copy's index) or an expression of it in the name.",
            "- { name: c, conv: { filters: 8, k: 3, pad: 1 } }\n- { name: c, conv: { filters: 8, k: 3, pad: 1 } }   # 'c' again"),
        ["IDSL007"] = new(
            "A `use:` names a block that the spec's `blocks:` does not define; the message suggests a close name when there is one.",
            "Define the block under `blocks:` or correct the name.",
            "- { name: b, use: Stemm }   # the block is 'Stem'"),
        ["IDSL008"] = new(
            "An expression reads `$name`, but no parameter of that name is in scope: a block sees its own `params:` and the "
            + "model's, a model its own `params:` and the built-in ones (such as `$classes`).",
            "Declare the parameter in the block's or the model's `params:`, or correct the name.",
            "- { name: c, conv: { filters: $width, k: 3 } }   # no parameter 'width'"),
        ["IDSL009"] = new(
            "A block uses itself, directly or through other blocks; its expansion would never end. The message shows the cycle.",
            "Break the cycle: a block may use only blocks that do not use it back.",
            "blocks:\n  B:\n    body:\n      - { name: inner, use: B }"),
        ["IDSL010"] = new(
            "A name cannot become what it is generated as: a model or block name that is not a C# identifier (or is a C# keyword), "
            + "a parameter name starting with a digit, a node name with a dot or a space (node names are state_dict path segments).",
            "Use letters, digits and underscores, starting with a letter, and no C# keyword for model and block names.",
            "model: 3Net   # a C# class name cannot start with a digit"),
        ["IDSL011"] = new(
            "Two specs of the project, or two variants of one spec, declare a model of the same name (compared ignoring case, "
            + "as generated file names are). The message names the other declaration.",
            "Rename one of the models.",
            "variants:\n  - { model: Net, args: { w: 8 } }\n  - { model: Net, args: { w: 16 } }"),
        ["IDSL012"] = new(
            "A spec goes beyond a bound that keeps the build fast and safe: the file size, YAML alias expansion, nesting depth, "
            + "block depth, a repeat count, a number of filters or a spatial size, or a parameter or FLOP count that would overflow.",
            "Reduce what the message names; the bounds are far above any real network, so reaching one usually means a typo.",
            "- { name: c, conv: { filters: 8, k: 3, pad: 1 }, repeat: 100000 }"),
        ["IDSL013"] = new(
            "An expression does not parse: a missing operand, an unclosed parenthesis, an unknown operator.",
            "Correct the expression; docs/language.md lists its operators and functions.",
            "- { name: c, conv: { filters: (8 + 2, k: 3 } }"),
        ["IDSL014"] = new(
            "An expression parses but its value does not fit where it is used: a division by zero, an integer overflow, "
            + "a condition that is not true or false, a value that must be known at build time and is not.",
            "Change the expression or the parameter it reads so that it gives a value of the kind the message names.",
            "- { name: c, conv: { filters: 8 // 0, k: 3 } }"),
        ["IDSL015"] = new(
            "A `use:` passes arguments that do not match the block's `params:`: too many positional arguments, a name the block "
            + "does not have, a parameter given twice, or a parameter with neither a value nor a default.",
            "Pass one value per parameter, by position or by name, or give the parameter a default.",
            "blocks:\n  B:\n    params: [width]\n    body: [{ name: c, conv: { filters: $width, k: 1 } }]\nbody:\n  - { name: b, use: B }   # no 'width'"),
        ["IDSL016"] = new(
            "A name of the spec would collide in the generated C#: a model named as one of its blocks, a model whose generated "
            + "file name differs from another's only in case, a name taken by the class the generator nests in the model.",
            "Rename the model or the block.",
            "model: T\nblocks:\n  T:\n    body: [relu]"),
        ["IDSL017"] = new(
            "A node is not one the language has, or is used where it cannot be: an unknown bare word, a mapping with no node kind, "
            + "an empty `seq`, an inline block where one module is needed, a YAML line that continues a plain scalar.",
            "Write the node as docs/language-reference.md describes; the message says what was found.",
            "body:\n  - relu\n  - rleu   # not a node kind"),
        ["IDSL020"] = new(
            "A residual adds its body's output to its shortcut's (the input when there is no shortcut), and the two shapes differ "
            + "in channels or spatial size.",
            "Make the body keep the shape, or give the residual a `shortcut:` (a 1x1 conv with the same stride) that produces the body's shape.",
            "- { name: stem, conv: { filters: 16, k: 3, pad: 1 } }\n- name: res\n  residual:\n    body:\n      - { name: c1, conv: { filters: 32, k: 3, pad: 1 } }   # 16 -> 32 channels"),
        ["IDSL021"] = new(
            "A concat joins its branches along the channels, so they must agree in height and width; one branch's stride or "
            + "padding gives another size.",
            "Give every branch the same stride and the padding that keeps the sizes equal (`pad: same` for odd kernels at stride 1).",
            "- name: mix\n  concat:\n    - { name: a, conv: { filters: 8, k: 1 } }\n    - { name: b, conv: { filters: 8, k: 3, stride: 2 } }"),
        ["IDSL022"] = new(
            "The layers before a node reduced the feature map so far that the node has no output left.",
            "Remove a stride or a pool, or declare a larger `input:` size.",
            "- { name: c, conv: { filters: 8, k: 3, stride: 2, pad: 1 } }   # 32x32 -> 16x16\n- maxpool: { k: 2 }   # 8x8\n- maxpool: { k: 2 }   # 4x4\n- maxpool: { k: 2 }   # 2x2\n- maxpool: { k: 2 }   # 1x1\n- maxpool: { k: 2 }   # nothing left"),
        ["IDSL023"] = new(
            "A convolution's or pool's kernel (dilated, where it has a dilation) is larger than its input with the padding.",
            "Use a smaller kernel or dilation, pad the input, or reduce it less before this node.",
            "- { name: c, conv: { filters: 8, k: 33 } }   # the input is 32x32"),
        ["IDSL024"] = new(
            "A linear layer's input does not have the features it declares (`in:`), or is not flat: a linear on a [C, H, W] map.",
            "Put `global_avgpool` (and `flatten`) before the classifier, or correct `in:`; without `in:` the size is inferred.",
            "- { name: c, conv: { filters: 16, k: 3 } }\n- { name: fc, linear: 10 }   # the input is still 16x30x30"),
        ["IDSL025"] = new(
            "An aux head's `at:` (or `register_after:`) names no top-level node of the model's body: aux heads read the output of a named node of the body.",
            "Set `at:` to the name of a top-level node of the body, such as the stage that should feed the head.",
            "aux:\n  - { name: aux1, at: nowhere, use: A }"),
        ["IDSL026"] = new(
            "A node with `if:` may be skipped, so the nodes after it must see the same shape with or without it; this one "
            + "changes the shape where it is kept.",
            "Make the node keep the shape, or choose the variant with a parameter of an `inline: true` block (each use then decides).",
            "- { name: c, conv: { filters: 8, k: 3, stride: $s }, if: $s > 1 }"),
        ["IDSL027"] = new(
            "Channel counts do not fit an operation: `groups` not dividing the input or output channels, a channel split or "
            + "shuffle whose parts do not divide the channels, selective-kernel paths of different widths.",
            "Choose channel counts that the operation's groups or parts divide; the message gives the numbers.",
            "- { name: c, conv: { filters: 8, k: 3, groups: 2 } }   # 3 input channels"),
        ["IDSL028"] = new(
            "A block is generated as one class, lowered for its first use; a later use needs a module built differently (for "
            + "example a `linear` after `flatten` whose size depends on the map) and the class cannot serve it. The message "
            + "names the module and both constructions.",
            "Mark the block `inline: true` (each use is expanded with its own numbers), or declare one block per case.",
            "aux:\n  - { name: aux1, at: c1, use: Aux }   # Aux flattens a 32x32 map here\n  - { name: aux2, at: c2, use: Aux }   # and a 16x16 one here"),
        ["IDSL090"] = new(
            "In a project that references InceptionDsl.Onnx, a model has a step the ONNX writer has no form for; the model is "
            + "still generated, with its TorchSharp forward, but without `IOnnxExportable`. The message names the step. "
            + "Every node kind of the language has an ONNX form today, so a spec meets this only with a generator newer than its ONNX writer.",
            "Use the same version of the InceptionDsl and InceptionDsl.Onnx packages, or avoid the step the message names if the model must export."),
        ["IDSL099"] = new(
            "The generator met a failure of its own while processing the spec. It reports it at the spec instead of stopping the "
            + "build; the other specs still generate.",
            "Please report it with the spec and the message; meanwhile, the message's context usually shows which node to change."),
    };
}
