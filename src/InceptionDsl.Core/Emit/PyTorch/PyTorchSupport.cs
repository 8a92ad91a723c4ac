namespace InceptionDsl.Emit.PyTorch;

/// <summary>
/// The helpers every emitted PyTorch module carries (so it depends on torch alone): the conv unit, the Sequential
/// builder, stochastic depth and make_divisible, each the Python twin of the C# support type of the same job.
/// </summary>
internal static class PyTorchSupport
{
    public const string Text = """
def make_divisible(value, divisor, min_value=None):
    # torchvision's _make_divisible: value rounded to the nearest multiple of divisor (at least min_value, by default
    # divisor), one divisor more where rounding lost over 10% of value.
    min_value = divisor if min_value is None else min_value
    rounded = max(min_value, int(value + divisor / 2.0) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def sequential_of(members):
    # An nn.Sequential of the (name, module) pairs whose module is not None; an unnamed one is named by its
    # position among those kept, as nn.Sequential(*modules) would name it.
    kept = OrderedDict()
    for name, module in members:
        if module is not None:
            kept[str(len(kept)) if name is None else name] = module
    return nn.Sequential(kept)


def drop_path(branch, rate, training):
    # Stochastic depth on a residual branch: in training each sample is dropped with probability rate and the
    # others scaled by 1 / (1 - rate); otherwise the branch itself.
    if not training or rate <= 0.0:
        return branch
    keep = 1.0 - rate
    mask = branch.new_empty((branch.shape[0],) + (1,) * (branch.dim() - 1)).bernoulli_(keep)
    if keep > 0.0:
        mask.div_(keep)
    return branch * mask


_ACTIVATIONS = {
    "relu": nn.ReLU, "relu6": nn.ReLU6, "sigmoid": nn.Sigmoid, "hard_sigmoid": nn.Hardsigmoid,
    "hard_swish": nn.Hardswish, "silu": nn.SiLU, "gelu": nn.GELU, "tanh": nn.Tanh,
}


class BasicConv2d(nn.Module):
    # Convolution, BatchNorm and an activation (torchvision's and timm's BasicConv2d): conv.*, bn.* in the state_dict.

    def __init__(self, in_channels, out_channels, kernel, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1,
                 bias=False, eps=1e-5, momentum=0.1, act="relu"):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel, stride=stride, padding=padding, dilation=dilation,
                              groups=groups, bias=bias)
        self.bn = nn.BatchNorm2d(out_channels, eps=eps, momentum=momentum)
        self.act = None if act == "none" else _ACTIVATIONS[act]()

    def forward(self, x):
        x = self.bn(self.conv(x))
        return x if self.act is None else self.act(x)
""";
}
