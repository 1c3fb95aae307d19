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


PROJ_INITS = ("gaussian", "orthonormal")
"""How linear projections are drawn: i.i.d. Gaussian columns, or orthonormal columns (per
network, in blocks of as many whole modules as fit in the input dimension)."""


def _unit_columns(shape: tuple[int, ...], generator: torch.Generator | None, device, dtype
                  ) -> torch.Tensor:
    u = torch.randn(shape, generator=generator, device=device, dtype=dtype)
    return u / u.norm(dim=-2, keepdim=True).clamp_min(1e-12)


def orthonormal_columns(shape: tuple[int, ...], generator: torch.Generator | None = None,
                        device=None, dtype: torch.dtype | None = None) -> torch.Tensor:
    """Projections (M, K, m, b) whose columns are orthonormal within every block of
    ``floor(m / b)`` consecutive modules of a network (all K*b columns if K*b <= m): the Q
    factor of a Gaussian matrix, its signs fixed by the diagonal of R (Haar-distributed)."""
    n_models, n_modules, m, b = shape
    g = torch.randn(shape, generator=generator, device=device, dtype=torch.float64)
    per_block = max(1, m // b)
    out = torch.empty_like(g)
    for start in range(0, n_modules, per_block):
        blk = g[:, start:start + per_block]  # (M, k', m, b)
        kk = blk.shape[1]
        a = blk.permute(0, 2, 1, 3).reshape(n_models, m, kk * b)
        q, r = torch.linalg.qr(a)
        sign = torch.where(torch.diagonal(r, dim1=-2, dim2=-1) < 0, -1.0, 1.0)
        q = q * sign.to(q)[:, None, :]
        out[:, start:start + kk] = q.reshape(n_models, m, kk, b).permute(0, 2, 1, 3)
    return out.to(dtype or torch.get_default_dtype())


class LinearProjection(nn.Module):
    """``M x K`` linear projections ``U`` (M, K, in_dim, b): (M, B, in_dim) -> (M, K, B, b).

    Initialised (``init``, :data:`PROJ_INITS`) with i.i.d. Gaussian columns or orthonormal
    columns, scaled to norm ``scale`` (default 1: for x ~ N(0, I) every module input coordinate
    is N(0, 1)). ``normalize``: the forward pass uses ``scale * U / ||U||`` column-wise (weight
    normalisation: only the directions are learned); otherwise the columns are free parameters
    after initialisation. The defaults are the book's original projections, drawn bit for bit.
    """

    def __init__(self, n_models: int, n_modules: int, in_dim: int, b: int, *,
                 init: str = "gaussian", scale: float = 1.0, normalize: bool = False,
                 generator: torch.Generator | None = None, device=None,
                 dtype: torch.dtype | None = None) -> None:
        super().__init__()
        if init not in PROJ_INITS:
            raise ConfigError(f"parameter 'proj_init': {init!r} is not allowed; allowed "
                              f"values: {', '.join(map(repr, PROJ_INITS))}")
        if not scale > 0:
            raise ConfigError(f"parameter 'proj_scale' must be > 0, got {scale!r}")
        shape = (n_models, n_modules, in_dim, b)
        w = (_unit_columns(shape, generator, device, dtype) if init == "gaussian"
             else orthonormal_columns(shape, generator, device, dtype))
        self.scale, self.normalize = float(scale), bool(normalize)
        self.weight = nn.Parameter(w if self.scale == 1.0 else w * self.scale)

    def effective_weight(self) -> torch.Tensor:
        """The projections the forward pass applies (M, K, in_dim, b)."""
        if not self.normalize:
            return self.weight
        w = self.weight / self.weight.norm(dim=-2, keepdim=True).clamp_min(1e-12)
        return w if self.scale == 1.0 else w * self.scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.einsum("mbi,mkio->mkbo", x, self.effective_weight())

    def directions(self) -> torch.Tensor:
        """The projection directions (M, K, in_dim, b) (the applied weights)."""
        return self.effective_weight().detach()

    @torch.no_grad()
    def renormalize_(self) -> None:
        """Scale every column to norm ``scale`` (unit by default; in place)."""
        self.weight.div_(self.weight.norm(dim=-2, keepdim=True).clamp_min(1e-12))
        if self.scale != 1.0:
            self.weight.mul_(self.scale)

    def n_params(self) -> int:
        return self.weight.shape[2] * self.weight.shape[3]


class NonlinearProjection(nn.Module):
    """``M x K`` one-hidden-layer tanh projections P(x) = tanh(x W1 + c) W2 (Table 2 variant).

    ``W1`` (M, K, in_dim, hidden) has unit-norm Gaussian columns, ``c`` (M, K, 1, hidden) ~
    U(-1, 1), ``W2`` (M, K, hidden, b) has unit-norm Gaussian columns.
    (M, B, in_dim) -> (M, K, B, b).
    """

    def __init__(self, n_models: int, n_modules: int, in_dim: int, b: int,
                 hidden: int = 8, *, generator: torch.Generator | None = None, device=None,
                 dtype: torch.dtype | None = None) -> None:
        super().__init__()
        if hidden < 1:
            raise ConfigError(f"parameter 'proj_hidden' must be >= 1, got {hidden}")
        self.w1 = nn.Parameter(_unit_columns((n_models, n_modules, in_dim, hidden),
                                             generator, device, dtype))
        c = torch.rand((n_models, n_modules, 1, hidden), generator=generator, device=device,
                       dtype=dtype)
        self.c = nn.Parameter(2 * c - 1)
        self.w2 = nn.Parameter(_unit_columns((n_models, n_modules, hidden, b),
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

    Parameters: ``in_dim`` input dimension m; ``n_modules`` K; ``b`` (module input
    dimension); ``width``/``depth`` of each module MLP (``depth`` linear layers); ``out_dim``;
    ``projection`` "linear" or "nonlinear" (``proj_hidden`` units, Table 2 variant);
    ``proj_init``, ``proj_scale``, ``proj_normalize``: the linear projections' initialisation
    and parametrisation (:class:`LinearProjection`).
    """

    def __init__(self, n_models: int, in_dim: int, n_modules: int, b: int, width: int,
                 depth: int, out_dim: int = 1, *, projection: str = "linear",
                 proj_hidden: int = 8, proj_init: str = "gaussian", proj_scale: float = 1.0,
                 proj_normalize: bool = False, generator: torch.Generator | None = None,
                 device=None, dtype: torch.dtype | None = None) -> None:
        super().__init__()
        for name, v in (("n_models", n_models), ("in_dim", in_dim), ("n_modules", n_modules),
                        ("b", b), ("width", width), ("depth", depth),
                        ("out_dim", out_dim)):
            if int(v) < 1:
                raise ConfigError(f"parameter {name!r} must be >= 1, got {v}")
        if projection not in PROJECTIONS:
            raise ConfigError(f"parameter 'projection': {projection!r} is not allowed; "
                              f"allowed values: {', '.join(map(repr, PROJECTIONS))}")
        self.n_models, self.in_dim, self.n_modules = n_models, in_dim, n_modules
        self.b, self.width, self.depth, self.out_dim = b, width, depth, out_dim
        self.projection_kind = projection
        kw = {"generator": generator, "device": device, "dtype": dtype}
        if projection == "linear":
            self.projection: nn.Module = LinearProjection(
                n_models, n_modules, in_dim, b, init=proj_init, scale=proj_scale,
                normalize=proj_normalize, **kw)
        else:
            if (proj_init, proj_scale, proj_normalize) != ("gaussian", 1.0, False):
                raise ConfigError("parameters 'proj_init', 'proj_scale', 'proj_normalize' "
                                  "apply to projection='linear' only")
            self.projection = NonlinearProjection(n_models, n_modules, in_dim, b,
                                                  proj_hidden, **kw)
        self.module_nets = BatchedMLP(n_models * n_modules, b, width, depth, out_dim,
                                      **kw)

    @property
    def params_per_model(self) -> int:
        """Parameters of one modular network (projections + module MLPs)."""
        per_module = (self.projection.n_params()
                      + mlp_param_count(self.b, self.width, self.depth, self.out_dim))
        return self.n_modules * per_module

    def module_outputs(self, x: torch.Tensor) -> torch.Tensor:
        """Unscaled module outputs f_j(P_j(x)): (M, B, in_dim) -> (M, K, B, out_dim)."""
        if x.dim() != 3 or x.shape[0] != self.n_models or x.shape[2] != self.in_dim:
            raise ValueError(f"expected x of shape ({self.n_models}, batch, {self.in_dim}), "
                             f"got {tuple(x.shape)}")
        m, k = self.n_models, self.n_modules
        z = self.projection(x)  # (M, K, B, b)
        out = self.module_nets(z.reshape(m * k, x.shape[1], self.b))
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


__all__ = ["PROJECTIONS", "PROJ_INITS", "orthonormal_columns", "LinearProjection",
           "NonlinearProjection", "BatchedModularNet"]
