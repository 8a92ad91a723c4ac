using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace InceptionDsl.Syntax;

/// <summary>
/// Writes the language reference (docs/language-reference.md) from <see cref="LanguageCatalog"/> and
/// <see cref="OpCatalog"/>: every node kind, key, default and operator, so the reference cannot
/// drift from what the parser accepts (a test compares the committed file with this text).
/// </summary>
public static class LanguageReference
{
    public static string Markdown()
    {
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');
        void Table(IEnumerable<KeyInfo> keys)
        {
            Line("| key | value | default | meaning |");
            Line("| --- | --- | --- | --- |");
            foreach (var key in keys)
                Line($"| `{key.Name}` | {Cell(key.Type)} | {(key.Default is null ? "" : Cell(key.Default))} | {Cell(key.Description)} |");
            Line();
        }

        Line("# The InceptionDsl language reference");
        Line();
        Line("<!-- Generated from src/InceptionDsl.Core/Syntax/LanguageCatalog.cs and OpCatalog.cs by LanguageReference;");
        Line("     do not edit by hand: INCEPTIONDSL_UPDATE_SAMPLES=1 dotnet test tests/InceptionDsl.Tests --filter LanguageReference -->");
        Line();
        Line("[The spec language](language.md) introduces specs, the editor schema and the diagnostics.");
        Line();
        Line("A spec (`specs/*.inception.yaml`) is a YAML mapping. Values are numbers, `true`/`false`, words,");
        Line("lists, or expressions over parameters (`$planes * 4`). The parser accepts exactly the keys below,");
        Line("and the JSON schema `specs/inceptiondsl.schema.json` is written from the same catalog.");
        Line();
        Line("## The spec");
        Line();
        Table(LanguageCatalog.TopKeys);
        Line("### `input`");
        Line();
        Table(LanguageCatalog.InputKeys);
        Line("### `accuracy`");
        Line();
        Table(LanguageCatalog.AccuracyKeys);
        Line("### A variant (an item of `variants`)");
        Line();
        Table(LanguageCatalog.VariantKeys);
        Line("### A weights entry (an item of `weights`)");
        Line();
        Table(LanguageCatalog.WeightsKeys);
        Line("### A block (an entry of `blocks`)");
        Line();
        Table(LanguageCatalog.BlockKeys);
        Line("### An aux head (an item of `aux`)");
        Line();
        Table(LanguageCatalog.AuxKeys);
        Line("## Nodes");
        Line();
        Line("A node is a mapping with one kind key and optional common keys, or a bare kind word (`- relu`).");
        Line("Options of a kind may be written as a mapping (`conv: { filters: 64, k: 3 }`), as the");
        Line("shorthand value (`conv: 64`, `maxpool: 3`), or left out (`bn: {}`).");
        Line();
        Line("### Keys every node may carry");
        Line();
        Table(LanguageCatalog.NodeKeys);
        Line("### Node kinds");
        Line();
        Line("| kind | what it is | options | shorthand for |");
        Line("| --- | --- | --- | --- |");
        foreach (var op in OpCatalog.Ops)
        {
            var options = op.Shape switch
            {
                OpShape.Options => op.Options.Count == 0 ? "none" : string.Join(", ", op.Options.Select(o => $"`{o}`")),
                OpShape.NodeList => "a list of nodes",
                OpShape.Branches => "a list of branches (a node, or a list of nodes)",
                OpShape.Residual or OpShape.Select => string.Join(", ", op.Options.Select(o => $"`{o}`")),
                _ => "a block name, with `args`",
            };
            Line($"| `{op.Key}` | {Cell(op.Description)} | {options} | {(op.ShorthandOption is null ? "" : $"`{op.ShorthandOption}`")} |");
        }

        Line();
        foreach (var op in OpCatalog.Ops)
        {
            if (!LanguageCatalog.Options.TryGetValue(op.Key, out var options))
                continue;
            Line($"### `{op.Key}` options");
            Line();
            Table(options);
        }

        Line("### `residual`");
        Line();
        Table(LanguageCatalog.ResidualKeys);
        Line("### `select`");
        Line();
        Table(LanguageCatalog.SelectKeys);
        Line("## Expressions");
        Line();
        Line("An unquoted value with an operator or a `$` is an expression; a quoted one is an expression when it");
        Line("has a `$` or starts with a call (`\"make_divisible(32 * 0.75, 8)\"`; else it is a word). Inside `{ }` or `[ ]` a comma ends a plain value, so quote an expression");
        Line("with a comma or a bracket: `let: { rd: \"max(8, $c // 16)\" }`. Operators, loosest first:");
        Line();
        Line("| operator | kind | meaning |");
        Line("| --- | --- | --- |");
        foreach (var op in LanguageCatalog.Operators)
            Line($"| `{op.Operator}` | {op.Group} | {Cell(op.Description)} |");
        Line();
        Line("A value that depends only on model parameters is a build-time constant. One that depends on a block's");
        Line("parameters is computed by the generated class's constructor: its C# appears in the generated code");
        Line("(`stride == 1 ? 1 : stride`), and every use of the block is checked with its own numbers.");
        Line();
        Line("## Conditions, repeats and names");
        Line();
        Line("- `if` on a model parameter decides at build time. On a block parameter it decides when the block is");
        Line("  constructed: a layer becomes an optional field; a member of a `seq` is left out of the Sequential and");
        Line("  the unnamed members after it move up, as `nn.Sequential(*list)` (timm's Xception `rep`, ResNet-D's");
        Line("  `downsample.0`: `{ identity: {}, if: $stride == 1 }` then `{ avgpool: ..., if: $stride != 1 }`).");
        Line("- `repeat` makes copies; in the name `{i}` is the copy's index and `{expression}` any expression of it:");
        Line("  `{ name: \"block{i+4}\", use: Block, repeat: 8 }` makes block4 ... block11.");
        Line("- In a block, a `seq` member's `repeat` may be counted by the block's parameters: the constructor builds");
        Line("  the copies in a loop (`for (long i = 0; i < reps; i++)`), `$i` and names templated on it computed as it");
        Line("  goes, and each use is checked with its own count. A repeat in a block's body outside a seq is fixed");
        Line("  when the class is generated, so its count must be known then.");
        Line("- An `inline` block used in a `seq` splices its members in at the next positions, as if written there,");
        Line("  with its arguments bound; with `repeat` it writes timm's loops. Xception's `Block` builds its `rep` as");
        Line("  `for i in range(reps): rep += [ReLU, SeparableConv2d, BatchNorm2d]`:");
        Line();
        Line("```yaml");
        Line("SepConvUnit:");
        Line("  inline: true");
        Line("  params: [filters, relu]");
        Line("  body: [ { relu: {}, if: $relu }, { use: SeparableConv2d, args: { filters: $filters } }, { bn: {} } ]");
        Line("Block:");
        Line("  params: [filters, reps: 2, stride: 1, start_with_relu: true, grow_first: true]");
        Line("  body:");
        Line("    - name: rep");
        Line("      seq:");
        Line("        - use: SepConvUnit");
        Line("          repeat: $reps");
        Line("          args: { filters: \"$grow_first || $i == $reps - 1 ? $filters : $in_channels\", relu: \"$start_with_relu || $i > 0\" }");
        Line("        - { maxpool: { k: 3, stride: $stride, pad: 1 }, if: $stride != 1 }");
        Line("```");
        Line();
        Line("- In a `seq`, an unnamed conv without `bn` that has `act: relu` takes two positions, the Conv2d then its");
        Line("  ReLU, as torchvision's VGG: `features.0` Conv2d with bias, `features.1` ReLU.");
        Line("- A parameter default may use the parameters before it: `params: [planes, width: $planes * 2]`.");
        Line("- A variant may set `classes` and `input`, and `classes:` may use the family's parameters.");
        Line("- An aux head with `if: $aux` is built only for the variants where it holds; every generated class with");
        Line("  aux heads also takes `auxLogits: false` at construction.");
        Line();
        Line("## Attention and gates");
        Line();
        Line("`gate` multiplies its input by what its branch (a list of nodes applied to the same input) computes,");
        Line("broadcast over the map: the branch must give the input's channels over one pixel or over the whole map.");
        Line("Squeeze-and-excitation as timm's SEModule:");
        Line();
        Line("```yaml");
        Line("SqueezeExcite:");
        Line("  params: [reduction: 16]");
        Line("  let: { rd: \"max(8, ($in_channels // $reduction + 4) // 8 * 8)\" }");
        Line("  body:");
        Line("    - gate:");
        Line("        - adaptive_avgpool: 1");
        Line("        - { name: fc1, conv: { filters: $rd, k: 1, bias: true } }");
        Line("        - relu");
        Line("        - { name: fc2, conv: { filters: $in_channels, k: 1, bias: true } }");
        Line("        - sigmoid");
        Line("```");
        Line();
        Line("The gate's parameters and FLOPs are its branch's (the product itself is not counted: FLOPs count");
        Line("convolutions and matrix products, as the reference files do).");
        Line();
        Line("## Selective kernels");
        Line();
        Line("`select` weights parallel paths by a learned softmax across them (Li et al. 2019, timm's SelectiveKernel).");
        Line("Its `paths` (one module each) read the input, or with `split: true` its i-th channel slice, and must agree in");
        Line("shape; `attn` reads their sum and gives paths x C weights over one pixel (or the map), which a softmax across");
        Line("the paths normalises; the output is the weighted sum of the paths. The node registers `paths` (a ModuleList:");
        Line("`paths.0.conv.weight`, ...) then `attn` (a Sequential whose members keep their names: `attn.fc_reduce.weight`),");
        Line("so a block holding one select has timm's state_dict names. timm's SelectiveKernel for skresnet18:");
        Line();
        Line("```yaml");
        Line("SelectiveKernel:");
        Line("  params: [filters, stride: 1]");
        Line("  let: { rd: \"max(16, ($filters // 8 + 8) // 16 * 16)\" }");
        Line("  body:");
        Line("    - select:");
        Line("        split: true");
        Line("        paths:");
        Line("          - conv: { filters: $filters, k: 3, stride: $stride, pad: 1, bn: true, act: relu }");
        Line("          - conv: { filters: $filters, k: 3, stride: $stride, pad: 2, dilation: 2, bn: true, act: relu }");
        Line("        attn:");
        Line("          - adaptive_avgpool: 1");
        Line("          - { name: fc_reduce, conv: { filters: $rd, k: 1 } }");
        Line("          - { name: bn, bn: {} }");
        Line("          - { name: act, relu: {} }");
        Line("          - { name: fc_select, conv: { filters: $filters * 2, k: 1 } }");
        Line("```");
        Line();
        Line("Its parameters and FLOPs are its paths' and its attention's; the sum, the softmax and the weighting are");
        Line("not counted (FLOPs count convolutions and matrix products, as the reference files do).");
        Line();
        Line("## Residual order");
        Line();
        Line("A residual registers its body's modules before its shortcut's (torchvision and timm ResNets). With");
        Line("`shortcut_first: true` the shortcut's come first (timm's Xception registers `skip` and `skipbn` before");
        Line("`rep`). A shortcut may be a list of nodes, each with its own `if`.");
        return md.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|").Replace("\n", " ");
}
