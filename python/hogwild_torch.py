"""A hogwild model in PyTorch, with its preprocessing and output function:

    from hogwild_torch import load
    model = load('mnist.safetensors')
    probabilities = model(x)   # x: raw features, as `trainer predict` takes them (pixels 0-255, a table's columns)

`load` reads the safetensors file written by `trainer run --save` (README "File formats") with nothing but torch
(Debian's python3-torch is enough: no `safetensors` package), and returns a `torch.nn.Sequential`:

    Preprocess (the steps in PREPROCESSING: standardisation, then input_scale) -> Linear -> hidden activation -> ...
    -> Linear -> the output function (softmax, or sigmoid normalised to sum 1 as `trainer predict` reports it)

so that its outputs are the probabilities `trainer predict --json` prints. The model's class names, feature names,
input shape and whole metadata are attributes of the returned module (`model.classes`, ...).
"""
import json
import struct

import torch
from torch import nn

__all__ = ['load', 'read_safetensors', 'Preprocess', 'SumToOne', 'PREPROCESSING']

HIDDEN = {'sigmoid': nn.Sigmoid, 'relu': nn.ReLU, 'tanh': nn.Tanh}


def read_safetensors(path):
    """The tensors (float32, as torch tensors) and the string metadata of a safetensors file."""
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f'{path}: not a safetensors file ({len(data)} bytes)')
    (length,) = struct.unpack('<Q', data[:8])
    if 8 + length > len(data):
        raise ValueError(f'{path}: header length {length} does not fit in a {len(data)}-byte file')
    header = json.loads(data[8:8 + length])
    meta = header.pop('__metadata__', {}) or {}
    body = memoryview(data)[8 + length:]
    tensors = {}
    for name, t in header.items():
        if t['dtype'] != 'F32':
            raise ValueError(f'{path}: tensor {name}: dtype {t["dtype"]} is not supported, expected F32')
        begin, end = t['data_offsets']
        # A copy: frombuffer over bytes is read-only, and the parameters may be trained further.
        values = torch.frombuffer(bytearray(body[begin:end]), dtype=torch.float32) if end > begin else torch.zeros(0)
        tensors[name] = values.reshape(t['shape'])
    return tensors, meta


class Preprocess(nn.Module):
    """Raw features to what the first layer takes: the input shape flattened, then each step of PREPROCESSING."""

    def __init__(self, input_shape, steps):
        super().__init__()
        self.input_shape = tuple(input_shape)
        self.steps = nn.ModuleList(steps)

    def forward(self, x):
        x = torch.as_tensor(x).to(torch.float32)
        k = len(self.input_shape)
        if k > 1 and tuple(x.shape[-k:]) == self.input_shape:
            x = x.flatten(start_dim=x.dim() - k)
        for step in self.steps:
            x = step(x)
        return x


class Standardize(nn.Module):
    """(x - input_mean) / input_std, feature by feature (float features; the training set's statistics)."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer('mean', torch.tensor(mean, dtype=torch.float32))
        self.register_buffer('std', torch.tensor(std, dtype=torch.float32))

    def forward(self, x):
        return (x - self.mean) / self.std


class Scale(nn.Module):
    """x * input_scale (1/255 for pixels stored as bytes)."""

    def __init__(self, scale):
        super().__init__()
        self.scale = scale

    def forward(self, x):
        return x * self.scale


class SumToOne(nn.Module):
    """Sigmoid outputs normalised to sum 1, the class probabilities `trainer predict` reports."""

    def forward(self, x):
        return x / x.sum(dim=-1, keepdim=True)


def _standardization(meta):
    if 'input_mean' not in meta and 'input_std' not in meta:
        return None
    return Standardize(json.loads(meta['input_mean']), json.loads(meta['input_std']))


def _input_scale(meta):
    scale = float(meta.get('input_scale', '1'))
    return None if scale == 1 else Scale(scale)


# What the model does to its inputs before the first layer, in the order `trainer predict` does it, each step reading
# its own metadata keys (None: not in this model). A new kind of preprocessing in the metadata (a table's per-column
# encoding, say) is one more function here, in its place in the order.
PREPROCESSING = (_standardization, _input_scale)


def load(path, normalize=True):
    """The model of a hogwild safetensors file as a torch.nn.Sequential giving class probabilities.

    normalize=False leaves sigmoid outputs as they are (each class's own probability) instead of summing to 1.
    """
    tensors, meta = read_safetensors(path)
    if meta.get('format') != 'hogwild' or 'layers' not in meta:
        raise ValueError(f'{path}: __metadata__ says format {meta.get("format")!r}, layers {meta.get("layers")!r}: not a hogwild model')
    sizes = [int(s) for s in meta['layers'].split(',')]
    activation, output = meta.get('activation'), meta.get('output')
    if activation not in HIDDEN:
        raise ValueError(f'{path}: hidden activation {activation!r} is not one of {", ".join(HIDDEN)}')
    if output not in ('softmax', 'sigmoid'):
        raise ValueError(f'{path}: output {output!r} is not softmax or sigmoid')
    input_shape = json.loads(meta.get('input_shape', json.dumps([sizes[0]])))
    steps = [m for m in (step(meta) for step in PREPROCESSING) if m is not None]
    modules = [Preprocess(input_shape, steps)]
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        layer = nn.Linear(n_in, n_out)
        weight, bias = tensors[f'layers.{i}.weight'], tensors[f'layers.{i}.bias']
        if tuple(weight.shape) != (n_out, n_in) or tuple(bias.shape) != (n_out,):
            raise ValueError(f'{path}: layers.{i}: shapes {tuple(weight.shape)}, {tuple(bias.shape)} disagree with layers {meta["layers"]}')
        with torch.no_grad():
            layer.weight.copy_(weight)
            layer.bias.copy_(bias)
        modules.append(layer)
        if i < len(sizes) - 2:
            modules.append(HIDDEN[activation]())
    if output == 'softmax':
        modules.append(nn.Softmax(dim=-1))
    else:
        modules.append(nn.Sigmoid())
        if normalize:
            modules.append(SumToOne())
    model = nn.Sequential(*modules).eval()
    model.metadata = dict(meta)
    model.input_shape = input_shape
    model.classes = json.loads(meta['classes']) if 'classes' in meta else None
    model.features = json.loads(meta['features']) if 'features' in meta else None
    return model
