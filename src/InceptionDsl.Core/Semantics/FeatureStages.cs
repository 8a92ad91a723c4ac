using System;
using System.Collections.Generic;
using System.Linq;

namespace InceptionDsl.Semantics;

/// <summary>
/// The model's feature stages (timm's features_only): the last node of the trunk at each stride 4, 8, 16 and 32,
/// a top-level step or a child of a top-level Sequential. Every backend's forward_features reads them here.
/// </summary>
public static class FeatureStages
{
    /// <summary>A node ForwardFeatures can read: a top-level step, or a child of a top-level Sequential.</summary>
    public sealed record FeatureNode(int StepIndex, string? Child, string Stage, int Level, long Channels);

    /// <summary>A stage at stride 2^Level, read after a node.</summary>
    public sealed record Stage(FeatureNode Node, int Stride);

    public static List<Stage> Of(ModelIR model)
    {
        var nodes = new List<FeatureNode>();
        var members = model.Body.Members.ToDictionary(m => m.Field, m => m);
        (long C, long H)? shape = null;
        for (int i = 0; i < model.Body.Forward.Count; i++)
        {
            var step = model.Body.Forward[i];
            if (step is AuxTapStep)
                continue;
            // Feature stages end where the trunk becomes a vector (or a step has no known output), and where the
            // head begins: an adaptive pool (alone, or in a Sequential such as SqueezeNet's classifier) sets the map's
            // size whatever the input's, so its map is no stage of the trunk (AlexNet's 6x6, VGG's 7x7).
            shape = step.Output is { IsVector: false } output ? (output.Channels, output.Height) : null;
            if (shape is null || step.Kind == "adaptive_avgpool"
                || (step is ModuleStep head && members.TryGetValue(head.Field, out var headMember) && headMember.Children.Any(c => c.Kind == "adaptive_avgpool")))
                break;
            string stage = step switch
            {
                ModuleStep module when members.TryGetValue(module.Field, out var member) => member.StateName,
                _ => step.Comment.Split(':')[0],
            };
            // The stages inside a top-level Sequential whose children change the stride.
            if (step is ModuleStep { Optional: false } seq && members.TryGetValue(seq.Field, out var seqMember) && seqMember.Module is SequentialNode)
            {
                var prefix = seqMember.StateName + ".";
                var children = model.Layers.Where(r => r.Path.StartsWith(prefix, StringComparison.Ordinal) && r.Path.IndexOf('.', prefix.Length) < 0)
                    .Select(r => (Name: r.Path.Substring(prefix.Length), r.Shape))
                    .ToList();
                if (children.Count > 0 && children.All(c => !c.Shape.IsVector))
                {
                    var levels = children.Select(c => Level(model.Height, c.Shape.Height)).Distinct().Count();
                    if (levels > 1)
                    {
                        foreach (var (name, childShape) in children)
                            nodes.Add(new FeatureNode(i, name, prefix + name, Level(model.Height, childShape.Height), childShape.Channels));
                        continue;
                    }
                }
            }

            nodes.Add(new FeatureNode(i, null, stage, Level(model.Height, shape.Value.H), shape.Value.C));
        }

        var stages = new List<Stage>();
        for (int level = 2; level <= 5; level++)
        {
            var last = nodes.LastOrDefault(n => n.Level == level);
            if (last is not null)
                stages.Add(new Stage(last, 1 << level));
        }

        return stages;
    }

    private static int Level(long inputHeight, long height) => (int)Math.Round(Math.Log(inputHeight / (double)Math.Max(1, height), 2));

}
