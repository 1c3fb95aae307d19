"""Many modular networks evaluated at once (paper Section 4).

A modular network with ``K`` modules on input ``x`` (in_dim) is

    y_hat(x) = (1/sqrt(K)) * sum_j f_j(P_j(x)),

where ``P_j`` maps the input to a ``b``-dimensional module input (a linear projection
``U_j^T x`` with ``U_j`` of shape (in_dim, b), or a small nonlinear map, Table 2) and ``f_j`` is a
fully connected ReLU MLP (``width``, ``depth``) from ``b`` to ``out_dim``.

:class:`BatchedModularNet` holds ``M`` such networks (``n_models``) and maps ``x`` of shape
(M, batch, in_dim) to (M, batch, out_dim). The ``M*K`` module MLPs live in one
:class:`~modscale.models.batched_mlp.BatchedMLP` (model axis ordered network-major: index ``i*K +
j``
is module ``j`` of network ``i``), and the projections are stacked as parameters of shape
(M, K, ...). Networks share no parameters, so optimising the sum of their losses trains each
independently.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from modscale.infra.profiles import ConfigError
from modscale.models.batched_mlp import BatchedMLP, mlp_param_count

PROJECTIONS = ("linear", "nonlinear")


def _unit_columns(shape: tuple[int, ...], generator: torch.Generator | None, device, dtype
                  ) -> torch.Tensor:
    u = torch.randn(shape, generator=generator, device=device, dtype=dtype)
    return u / u.norm(dim=-2, keepdim=True).clamp_min(1e-12)


class LinearProjection(nn.Module):
    """``M x K`` linear projections ``U`` (M, K, in_dim, b): (M, B, in_dim) -> (M, K, B, b).

    Initialised with i.i.d. Gaussian columns scaled to unit norm, so that for x ~ N(0, I) every
    module input coordinate is N(0, 1).
    """

    def __init__(self, n_models: int, n_modules: int, in_dim: int, bottleneck: int, *,
                 generator: torch.Generator | None = None, device=None,
                 dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        self.weight = nn.Parameter(_unit_columns((n_models, n_modules, in_dim, bottleneck),
                                                 generator, device, dtype))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.einsum("mbi,mkio->mkbo", x, self.weight)

    def directions(self) -> torch.Tensor:
        """The projection directions (M, K, in_dim, b) (the weights themselves)."""
        return self.weight.detach()

    @torch.no_grad()
    def renormalize_(self) -> None:
        """Scale every column to unit norm (in place)."""
        self.weight.div_(self.weight.norm(dim=-2, keepdim=True).clamp_min(1e-12))

    def n_params(self) -> int:
        return self.weight.shape[2] * self.weight.shape[3]


class NonlinearProjection(nn.Module):
    """``M x K`` one-hidden-layer tanh projections P(x) = tanh(x W1 + c) W2 (Table 2 variant).

    ``W1`` (M, K, in_dim, hidden) has unit-norm Gaussian columns, ``c`` (M, K, 1, hidden) ~
    U(-1, 1), ``W2`` (M, K, hidden, b) has unit-norm Gaussian columns.
    (M, B, in_dim) -> (M, K, B, b).
    """

    def __init__(self, n_models: int, n_modules: int, in_dim: int, bottleneck: int,
                 hidden: int = 8, *, generator: torch.Generator | None = None, device=None,
                 dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        if hidden < 1:
            raise ConfigError(f"parameter 'proj_hidden' must be >= 1, got {hidden}")
        self.w1 = nn.Parameter(_unit_columns((n_models, n_modules, in_dim, hidden),
                                             generator, device, dtype))
        c = torch.rand((n_models, n_modules, 1, hidden), generator=generator, device=device,
                       dtype=dtype)
        self.c = nn.Parameter(2 * c - 1)
        self.w2 = nn.Parameter(_unit_columns((n_models, n_modules, hidden, bottleneck),
                                             generator, device, dtype))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.tanh(torch.einsum("mbi,mkih->mkbh", x, self.w1) + self.c)
        return h @ self.w2

    def directions(self) -> torch.Tensor:
        """Jacobian of the map at x = 0, W1 diag(1 - tanh(c)^2) W2: (M, K, in_dim, b)."""
        gain = 1 - torch.tanh(self.c.detach()) ** 2  # (M, K, 1, h)
        return (self.w1.detach() * gain) @ self.w2.detach()

    @torch.no_grad()
    def renormalize_(self) -> None:
        """Scale the columns of W1 and W2 to unit norm (in place)."""
        self.w1.div_(self.w1.norm(dim=-2, keepdim=True).clamp_min(1e-12))
        self.w2.div_(self.w2.norm(dim=-2, keepdim=True).clamp_min(1e-12))

    def n_params(self) -> int:
        _, _, i, h = self.w1.shape
        return i * h + h + h * self.w2.shape[-1]


class BatchedModularNet(nn.Module):
    """``n_models`` modular networks of ``n_modules`` MLP modules each (see module docstring).

    Parameters: ``in_dim`` input dimension m; ``n_modules`` K; ``bottleneck`` b (module input
    dimension); ``width``/``depth`` of each module MLP (``depth`` linear layers); ``out_dim``;
    ``projection`` "linear" or "nonlinear" (``proj_hidden`` units, Table 2 variant).
    """

    def __init__(self, n_models: int, in_dim: int, n_modules: int, bottleneck: int, width: int,
                 depth: int, out_dim: int = 1, *, projection: str = "linear",
                 proj_hidden: int = 8, generator: torch.Generator | None = None, device=None,
                 dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        for name, v in (("n_models", n_models), ("in_dim", in_dim), ("n_modules", n_modules),
                        ("bottleneck", bottleneck), ("width", width), ("depth", depth),
                        ("out_dim", out_dim)):
            if int(v) < 1:
                raise ConfigError(f"parameter {name!r} must be >= 1, got {v}")
        if projection not in PROJECTIONS:
            raise ConfigError(f"parameter 'projection': {projection!r} is not allowed; "
                              f"allowed values: {', '.join(map(repr, PROJECTIONS))}")
        self.n_models, self.in_dim, self.n_modules = n_models, in_dim, n_modules
        self.bottleneck, self.width, self.depth, self.out_dim = bottleneck, width, depth, out_dim
        self.projection_kind = projection
        kw = {"generator": generator, "device": device, "dtype": dtype}
        if projection == "linear":
            self.projection: nn.Module = LinearProjection(n_models, n_modules, in_dim,
                                                          bottleneck, **kw)
        else:
            self.projection = NonlinearProjection(n_models, n_modules, in_dim, bottleneck,
                                                  proj_hidden, **kw)
        self.module_nets = BatchedMLP(n_models * n_modules, bottleneck, width, depth, out_dim,
                                      **kw)

    @property
    def params_per_model(self) -> int:
        """Parameters of one modular network (projections + module MLPs)."""
        per_module = (self.projection.n_params()
                      + mlp_param_count(self.bottleneck, self.width, self.depth, self.out_dim))
        return self.n_modules * per_module

    def module_outputs(self, x: torch.Tensor) -> torch.Tensor:
        """Unscaled module outputs f_j(P_j(x)): (M, B, in_dim) -> (M, K, B, out_dim)."""
        if x.dim() != 3 or x.shape[0] != self.n_models or x.shape[2] != self.in_dim:
            raise ValueError(f"expected x of shape ({self.n_models}, batch, {self.in_dim}), "
                             f"got {tuple(x.shape)}")
        m, k = self.n_models, self.n_modules
        z = self.projection(x)  # (M, K, B, b)
        out = self.module_nets(z.reshape(m * k, x.shape[1], self.bottleneck))
        return out.view(m, k, x.shape[1], self.out_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(M, B, in_dim) -> (M, B, out_dim): (1/sqrt(K)) * sum of the module outputs."""
        return self.module_outputs(x).sum(1) / math.sqrt(self.n_modules)

    def directions(self) -> torch.Tensor:
        """Effective projection directions (M, K, in_dim, b) (the Jacobian at 0 if nonlinear)."""
        return self.projection.directions()

    @torch.no_grad()
    def set_projections(self, u: torch.Tensor) -> None:
        """Copy linear projections ``u`` (M, K, in_dim, b) into the network."""
        if self.projection_kind != "linear":
            raise ConfigError("set_projections needs projection='linear'; copy the "
                              "parameters of a NonlinearProjection with load_state_dict")
        w = self.projection.weight
        if tuple(u.shape) != tuple(w.shape):
            raise ValueError(f"projections must have shape {tuple(w.shape)}, got {tuple(u.shape)}")
        w.copy_(u.to(w))


__all__ = ["PROJECTIONS", "LinearProjection", "NonlinearProjection", "BatchedModularNet"]
