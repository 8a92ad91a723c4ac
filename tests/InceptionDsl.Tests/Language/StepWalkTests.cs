using System.Reflection;
using InceptionDsl.Semantics;
using InceptionDsl.Tests.Support;
using Xunit;

namespace InceptionDsl.Tests.Language;

/// <summary>
/// The one walk over forward steps (<see cref="StepWalk"/>) and the one visitor (<see cref="StepVisitor{TArg, TResult}"/>):
/// the orders each gives, and that the visitor has a method for every kind of step.
/// </summary>
public sealed class StepWalkTests
{
    /// <summary>A model whose forward nests a concat and a gate in a residual registered shortcut first.</summary>
    private static ModelIR Nested() => Specs.Model(Specs.Wrap("""
          - { name: stem, conv: { filters: 8, k: 3, pad: 1 } }
          - name: res
            residual:
              shortcut_first: true
              shortcut:
                - { name: proj, conv: { filters: 8, k: 1 } }
              body:
                - name: mix
                  concat:
                    - { name: a, conv: { filters: 4, k: 1 } }
                    - [ { name: b, conv: { filters: 4, k: 3, pad: 1 } }, relu ]
                - name: se
                  gate: [ adaptive_avgpool: 1, { name: fc, conv: { filters: 8, k: 1 } }, sigmoid ]
        """));

    [Fact]
    public void PreOrderPutsEachStepBeforeItsChildrenBodyBeforeShortcut()
    {
        var order = StepWalk.PreOrder(Nested().Body.Forward).Select(s => s.Kind).ToList();
        Assert.Equal(["conv", "residual", "concat", "conv", "conv", "relu", "gate", "adaptive_avgpool", "conv", "sigmoid", "conv"], order);
    }

    [Fact]
    public void PostOrderPutsEachStepAfterItsChildrenInTheOrderTheyWereMade()
    {
        var order = StepWalk.PostOrder(Nested().Body.Forward).Select(s => s.Kind).ToList();
        // shortcut_first: the shortcut's conv was made (and registered) before the body's steps.
        Assert.Equal(["conv", "conv", "conv", "conv", "relu", "concat", "adaptive_avgpool", "conv", "sigmoid", "gate", "residual"], order);
    }

    [Fact]
    public void PositionsGiveEachStepsListAndIndex()
    {
        var forward = Nested().Body.Forward;
        var positions = StepWalk.Positions(forward).ToList();
        Assert.Equal(StepWalk.PreOrder(forward), positions.Select(p => p.List[p.Index]));
        var (list, index) = Assert.Single(positions, p => p.List[p.Index].Kind == "relu");
        Assert.Equal(1, index);
        Assert.Equal("conv", list[0].Kind);
    }

    [Fact]
    public void ChildrenAreTheNestedListsAndLeavesHaveNone()
    {
        var residual = Assert.IsType<ResidualStep>(Nested().Body.Forward[1]);
        Assert.Equal([residual.Body.ToList(), residual.Shortcut.ToList()], StepWalk.Children(residual).Select(l => l.ToList()));
        Assert.Equal([residual.Shortcut.ToList(), residual.Body.ToList()], StepWalk.Children(residual, asMade: true).Select(l => l.ToList()));
        Assert.Empty(StepWalk.Children(Nested().Body.Forward[0]));
    }

    [Fact]
    public void TheVisitorHasOneAbstractMethodForEveryKindOfStep()
    {
        var kinds = typeof(StepIR).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(StepIR)) && !t.IsAbstract).ToHashSet();
        var visits = typeof(StepVisitor<,>).GetMethods(BindingFlags.Instance | BindingFlags.NonPublic)
            .Where(m => m.IsAbstract && m.Name.StartsWith("Visit", StringComparison.Ordinal))
            .Select(m => m.GetParameters()[0].ParameterType).ToHashSet();
        Assert.Equal(7, kinds.Count);
        Assert.True(kinds.SetEquals(visits), "step kinds without a visit: " + string.Join(", ", kinds.Except(visits).Select(t => t.Name)));
    }

    /// <summary>Names each step by the method that visited it.</summary>
    private sealed class Namer : StepVisitor<int, string>
    {
        protected override string VisitModule(ModuleStep step, int depth) => "module " + depth;
        protected override string VisitFunctional(FunctionalStep step, int depth) => "functional " + depth;
        protected override string VisitConcat(ConcatStep step, int depth) => "concat " + depth;
        protected override string VisitResidual(ResidualStep step, int depth) => "residual " + depth;
        protected override string VisitGate(GateStep step, int depth) => "gate " + depth;
        protected override string VisitSelect(SelectStep step, int depth) => "select " + depth;
        protected override string VisitAuxTap(AuxTapStep step, int depth) => "aux " + depth;
    }

    [Fact]
    public void VisitCallsTheMethodOfTheStepsKindWithItsArgument()
    {
        var namer = new Namer();
        var forward = Nested().Body.Forward;
        Assert.Equal(["module 3", "residual 3"], forward.Select(s => namer.Visit(s, 3)));
        var residual = (ResidualStep)forward[1];
        Assert.Equal(["concat 0", "gate 0"], residual.Body.Select(s => namer.Visit(s, 0)));
        Assert.Equal("functional 1", namer.Visit(((GateStep)residual.Body[1]).Branch[0], 1));
    }
}
