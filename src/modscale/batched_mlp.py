"""Many independent fully connected ReLU MLPs evaluated with one batched matmul per layer.

``BatchedMLP(n_models, in_dim, width, depth, out_dim)`` holds ``depth`` linear layers whose
weights are stacked along a leading model axis: layer ``l`` has ``weight[l]`` of shape
``(n_models, fan_in, fan_out)`` and ``bias[l]`` of shape ``(n_models, 1, fan_out)``. The forward
pass maps ``x`` of shape ``(n_models, batch, in_dim)`` to ``(n_models, batch, out_dim)`` with
ReLU between layers and none after the last (the paper's MLPs: no batch norm).

Because the models share no parameters and Adam is element-wise, optimising the *sum* of the
models' losses with one ``torch.optim.Adam`` over the stacked tensors is exactly the same as
training each model alone (tested in ``tests/test_trainer.py``).

Initialisation matches ``torch.nn.Linear``: weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
"""

from __future__ import annotations

import math

import torch
from torch import nn


def mlp_param_count(in_dim: int, width: int, depth: int, out_dim: int = 1) -> int:
    """Parameters of an MLP with ``depth`` linear layers (``depth - 1`` hidden layers)."""
    if depth < 1:
        raise ValueError(f"depth must be >= 1, got {depth}")
    dims = [in_dim] + [width] * (depth - 1) + [out_dim]
    return sum(a * b + b for a, b in zip(dims[:-1], dims[1:], strict=True))


class BatchedMLP(nn.Module):
    """``n_models`` independent MLPs of identical shape (see module docstring for shapes)."""

    def __init__(self, n_models: int, in_dim: int, width: int, depth: int, out_dim: int = 1,
                 *, generator: torch.Generator | None = None, device=None,
                 dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        for name, v, lo in (("n_models", n_models, 1), ("in_dim", in_dim, 1),
                            ("width", width, 1), ("depth", depth, 1), ("out_dim", out_dim, 1)):
            if int(v) < lo:
                raise ValueError(f"{name} must be >= {lo}, got {v}")
        self.n_models, self.in_dim, self.width = n_models, in_dim, width
        self.depth, self.out_dim = depth, out_dim
        dims = [in_dim] + [width] * (depth - 1) + [out_dim]
        self.weight = nn.ParameterList()
        self.bias = nn.ParameterList()
        for fan_in, fan_out in zip(dims[:-1], dims[1:], strict=True):
            bound = 1.0 / math.sqrt(fan_in)
            w = torch.empty(n_models, fan_in, fan_out, device=device, dtype=dtype)
            b = torch.empty(n_models, 1, fan_out, device=device, dtype=dtype)
            w.uniform_(-bound, bound, generator=generator)
            b.uniform_(-bound, bound, generator=generator)
            self.weight.append(nn.Parameter(w))
            self.bias.append(nn.Parameter(b))

    @property
    def params_per_model(self) -> int:
        return mlp_param_count(self.in_dim, self.width, self.depth, self.out_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x``: (n_models, batch, in_dim) -> (n_models, batch, out_dim)."""
        if x.dim() != 3 or x.shape[0] != self.n_models or x.shape[2] != self.in_dim:
            raise ValueError(f"expected x of shape ({self.n_models}, batch, {self.in_dim}), "
                             f"got {tuple(x.shape)}")
        h = x
        last = len(self.weight) - 1
        for i, (w, b) in enumerate(zip(self.weight, self.bias, strict=True)):
            h = torch.baddbmm(b, h, w)
            if i < last:
                h = torch.relu(h)
        return h

    def to_modules(self) -> list[nn.Sequential]:
        """The models as plain ``nn.Sequential`` MLPs (copies), for the one-at-a-time reference."""
        out = []
        for j in range(self.n_models):
            layers: list[nn.Module] = []
            for i, (w, b) in enumerate(zip(self.weight, self.bias, strict=True)):
                lin = nn.Linear(w.shape[1], w.shape[2], device=w.device, dtype=w.dtype)
                with torch.no_grad():
                    lin.weight.copy_(w[j].T)
                    lin.bias.copy_(b[j, 0])
                layers.append(lin)
                if i < len(self.weight) - 1:
                    layers.append(nn.ReLU())
            out.append(nn.Sequential(*layers))
        return out
