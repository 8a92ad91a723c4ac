using System.Collections.Generic;
using System.Globalization;

namespace InceptionDsl.Reference;

internal static class Format
{
    public static string Shape(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";

    public static string Sci(double value) => value.ToString("0.0e+00", CultureInfo.InvariantCulture);
}
