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

**Models of different input dimension in one stack** (``in_dims``): model ``j`` reads only the
first ``in_dims[j]`` input coordinates; its first-layer weight rows beyond them are zero and its
first layer is initialised with ``fan_in = in_dims[j]``, exactly as a model of that input
dimension. With inputs zero-padded beyond ``in_dims[j]`` those rows get zero gradient, so Adam
never moves them (its update is 0/(0 + eps)) and the model *is* an ``in_dims[j]``-input MLP.
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
                 dtype: torch.dtype | None = None, in_dims=None) -> None:
        super().__init__()
        for name, v, lo in (("n_models", n_models, 1), ("in_dim", in_dim, 1),
                            ("width", width, 1), ("depth", depth, 1), ("out_dim", out_dim, 1)):
            if int(v) < lo:
                raise ValueError(f"{name} must be >= {lo}, got {v}")
        self.n_models, self.in_dim, self.width = n_models, in_dim, width
        self.depth, self.out_dim = depth, out_dim
        dims = [in_dim] + [width] * (depth - 1) + [out_dim]
        if in_dims is not None:
            in_dims = [int(v) for v in in_dims]
            if len(in_dims) != n_models or min(in_dims) < 1 or max(in_dims) > in_dim:
                raise ValueError(f"in_dims must have {n_models} values in 1..{in_dim}, "
                                 f"got {in_dims}")
        self.in_dims = in_dims
        self.weight = nn.ParameterList()
        self.bias = nn.ParameterList()
        for layer, (fan_in, fan_out) in enumerate(zip(dims[:-1], dims[1:], strict=True)):
            w = torch.empty(n_models, fan_in, fan_out, device=device, dtype=dtype)
            b = torch.empty(n_models, 1, fan_out, device=device, dtype=dtype)
            w.uniform_(-1.0, 1.0, generator=generator)
            b.uniform_(-1.0, 1.0, generator=generator)
            if layer == 0 and in_dims is not None:
                fans = torch.tensor(in_dims, device=device, dtype=w.dtype)
                bound = fans.rsqrt()[:, None, None]
                rows = torch.arange(fan_in, device=device)[None, :, None] < fans[:, None, None]
                w.mul_(bound * rows)
                b.mul_(bound)
            else:
                w.mul_(1.0 / math.sqrt(fan_in))
                b.mul_(1.0 / math.sqrt(fan_in))
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
                fan_in = self.in_dims[j] if (i == 0 and self.in_dims) else w.shape[1]
                lin = nn.Linear(fan_in, w.shape[2], device=w.device, dtype=w.dtype)
                with torch.no_grad():
                    lin.weight.copy_(w[j, :fan_in].T)
                    lin.bias.copy_(b[j, 0])
                layers.append(lin)
                if i < len(self.weight) - 1:
                    layers.append(nn.ReLU())
            out.append(nn.Sequential(*layers))
        return out
