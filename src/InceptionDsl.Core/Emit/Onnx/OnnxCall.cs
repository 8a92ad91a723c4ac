using InceptionDsl.Expressions;
using InceptionDsl.Semantics;

namespace InceptionDsl.Emit;

/// <summary>
/// What a node kind's ONNX form is written with (<see cref="Kinds.LayerKind.WriteOnnx"/>): the C# that holds the module
/// (of its TorchSharp type, for its tensors), its state_dict path and the local holding the value it reads and
/// replaces, and the IR's values as WriteOnnx reads them: a constant as is, a size the constructor computed as the field
/// the class stores it in.
/// </summary>
internal interface IOnnxCall
{
    /// <summary>The C# expression of the module, of its TorchSharp type.</summary>
    string Access { get; }

    /// <summary>The C# expression of the node's state_dict path.</summary>
    string Path { get; }

    /// <summary>The local holding the input, which the call replaces with the output.</summary>
    string Value { get; }

    /// <summary>An integer of the IR as WriteOnnx reads it.</summary>
    string Long(SymExpr size);

    /// <summary>A number of the IR as WriteOnnx reads it (a double, an integer constant written as one).</summary>
    string Double(SymExpr value);

    /// <summary>A (height, width) pair as a C# tuple of integers.</summary>
    string Pair(SymPair pair);
}
