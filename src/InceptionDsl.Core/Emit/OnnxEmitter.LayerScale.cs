using InceptionDsl.Semantics;

namespace InceptionDsl.Emit;

public static partial class OnnxEmitter
{
    private sealed partial class StepWriter
    {
        /// <summary>
        /// ConvNeXt's layer scale (Lowerer.ConvNeXt.cs): a Mul by the block's [C, 1, 1] parameter, the field its step
        /// multiplies by (<see cref="ScaleByParameterNode.Field"/>); the initializer takes the parameter's
        /// state_dict name under the block's path.
        /// </summary>
        private string LayerScaleCall(FunctionalStep step, string v)
        {
            var field = ((ScaleByParameterNode)step.Operation).Field;
            return $"graph.LayerScale({Child(_stateNames[field])}, {v}, this.{field})";
        }
    }
}
