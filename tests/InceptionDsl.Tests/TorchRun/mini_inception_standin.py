# A stand-in for `inceptiondsl emit --target pytorch specs/mini_inception.inception.yaml` while that backend is being
# written: MiniInception (specs/mini_inception.inception.yaml) written by hand behind the emitted module's contract, with
# the generated TorchSharp model's state_dict names and order (generated-samples/MiniInception.g.cs).
# TorchRunTrainingTests.Module says which of the two the tests train.
import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel, padding=0):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel, padding=padding, bias=False)
        self.bn = nn.BatchNorm2d(out_channels, eps=0.001)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class Inception(nn.Module):
    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = BasicConv2d(in_channels, ch1x1, 1)
        self.branch2 = nn.Sequential(BasicConv2d(in_channels, ch3x3red, 1), BasicConv2d(ch3x3red, ch3x3, 3, padding=1))
        self.branch3 = nn.Sequential(BasicConv2d(in_channels, ch5x5red, 1), BasicConv2d(ch5x5red, ch5x5, 3, padding=1))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), BasicConv2d(in_channels, pool_proj, 1))

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class InceptionAux(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.conv = BasicConv2d(in_channels, 64, 1)
        self.fc1 = nn.Linear(1024, 128)
        self.fc2 = nn.Linear(128, num_classes)

    def forward(self, x):
        x = self.conv(F.adaptive_avg_pool2d(x, (4, 4))).flatten(1)
        x = F.dropout(F.relu(self.fc1(x)), 0.5, self.training)
        return self.fc2(x)


class MiniInception(nn.Module):
    AUX_HEADS = (("aux1", "inception3a", 0.3),)
    FEATURE_STAGES = (("inception4a", 4, 224),)

    def __init__(self, num_classes=10, in_chans=3, aux=True):
        super().__init__()
        self.conv1 = BasicConv2d(in_chans, 32, 3, padding=1)
        self.conv2 = BasicConv2d(32, 64, 3, padding=1)
        self.inception3a = Inception(64, 32, 32, 48, 8, 16, 16)
        self.aux1 = InceptionAux(112, num_classes) if aux else None
        self.inception4a = Inception(112, 64, 48, 96, 16, 32, 32)
        self.fc = nn.Linear(224, num_classes)

    def forward_heads(self, x, compute_aux):
        aux = {}
        x = self.conv2(F.max_pool2d(self.conv1(x), 3, 2, 1))
        x = self.inception3a(x)
        if compute_aux and self.aux1 is not None:
            aux["aux1"] = self.aux1(x)
        x = self.inception4a(F.max_pool2d(x, 3, 2, 1))
        x = F.dropout(F.adaptive_avg_pool2d(x, 1).flatten(1), 0.2, self.training)
        return self.fc(x), aux

    def forward(self, x):
        return self.forward_heads(x, False)[0]

    def forward_features(self, x):
        x = self.conv2(F.max_pool2d(self.conv1(x), 3, 2, 1))
        x = self.inception4a(F.max_pool2d(self.inception3a(x), 3, 2, 1))
        return [x]


MODELS = {"MiniInception": MiniInception}


def create(name, num_classes=1000, in_chans=3, aux=True):
    return MODELS[name](num_classes=num_classes, in_chans=in_chans, aux=aux)
