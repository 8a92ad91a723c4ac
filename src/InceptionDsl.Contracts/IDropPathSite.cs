namespace InceptionDsl.Contracts;

/// <summary>
/// A module with a residual addition whose branch stochastic depth (drop-path) may drop in training. Every generated
/// block with a residual addition implements it (through its namespace's <c>IDropPath</c>).
/// </summary>
public interface IDropPathSite
{
    /// <summary>The probability that training drops a sample's residual branch here (0: never); evaluation never drops.</summary>
    double DropPathRate { get; set; }
}
