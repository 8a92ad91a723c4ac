# A stand-in for `inceptiondsl emit --target pytorch specs/resnet.inception.yaml` while that backend is being written:
# torchvision's resnet18 (whose state_dict names our ResNet18 spec has, TorchVisionForwardTests) behind the emitted
# module's contract (MODELS, create, AUX_HEADS, FEATURE_STAGES, forward_heads, forward_features).
# TorchRunTrainingTests.Module says which of the two the tests train.
import torch.nn as nn
import torchvision


class ResNet18(torchvision.models.ResNet):
    AUX_HEADS = ()
    FEATURE_STAGES = (("layer1", 4, 64), ("layer2", 8, 128), ("layer3", 16, 256), ("layer4", 32, 512))

    def __init__(self, num_classes=1000, in_chans=3, aux=True):
        super().__init__(torchvision.models.resnet.BasicBlock, [2, 2, 2, 2], num_classes=num_classes)
        if in_chans != 3:
            self.conv1 = nn.Conv2d(in_chans, 64, kernel_size=7, stride=2, padding=3, bias=False)

    def forward_heads(self, x, compute_aux):
        return self.forward(x), {}

    def forward_features(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        features = []
        for stage in (self.layer1, self.layer2, self.layer3, self.layer4):
            x = stage(x)
            features.append(x)
        return features


MODELS = {"ResNet18": ResNet18}


def create(name, num_classes=1000, in_chans=3, aux=True):
    return MODELS[name](num_classes=num_classes, in_chans=in_chans, aux=aux)
