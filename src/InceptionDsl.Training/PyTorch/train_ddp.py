#!/usr/bin/env python3
# Written by inceptiondsl (train --engine torchrun) next to the emitted PyTorch module; see docs/training.md,
# "Many machines: torchrun". Launch it with torchrun, e.g.
#   torchrun --nproc-per-node 2 train_ddp.py --module mini_inception.py --model MiniInception --data DIR --out DIR
# It trains the module with DistributedDataParallel and the recipe of `inceptiondsl train` (aux-head loss weights,
# label smoothing, sgd/adam/adamw, cosine/step/constant schedule with warm-up, no weight decay on norms and biases,
# layer decay, drop-path, freezing, mixed precision on CUDA) and writes the .NET trainer's checkpoint folder:
# model-epochNNN.safetensors (the spec's state_dict names), checkpoint.json, metrics.csv and metrics.png.
# It needs torch (>= 1.13) and, to read images, PIL (Debian: python3-pil, which python3-torchvision pulls in).
import argparse
import ctypes
import importlib.util
import json
import math
import os
import sys
import time

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

INFO_FILE = "checkpoint.json"
CSV_FILE = "metrics.csv"
PLOT_FILE = "metrics.png"
CSV_HEADER = "epoch,train_loss,train_top1,val_loss,val_top1,val_top5,lr,seconds"
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class UserError(Exception):
    """A problem of the input or the settings: printed as one line, no traceback."""


# ---------------------------------------------------------------------------------------------------------------
# safetensors, with torch alone (Debian has no python3-safetensors): 8-byte little-endian header length, a JSON
# header {name: {dtype, shape, data_offsets}}, then the tensors' raw little-endian bytes in header order.
# ---------------------------------------------------------------------------------------------------------------
SAFETENSORS_DTYPES = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL",
}
SAFETENSORS_TYPES = {code: dtype for dtype, code in SAFETENSORS_DTYPES.items()}


def _raw_bytes(tensor):
    """The tensor's bytes in memory order (CPU, contiguous): little-endian on every machine torch runs on."""
    tensor = tensor.detach().to("cpu").contiguous()
    size = tensor.numel() * tensor.element_size()
    return ctypes.string_at(tensor.data_ptr(), size) if size else b""


def save_safetensors(tensors, path):
    """Writes an ordered dict name -> tensor as a safetensors file, whole or not at all (written beside, then moved)."""
    if sys.byteorder != "little":
        raise UserError("safetensors are little-endian; this machine is not")
    header, blobs, offset = {}, [], 0
    for name, tensor in tensors.items():
        if tensor.dtype not in SAFETENSORS_DTYPES:
            raise UserError(f"{name}: dtype {tensor.dtype} has no safetensors code")
        blob = _raw_bytes(tensor)
        header[name] = {"dtype": SAFETENSORS_DTYPES[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned, as the reference writer pads it
    def write(handle):
        handle.write(len(text).to_bytes(8, "little"))
        handle.write(text)
        for blob in blobs:
            handle.write(blob)
    write_whole(path, write, binary=True)


def load_safetensors(path):
    """Reads a safetensors file into an ordered dict name -> CPU tensor; a malformed file is a one-line UserError."""
    with open(path, "rb") as handle:
        raw = handle.read()
    if len(raw) < 8:
        raise UserError(f"{path}: not a safetensors file (shorter than its 8-byte header length)")
    size = int.from_bytes(raw[:8], "little")
    if size > len(raw) - 8:
        raise UserError(f"{path}: not a safetensors file (header length {size} past the end)")
    try:
        header = json.loads(raw[8:8 + size].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UserError(f"{path}: not a safetensors file (header is not JSON: {error})")
    data = raw[8 + size:]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dtype = SAFETENSORS_TYPES.get(entry.get("dtype"))
        begin, end = entry.get("data_offsets", [0, -1])
        shape = entry.get("shape", [])
        if dtype is None or not 0 <= begin <= end <= len(data):
            raise UserError(f"{path}: entry '{name}' has an unknown dtype or offsets past the data")
        count = math.prod(shape)
        itemsize = torch.empty((), dtype=dtype).element_size()
        if count * itemsize != end - begin:
            raise UserError(f"{path}: entry '{name}' holds {end - begin} bytes, its shape {shape} needs {count * itemsize}")
        flat = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype) if count else torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(shape)
    return tensors


def write_whole(path, write, binary=False):
    """Writes beside the target and moves it into place: a stopped run leaves the old file or the new one, never half."""
    temporary = f"{path}.tmp{os.getpid()}"
    with open(temporary, "wb" if binary else "w", encoding=None if binary else "utf-8", newline=None if binary else "\n") as handle:
        write(handle)
    os.replace(temporary, path)


# ---------------------------------------------------------------------------------------------------------------
# Data: an ImageFolder (one subfolder per class, or train/ and val/ holding those) read into memory once, resized
# to the input size (bilinear) and normalised, as the .NET trainer's ImageFolder does.
# ---------------------------------------------------------------------------------------------------------------
def class_folders(root):
    names = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    if len(names) < 2:
        raise UserError(f"{root}: an ImageFolder needs at least 2 class subfolders, found {len(names)}")
    return names


def image_files(folder):
    return sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.lower().endswith(IMAGE_EXTENSIONS))


def read_images(files, size, channels, mean, std):
    try:
        from PIL import Image
    except ImportError:
        raise UserError("reading images needs PIL: apt-get install python3-pil (or pip install pillow)")
    images = torch.empty(len(files), channels, size, size)
    for i, path in enumerate(files):
        try:
            with Image.open(path) as image:
                image = image.convert("L" if channels == 1 else "RGB").resize((size, size), Image.BILINEAR)
                raw = image.tobytes()
        except OSError as error:
            raise UserError(f"{path}: cannot read the image: {error}")
        pixels = torch.frombuffer(bytearray(raw), dtype=torch.uint8).view(size, size, channels).permute(2, 0, 1)
        images[i] = pixels.float() / 255
    return (images - torch.tensor(mean).view(1, -1, 1, 1)) / torch.tensor(std).view(1, -1, 1, 1)


def load_image_folder(root, size, channels, mean, std, val_fraction, seed):
    """(train images, train labels, validation images, validation labels, class names, description)."""
    if not os.path.isdir(root):
        raise UserError(f"--data {root}: folder not found")
    train_dir = os.path.join(root, "train")
    val_dir = next((os.path.join(root, d) for d in ("val", "validation") if os.path.isdir(os.path.join(root, d))), None)
    if os.path.isdir(train_dir) and val_dir is not None:
        classes = class_folders(train_dir)
        train = [(f, c) for c, name in enumerate(classes) for f in image_files(os.path.join(train_dir, name))]
        val = [(f, c) for c, name in enumerate(classes) if os.path.isdir(os.path.join(val_dir, name)) for f in image_files(os.path.join(val_dir, name))]
        held = "train/ and val/"
    else:
        classes = class_folders(root)
        generator = torch.Generator().manual_seed(seed)
        train, val = [], []
        for c, name in enumerate(classes):
            files = image_files(os.path.join(root, name))
            if not files:
                raise UserError(f"{os.path.join(root, name)}: the class folder holds no images ({', '.join(IMAGE_EXTENSIONS)})")
            files = [files[i] for i in torch.randperm(len(files), generator=generator).tolist()]
            count = 0 if len(files) < 2 else max(1, round(len(files) * val_fraction))
            val += [(f, c) for f in files[:count]]
            train += [(f, c) for f in files[count:]]
        held = f"held out {val_fraction:.0%}, seed {seed}"
    if not train or not val:
        raise UserError(f"{root}: the dataset has no training or no validation images")
    def split(items):
        return read_images([f for f, _ in items], size, channels, mean, std), torch.tensor([c for _, c in items], dtype=torch.int64)
    train_x, train_y = split(train)
    val_x, val_y = split(val)
    description = f"image folder {root}: {len(classes)} classes, {len(train)} train / {len(val)} validation ({held}), {size}x{size}x{channels}"
    return train_x, train_y, val_x, val_y, classes, description


# ---------------------------------------------------------------------------------------------------------------
# The model: the emitted module imported by path, its stages (as the .NET ModelStages), parameter groups, drop-path.
# ---------------------------------------------------------------------------------------------------------------
def import_module(path):
    if not os.path.isfile(path):
        raise UserError(f"--module {path}: file not found")
    spec = importlib.util.spec_from_file_location(os.path.splitext(os.path.basename(path))[0], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not hasattr(module, "create") or not hasattr(module, "MODELS"):
        raise UserError(f"--module {path}: not a module written by `inceptiondsl emit --target pytorch` (no create() and MODELS)")
    return module


def classifier_path(model):
    linears = [name for name, m in model.named_modules() if isinstance(m, nn.Linear)]
    return linears[-1] if linears else None


def is_plain_layer(module):
    """A convolution, a BatchNorm, or a conv unit (one convolution with its norm and activation)."""
    if isinstance(module, (nn.Conv2d, nn.BatchNorm2d)):
        return True
    children = list(module.children())
    convs = [c for c in children if isinstance(c, nn.Conv2d)]
    return bool(children) and len(convs) == 1 and all(
        isinstance(c, (nn.Conv2d, nn.BatchNorm2d)) or not any(True for _ in c.parameters()) for c in children)


def model_stages(model):
    """[(name, [module paths])] from the input to the head: stem, feature stages, head (aux heads and classifier)."""
    stage_names = [s[0] for s in getattr(model, "FEATURE_STAGES", ())]
    aux_names = {a[0] for a in getattr(model, "AUX_HEADS", ())}
    classifier = classifier_path(model)
    classifier_top = classifier.split(".")[0] if classifier else None
    units = []
    for name, child in model.named_children():
        if isinstance(child, nn.Sequential) and any(s.startswith(name + ".") for s in stage_names):
            units += [(f"{name}.{n}", c) for n, c in child.named_children()]
        else:
            units.append((name, child))
    head = [p for p, _ in units if p in aux_names] + [p for p, _ in units if p == classifier_top]
    trunk = [(p, m) for p, m in units if p not in head]
    first_block = next((i for i, (_, m) in enumerate(trunk) if not is_plain_layer(m) and any(True for _ in m.parameters())), len(trunk))
    groups = [("stem", [p for p, _ in trunk[:first_block]])]
    current = []
    for path, _ in trunk[first_block:]:
        current.append(path)
        if not stage_names or path in stage_names:
            groups.append((path, current))
            current = []
    if current:
        if len(groups) > 1:
            groups[-1] = (groups[-1][0], groups[-1][1] + current)
        else:
            groups.append((current[-1], current))
    groups.append(("head", head))
    return groups


def owns(paths, name):
    return any(name == p or name.startswith(p + ".") for p in paths)


def group_of(groups, name):
    return next((i for i, (_, paths) in enumerate(groups) if owns(paths, name)), len(groups) - 1)


def freeze(model, groups, count):
    """Frozen stages: no gradients; their BatchNorms (returned) stay in eval mode while the rest trains."""
    frozen = [p for _, paths in groups[:count] for p in paths]
    for name, parameter in model.named_parameters():
        if owns(frozen, name):
            parameter.requires_grad_(False)
    return [m for name, m in model.named_modules() if isinstance(m, nn.BatchNorm2d) and owns(frozen, name)]


def parameter_groups(model, groups, weight_decay, layer_decay):
    """Per stage: weights (decay) and norms/biases (no decay), the learning rate scaled by layer_decay^(stages above)."""
    result = []
    named = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
    for index, (stage, _) in enumerate(groups):
        scale = layer_decay ** (len(groups) - 1 - index)
        mine = [p for name, p in named if group_of(groups, name) == index]
        decay = [p for p in mine if p.dim() >= 2]
        no_decay = [p for p in mine if p.dim() < 2]
        if decay:
            result.append({"params": decay, "weight_decay": weight_decay, "scale": scale, "name": f"{stage} (decay)"})
        if no_decay:
            result.append({"params": no_decay, "weight_decay": 0.0, "scale": scale, "name": f"{stage} (no decay)"})
    if not result:
        raise UserError("nothing to train: every parameter is frozen")
    return result


def create_optimizer(name, groups, lr, momentum):
    if name == "sgd":
        return torch.optim.SGD(groups, lr=lr, momentum=momentum, nesterov=momentum > 0)
    if name == "adam":
        return torch.optim.Adam(groups, lr=lr)
    return torch.optim.AdamW(groups, lr=lr)


def set_drop_path(model, rate):
    """Rates rising linearly with depth, as timm's linspace(0, rate, n), over every module with drop_path_rate."""
    sites = [m for m in model.modules() if hasattr(m, "drop_path_rate")]
    for i, site in enumerate(sites):
        site.drop_path_rate = rate if len(sites) == 1 else rate * i / (len(sites) - 1)
    return len(sites)


def learning_rate_at(args, step, total_steps, steps_per_epoch):
    lr = args.lr
    if args.warmup > 0 and step < args.warmup:
        return lr * (step + 1) / args.warmup
    if args.schedule == "cosine":
        t = min(1.0, (step - args.warmup) / max(1, total_steps - args.warmup))
        return lr * 0.5 * (1 + math.cos(math.pi * t))
    if args.schedule == "step":
        epoch = step / max(1, steps_per_epoch)
        return lr * 0.01 if epoch >= args.epochs * 0.75 else lr * 0.1 if epoch >= args.epochs * 0.5 else lr
    return lr


class Heads(nn.Module):
    """What DistributedDataParallel wraps: the model's forward_heads, so aux heads train with their gradients reduced."""

    def __init__(self, model, compute_aux):
        super().__init__()
        self.model = model
        self.compute_aux = compute_aux

    def forward(self, x):
        return self.model.forward_heads(x, self.compute_aux)


# ---------------------------------------------------------------------------------------------------------------
# The checkpoint folder, as the .NET trainer writes it (Trainer.SaveCheckpoint, TrainingMetrics).
# ---------------------------------------------------------------------------------------------------------------
def time_span(seconds):
    """System.Text.Json's TimeSpan text ([d.]hh:mm:ss.fffffff), so checkpoint.json reads in .NET."""
    ticks = int(round(seconds * 10_000_000))
    days, rest = divmod(ticks, 864_000_000_000)
    hours, rest = divmod(rest, 36_000_000_000)
    minutes, rest = divmod(rest, 600_000_000)
    whole, fraction = divmod(rest, 10_000_000)
    return (f"{days}." if days else "") + f"{hours:02d}:{minutes:02d}:{whole:02d}.{fraction:07d}"


def span_seconds(text):
    days = 0
    if "." in text.split(":")[0]:
        head, text = text.split(".", 1)
        days = int(head)
    hours, minutes, seconds = text.split(":")
    return days * 86400 + int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def g6(value):
    return f"{value:.6g}"


def write_metrics(out, history, plot=True):
    def csv(handle):
        handle.write(CSV_HEADER + "\n")
        for r in history:
            values = [r["TrainLoss"], r["TrainTop1"], r["ValidationLoss"], r["ValidationTop1"], r["ValidationTop5"], r["LearningRate"], span_seconds(r["Elapsed"])]
            handle.write(",".join([str(r["Epoch"])] + [g6(v) for v in values]) + "\n")
    write_whole(os.path.join(out, CSV_FILE), csv)
    if not plot:
        return None
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "plot skipped: matplotlib is not installed (apt-get install python3-matplotlib draws metrics.png)"
    epochs = [r["Epoch"] for r in history]
    figure, left = plt.subplots(figsize=(8, 5))
    right = left.twinx()
    left.plot(epochs, [r["TrainLoss"] for r in history], label="train loss")
    left.plot(epochs, [r["ValidationLoss"] for r in history], label="validation loss")
    right.plot(epochs, [r["TrainTop1"] * 100 for r in history], "--", label="train top-1 %")
    right.plot(epochs, [r["ValidationTop1"] * 100 for r in history], "--", label="validation top-1 %")
    right.plot(epochs, [r["ValidationTop5"] * 100 for r in history], "--", label="validation top-5 %")
    left.set_xlabel("epoch"); left.set_ylabel("loss"); right.set_ylabel("accuracy (%)")
    lines = left.get_legend_handles_labels(), right.get_legend_handles_labels()
    left.legend(lines[0][0] + lines[1][0], lines[0][1] + lines[1][1])
    write_whole(os.path.join(out, PLOT_FILE), lambda handle: figure.savefig(handle, format="png"), binary=True)
    plt.close(figure)
    return None


def read_info(out):
    path = os.path.join(out, INFO_FILE)
    if not os.path.exists(path):
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            info = json.load(handle)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UserError(f"{path}: not a checkpoint.json written by train: {error}")
    if not isinstance(info, dict) or "EpochsCompleted" not in info:
        raise UserError(f"{path}: not a checkpoint.json written by train (no EpochsCompleted)")
    return info


def save_checkpoint(out, model, optimizer, scaler, info):
    previous = read_info(out)
    tag = f"epoch{info['EpochsCompleted']:03d}"
    info["ModelFile"] = f"model-{tag}.safetensors"
    info["OptimizerFile"] = f"optimizer-{tag}.pt"
    save_safetensors(model.state_dict(), os.path.join(out, info["ModelFile"]))
    state = {"optimizer": optimizer.state_dict(), "scaler": scaler.state_dict() if scaler is not None else None}
    write_whole(os.path.join(out, info["OptimizerFile"]), lambda handle: torch.save(state, handle), binary=True)
    write_whole(os.path.join(out, INFO_FILE), lambda handle: handle.write(json.dumps(info, indent=2)))
    if previous is not None:
        for stale in (previous.get("ModelFile", ""), previous.get("OptimizerFile", "")):
            if stale and stale not in (info["ModelFile"], info["OptimizerFile"]) and os.path.basename(stale) == stale:
                try:
                    os.remove(os.path.join(out, stale))
                except FileNotFoundError:
                    pass


RESUME_OPTIONS = {"Model": "MODEL", "Classes": "--classes", "InChannels": "--channels", "AuxHeads": "aux heads (--no-aux)",
                  "FreezeStages": "--freeze", "LayerDecay": "--layer-decay", "DropPath": "--drop-path", "WeightDecay": "--weight-decay"}


def text_of(value):
    """As .NET prints a setting (invariant culture): 1, not 1.0."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def load_checkpoint(out, model, optimizer, scaler, name, settings):
    info = read_info(out)
    if info is None:
        return None
    stored = dict(info.get("Settings") or {})
    changes = [] if info.get("Model") == name else [("Model", info.get("Model"), name)]
    changes += [(key, stored[key], value) for key, value in settings.items() if key in stored and stored[key] != value]
    if changes:
        listed = ", ".join(f"{RESUME_OPTIONS.get(k, k)} {text_of(s)} (this run: {text_of(g)})" for k, s, g in changes)
        raise UserError(f"--resume: the checkpoint in '{out}' was trained with {listed}; give the checkpoint's values to continue it, or another --out folder to start a new run")
    model_file = info.get("ModelFile", "")
    if not model_file or os.path.basename(model_file) != model_file:
        raise UserError(f"{os.path.join(out, INFO_FILE)}: names no weights file of this folder (ModelFile '{model_file}')")
    tensors = load_safetensors(os.path.join(out, model_file))
    missing = [k for k in model.state_dict() if k not in tensors]
    unexpected = [k for k in tensors if k not in model.state_dict()]
    if missing or unexpected:
        raise UserError(f"{os.path.join(out, model_file)}: cannot load into {name}: missing {missing[:3]}, unexpected {unexpected[:3]}")
    model.load_state_dict({k: v.to(model.state_dict()[k].dtype) for k, v in tensors.items()})
    optimizer_file = os.path.join(out, info.get("OptimizerFile", ""))
    # A .NET checkpoint's optimizer state (optimizer-*.dat) is TorchSharp's format: the weights continue, the moments restart.
    if optimizer_file.endswith(".pt") and os.path.isfile(optimizer_file) and info.get("Optimizer", "").lower() == settings_optimizer(optimizer):
        state = torch.load(optimizer_file, map_location="cpu")
        optimizer.load_state_dict(state["optimizer"])
        if scaler is not None and state.get("scaler"):
            scaler.load_state_dict(state["scaler"])
    return info


def settings_optimizer(optimizer):
    return {torch.optim.SGD: "sgd", torch.optim.Adam: "adam", torch.optim.AdamW: "adamw"}.get(type(optimizer), "")


# ---------------------------------------------------------------------------------------------------------------
# Training.
# ---------------------------------------------------------------------------------------------------------------
def parse_args(argv):
    p = argparse.ArgumentParser(description="Train an emitted InceptionDsl PyTorch module with DistributedDataParallel (launch with torchrun).")
    p.add_argument("--module", required=True, help="the module written by inceptiondsl emit --target pytorch")
    p.add_argument("--model", required=True, help="the class to train (a key of the module's MODELS)")
    p.add_argument("--data", required=True, help="an ImageFolder: one subfolder per class, or train/ and val/ holding those")
    p.add_argument("--out", required=True, help="checkpoint folder")
    p.add_argument("--image-size", type=int, required=True)
    p.add_argument("--channels", type=int, default=3, choices=(1, 3))
    p.add_argument("--mean", default=",".join(map(str, IMAGENET_MEAN)), help="per-channel mean, comma separated (default ImageNet's)")
    p.add_argument("--std", default=",".join(map(str, IMAGENET_STD)), help="per-channel std, comma separated (default ImageNet's)")
    p.add_argument("--val-fraction", type=float, default=0.2)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=64, help="images per rank and micro-batch")
    p.add_argument("--accumulate", type=int, default=1,
                   help="micro-batches per optimizer step (gradients accumulated): a run of N ranks with --accumulate A steps as one of N*A ranks would")
    p.add_argument("--optimizer", default="sgd", choices=("sgd", "adam", "adamw"))
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--schedule", default="cosine", choices=("cosine", "step", "constant"))
    p.add_argument("--warmup", type=int, default=None)
    p.add_argument("--weight-decay", type=float, default=5e-4)
    p.add_argument("--no-aux", action="store_true")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--freeze", type=int, default=0)
    p.add_argument("--layer-decay", type=float, default=1.0)
    p.add_argument("--drop-path", type=float, default=0.0)
    p.add_argument("--label-smoothing", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads per rank")
    p.add_argument("--amp", default="auto", choices=("auto", "on", "off"), help="mixed precision: auto = on CUDA only")
    p.add_argument("--max-steps", type=int, default=None, help="stop after this many optimizer steps in all (tests)")
    args = p.parse_args(argv)
    args.mean = [float(v) for v in args.mean.split(",")]
    args.std = [float(v) for v in args.std.split(",")]
    if len(args.mean) != args.channels or len(args.std) != args.channels:
        raise UserError(f"--mean and --std need {args.channels} values each")
    if args.lr is None:
        args.lr = 0.002 if args.optimizer.startswith("adam") else 0.05
    for name, value, low in (("--epochs", args.epochs, 1), ("--batch-size", args.batch_size, 1), ("--accumulate", args.accumulate, 1), ("--freeze", args.freeze, 0)):
        if value < low:
            raise UserError(f"{name} must be at least {low}, not {value}")
    return args


class Run:
    """The process group and device of this rank (torchrun's RANK, WORLD_SIZE, LOCAL_RANK; a plain run is rank 0 of 1)."""

    def __init__(self):
        self.rank = int(os.environ.get("RANK", "0"))
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        local = int(os.environ.get("LOCAL_RANK", "0"))
        if torch.cuda.is_available():
            self.device = torch.device("cuda", local)
            torch.cuda.set_device(self.device)
            self.backend = "nccl"
        else:
            self.device = torch.device("cpu")
            self.backend = "gloo"
        self.distributed = "RANK" in os.environ and "MASTER_ADDR" in os.environ
        if self.distributed:
            dist.init_process_group(self.backend)

    @property
    def main(self):
        return self.rank == 0

    def sum(self, values):
        """Sums a list of numbers over the ranks (float64)."""
        tensor = torch.tensor(values, dtype=torch.float64, device=self.device if self.backend == "nccl" else "cpu")
        if self.distributed:
            dist.all_reduce(tensor)
        return tensor.tolist()

    def barrier(self):
        if self.distributed:
            dist.barrier()


def say(run, text="", end="\n"):
    if run.main:
        print(text, end=end, flush=True)


def micro_batch_seed(seed, epoch, step, virtual_rank):
    """Dropout and drop-path draw per micro-batch from this seed, so a run resumed, or split over other ranks, draws alike."""
    return (((seed * 1_000_003 + epoch) * 1_000_003 + step) * 1_009 + virtual_rank) % (2 ** 62)


def shard(count, replicas, replica, epoch, seed):
    """DistributedSampler's indices of one replica: the epoch's shuffle, padded to a multiple of the replicas."""
    sampler = torch.utils.data.distributed.DistributedSampler(range(count), num_replicas=replicas, rank=replica, shuffle=True, seed=seed, drop_last=False)
    sampler.set_epoch(epoch)
    return torch.tensor(list(iter(sampler)), dtype=torch.int64)


def train(args, run):
    torch.backends.cudnn.benchmark = run.device.type == "cuda"
    if args.threads:
        torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    module = import_module(args.module)
    if args.model not in module.MODELS:
        raise UserError(f"--model {args.model}: {args.module} defines {', '.join(module.MODELS)}")
    train_x, train_y, val_x, val_y, classes, description = load_image_folder(
        args.data, args.image_size, args.channels, args.mean, args.std, args.val_fraction, 1234 + args.seed)

    torch.manual_seed(args.seed)
    model = module.create(args.model, num_classes=len(classes), in_chans=args.channels, aux=not args.no_aux)
    model_class = module.MODELS[args.model]
    heads = [(n, w) for n, _, w in getattr(model_class, "AUX_HEADS", ()) if any(c == n for c, _ in model.named_children())]
    groups = model_stages(model)
    if args.freeze > len(groups) - 1:
        raise UserError(f"--freeze {args.freeze}: {args.model} has {len(groups) - 1} stages below its head ({', '.join(g for g, _ in groups[:-1])})")
    frozen_norms = freeze(model, groups, args.freeze)
    residual = set_drop_path(model, args.drop_path)
    first_conv = next((m for m in model.modules() if isinstance(m, nn.Conv2d)), None)
    settings = {
        "Classes": model.state_dict()[classifier_path(model) + ".weight"].shape[0] if classifier_path(model) else 0,
        "InChannels": first_conv.in_channels if first_conv is not None else 0,
        "AuxHeads": ",".join(n for n, _ in heads) or "none",
        "FreezeStages": args.freeze, "LayerDecay": args.layer_decay, "DropPath": args.drop_path, "WeightDecay": args.weight_decay,
    }
    model.to(run.device)
    param_groups = parameter_groups(model, groups, args.weight_decay, args.layer_decay)
    optimizer = create_optimizer(args.optimizer, param_groups, args.lr, args.momentum)
    amp = args.amp == "on" or (args.amp == "auto" and run.device.type == "cuda")
    amp_dtype = torch.float16 if run.device.type == "cuda" else torch.bfloat16
    scaler = torch.cuda.amp.GradScaler() if amp and run.device.type == "cuda" else None

    replicas = run.world * args.accumulate
    per_replica = math.ceil(len(train_y) / replicas)
    steps_per_epoch = math.ceil(per_replica / args.batch_size)
    total_steps = steps_per_epoch * args.epochs
    if args.warmup is None:
        args.warmup = min(100, steps_per_epoch * args.epochs // 10)

    start_epoch, step, history, best = 1, 0, [], 0.0
    if args.resume:
        info = load_checkpoint(args.out, model, optimizer, scaler, args.model, settings)
        if info is not None:
            start_epoch, step = info["EpochsCompleted"] + 1, info["Steps"]
            history, best = list(info.get("History", [])), info.get("BestValidationTop1", 0.0)
    # Every rank starts from rank 0's weights: DistributedDataParallel broadcasts them (and the buffers) here.
    wrapped = Heads(model, compute_aux=bool(heads))
    if run.distributed:
        wrapped = nn.parallel.DistributedDataParallel(wrapped, device_ids=[run.device.index] if run.device.type == "cuda" else None)

    parameters = sum(p.numel() for p in model.parameters())
    say(run, f"{args.model}: {parameters:,} parameters, aux heads: {', '.join(f'{n} x {w}' for n, w in heads) or 'none'}")
    say(run, f"data: {description}")
    say(run, f"{args.optimizer} lr {args.lr} ({args.schedule}, warm-up {args.warmup} steps), batch {args.batch_size}, "
             f"{args.epochs} epochs, checkpoint {args.out}{' (resume)' if args.resume else ''}")
    say(run, f"fine-tuning: stages {' | '.join(g for g, _ in groups)}; frozen: {', '.join(g for g, _ in groups[:args.freeze]) or 'none'}; "
             f"layer decay {args.layer_decay}; drop-path {args.drop_path} over {residual} residual block{'' if residual == 1 else 's'}; label smoothing {args.label_smoothing}")
    say(run, f"distributed: {run.world} rank{'' if run.world == 1 else 's'} ({run.backend}, {run.device.type}), {args.batch_size} images per rank"
             f"{f' x {args.accumulate} micro-batches' if args.accumulate > 1 else ''} = {args.batch_size * replicas} per step, mixed precision {'on (' + str(amp_dtype).replace('torch.', '') + ')' if amp else 'off'}")
    if start_epoch > 1:
        say(run, f"resumed from {args.out} after epoch {start_epoch - 1}")
    if start_epoch > args.epochs:
        say(run, "Nothing to do: the checkpoint has already completed every epoch.")
        return

    def criterion(logits, target):
        return F.cross_entropy(logits.float(), target, label_smoothing=args.label_smoothing)

    tty = sys.stdout.isatty()
    # The CLI (train --engine torchrun) asks for machine lines and draws the .NET trainer's progress bars from them.
    machine = os.environ.get("INCEPTIONDSL_PROGRESS") == "1" and run.main
    shown = 0.0
    ran = []
    for epoch in range(start_epoch, args.epochs + 1):
        started = time.time()
        model.train()
        for norm in frozen_norms:
            norm.eval()
        shards = [shard(len(train_y), replicas, run.rank * args.accumulate + a, epoch, args.seed) for a in range(args.accumulate)]
        loss_sum = correct = seen = 0.0
        lr = args.lr
        for batch in range(steps_per_epoch):
            lr = learning_rate_at(args, step, total_steps, steps_per_epoch)
            for group in optimizer.param_groups:
                group["lr"] = lr * group["scale"]
            optimizer.zero_grad(set_to_none=True)
            for a, indices in enumerate(shards):
                index = indices[batch * args.batch_size:(batch + 1) * args.batch_size]
                images, labels = train_x[index].to(run.device, non_blocking=True), train_y[index].to(run.device, non_blocking=True)
                torch.manual_seed(micro_batch_seed(args.seed, epoch, step, run.rank * args.accumulate + a))
                sync = a == args.accumulate - 1 or not run.distributed
                context = wrapped.no_sync() if not sync else _nothing()
                with context:
                    with torch.autocast(run.device.type, dtype=amp_dtype, enabled=amp):
                        logits, aux = wrapped(images)
                        loss = criterion(logits, labels)
                        for name, weight in heads:
                            if name in aux:
                                loss = loss + weight * criterion(aux[name], labels)
                    scaled = loss / args.accumulate
                    (scaler.scale(scaled) if scaler is not None else scaled).backward()
                loss_sum += loss.item() * len(labels)
                correct += (logits.argmax(1) == labels).sum().item()
                seen += len(labels)
            if scaler is not None:
                scaler.step(optimizer)
                scaler.update()
            else:
                optimizer.step()
            step += 1
            if machine and (time.time() - shown >= 0.2 or batch + 1 == steps_per_epoch):
                shown = time.time()
                print(f"@progress {epoch} {args.epochs} {batch + 1} {steps_per_epoch} {loss_sum / seen:.6f} {correct / seen:.6f} "
                      f"{seen * run.world / max(1e-9, shown - started):.1f}", flush=True)
            elif tty and run.main:
                rate = seen * run.world / max(1e-9, time.time() - started)
                done = (batch + 1) / steps_per_epoch
                bar = "#" * int(done * 30) + "-" * (30 - int(done * 30))
                print(f"\repoch {epoch}/{args.epochs} loss {loss_sum / seen:.3f} acc {correct / seen * 100:.1f}% {rate:.0f} img/s [{bar}] {done:4.0%}", end="", flush=True)
            if args.max_steps is not None and step >= args.max_steps:
                break
        if tty and run.main and not machine:
            print("\r\033[K", end="")
        loss_sum, correct, seen = run.sum([loss_sum, correct, seen])
        val_loss, top1, top5 = evaluate(model, val_x, val_y, args.batch_size, run)
        elapsed = time.time() - started
        result = {"Epoch": epoch, "Epochs": args.epochs, "TrainLoss": loss_sum / max(1, seen), "TrainTop1": correct / max(1, seen),
                  "ValidationLoss": val_loss, "ValidationTop1": top1, "ValidationTop5": top5, "LearningRate": lr, "Elapsed": time_span(elapsed)}
        history.append(result)
        ran.append(elapsed)
        best = max(best, top1)
        if run.main:
            info = {"Model": args.model, "EpochsCompleted": epoch, "Epochs": args.epochs, "Optimizer": args.optimizer, "Steps": step,
                    "BestValidationTop1": best, "History": history, "Settings": settings}
            save_checkpoint(args.out, model, optimizer, scaler, info)
            skipped = write_metrics(args.out, history, plot=not machine)  # the CLI draws the plot itself
            if skipped and epoch == start_epoch:
                print(skipped, flush=True)
        if machine:
            print(f"@epoch {epoch} {args.epochs} {result['TrainLoss']:.6f} {result['TrainTop1']:.6f} {val_loss:.6f} {top1:.6f} {top5:.6f} {lr:.6g}", flush=True)
        say(run, f"epoch {epoch}/{args.epochs}: train loss {result['TrainLoss']:.3f} acc {result['TrainTop1'] * 100:.1f}%, validation loss {val_loss:.3f} "
                 f"top-1 {top1 * 100:.2f}% top-5 {top5 * 100:.2f}%, lr {lr:.3g}, {elapsed:.0f} s, {seen / max(1e-9, elapsed):.1f} img/s")
        run.barrier()  # no rank runs ahead of the checkpoint: a failure after this line resumes from this epoch
        if args.max_steps is not None and step >= args.max_steps:
            break
    last = history[-1]
    say(run, f"{args.model}: validation top-1 {last['ValidationTop1'] * 100:.2f}%, top-5 {last['ValidationTop5'] * 100:.2f}% after {last['Epoch']} "
             f"epoch{'' if last['Epoch'] == 1 else 's'} ({len(val_y)} images, {sum(ran):.0f} s of training)")
    say(run, f"metrics: {os.path.join(args.out, CSV_FILE)}, {os.path.join(args.out, PLOT_FILE)}")


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *_):
        return False


@torch.no_grad()
def evaluate(model, images, labels, batch_size, run):
    """Mean loss, top-1 and top-5 of the main classifier in eval mode, each rank taking every world-th image (no padding)."""
    model.eval()
    mine = torch.arange(run.rank, len(labels), run.world)
    loss_sum = top1 = top5 = 0.0
    for start in range(0, len(mine), batch_size):
        index = mine[start:start + batch_size]
        x, y = images[index].to(run.device), labels[index].to(run.device)
        logits = model(x).float()
        loss_sum += F.cross_entropy(logits, y, reduction="sum").item()
        best = logits.topk(min(5, logits.shape[1]), dim=1).indices
        top1 += (best[:, 0] == y).sum().item()
        top5 += (best == y[:, None]).any(dim=1).sum().item()
    loss_sum, top1, top5 = run.sum([loss_sum, top1, top5])
    count = max(1, len(labels))
    return loss_sum / count, top1 / count, top5 / count


def main(argv):
    run = None
    try:
        args = parse_args(argv)
        run = Run()
        train(args, run)
        return 0
    except UserError as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        return 1
    except Exception as error:  # noqa: BLE001 - every failure becomes one line; the traceback follows it in the rank's log
        # A peer that died leaves the others a gloo/NCCL error (RuntimeError): one line naming this rank; the CLI names
        # the rank that died. Anything else (a module that breaks its contract, out of memory) is named by its type.
        rank = run.rank if run is not None else os.environ.get("RANK", "?")
        text = str(error).strip().splitlines()[0] if str(error).strip() else ""
        kind = "" if isinstance(error, (RuntimeError, ConnectionError)) and text else f"{type(error).__name__}: "
        print(f"error: rank {rank}: {kind}{text}", file=sys.stderr, flush=True)
        import traceback
        traceback.print_exc()
        return 1
    finally:
        if run is not None and run.distributed and dist.is_initialized():
            try:
                dist.destroy_process_group()
            except Exception:  # a broken group cannot always be torn down; the process ends anyway
                pass


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
