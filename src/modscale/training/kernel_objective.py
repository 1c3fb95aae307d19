"""The kernel ("minimum-norm") objective of the modular learning rule (paper Eqn 17).

For targets ``Y`` (B, d) and a kernel matrix ``K`` (B, B) of a module on projected inputs, the
objective is

    L(U) = tr(Y^T (K(X, X; U) + ridge * mean(diag K) * I)^{-1} Y),

the squared norm of the minimum-norm module weights that fit ``Y`` with the module's features
(SPEC §4.3, [I]). Small L means the targets are *smooth* functions of the projected input
``U^T x``, i.e. the projection captures a module of the task.

Every function broadcasts over leading "restart" dimensions ``R...`` (many projections, many
networks at once); shapes are documented per function:

- inputs ``x``: (B, m) shared by all restarts, or (R..., B, m);
- projections ``U``: (R..., m, b);
- features ``z = U^T x``: (R..., B, b);
- targets ``y``: (B,), (B, d) or (R..., B, d).

Numerics: the linear system is solved through a Cholesky factorisation (never an explicit
inverse). If a factorisation fails, only the failing matrices are retried with 10x larger
jitter (``torch.linalg.cholesky_ex``, batched), starting at ``jitter`` times the mean diagonal.
"""

from __future__ import annotations

import torch

from modscale.infra.profiles import ConfigError, check_choice

KERNELS = ("rbf", "laplace", "relu_ntk")
"""Kernels on projected inputs: Gaussian RBF (default), Laplace, infinite-width ReLU-MLP NTK."""

BANDWIDTH_RULES = ("median", "fixed")
"""``median``: sigma = median pairwise distance of the projected batch; ``fixed``: sigma given."""

PROJECTION_NORMS = ("columns", "orthonormal", "none")
"""How a projection is normalised before use: unit-norm columns, orthonormal columns (QR), none."""


def normalize_projection(u: torch.Tensor, mode: str = "columns", eps: float = 1e-12
                         ) -> torch.Tensor:
    """Normalise projections ``u`` (R..., m, b) so that the objective cannot be gamed by scale.

    ``columns``: every column scaled to unit Euclidean norm; ``orthonormal``: the Q factor of a
    QR decomposition (sign fixed so that diag(R) > 0); ``none``: unchanged. Differentiable.
    """
    check_choice("normalize", mode, PROJECTION_NORMS)
    if mode == "none":
        return u
    if mode == "columns":
        return u / u.norm(dim=-2, keepdim=True).clamp_min(eps)
    q, r = torch.linalg.qr(u)
    sign = torch.sign(torch.diagonal(r, dim1=-2, dim2=-1))
    sign = torch.where(sign == 0, torch.ones_like(sign), sign)
    return q * sign.unsqueeze(-2)


def project(x: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """Projected inputs ``z = x U``.

    ``x`` (B, m) or (R..., B, m), ``u`` (R..., m, b) -> (R..., B, b).
    """
    if x.shape[-1] != u.shape[-2]:
        raise ValueError(f"input dimension {x.shape[-1]} of x does not match the projection's "
                         f"{u.shape[-2]} (x {tuple(x.shape)}, U {tuple(u.shape)})")
    return torch.matmul(x, u)


def pairwise_sq_dists(z: torch.Tensor, exact_max_dim: int = 16) -> torch.Tensor:
    """Squared Euclidean distances ``(R..., B, b) -> (R..., B, B)``.

    For ``b <= exact_max_dim`` from explicit differences (no cancellation; memory B*B*b per
    restart); otherwise from the Gram matrix, clamped at 0 with an exact zero diagonal.
    """
    if z.shape[-1] <= exact_max_dim:
        diff = z.unsqueeze(-2) - z.unsqueeze(-3)
        return (diff * diff).sum(-1)
    sq = (z * z).sum(-1)
    d2 = sq.unsqueeze(-1) + sq.unsqueeze(-2) - 2 * (z @ z.transpose(-1, -2))
    eye = torch.eye(z.shape[-2], dtype=torch.bool, device=z.device)
    return d2.clamp_min(0).masked_fill(eye, 0.0)


def median_bandwidth(z: torch.Tensor, mask: torch.Tensor | None = None, eps: float = 1e-12
                     ) -> torch.Tensor:
    """Median heuristic: median pairwise distance over pairs a < b of the batch.

    ``z`` (R..., B, b) -> (R...). With ``mask`` (R..., B) bool, only pairs of valid points count.
    """
    n = z.shape[-2]
    if n < 2:
        raise ValueError("the median heuristic needs a batch of at least 2 points")
    d2 = pairwise_sq_dists(z)
    iu = torch.triu_indices(n, n, offset=1, device=z.device)
    vals = d2[..., iu[0], iu[1]]
    if mask is None:
        med = vals.median(dim=-1).values
    else:
        valid = mask[..., iu[0]] & mask[..., iu[1]]
        med = torch.where(valid, vals, torch.nan).nanmedian(dim=-1).values
    return med.clamp_min(eps).sqrt()


def _relu_ntk(z: torch.Tensor, depth: int) -> torch.Tensor:
    """Infinite-width NTK of a ``depth``-layer ReLU MLP (He init) on inputs z.

    A bias is modelled by appending a constant 1 to every input (without it, a 1-d projection
    would give a kernel of rank 2).
    """
    z = torch.cat([z, torch.ones_like(z[..., :1])], dim=-1)
    gram = z @ z.transpose(-1, -2)
    norms = torch.diagonal(gram, dim1=-2, dim2=-1).clamp_min(1e-12).sqrt()
    nn_ = norms.unsqueeze(-1) * norms.unsqueeze(-2)
    sigma = gram  # covariance of the layer pre-activations (He scaling keeps the diagonal fixed)
    ntk = gram
    for _ in range(depth - 1):
        cos = (sigma / nn_).clamp(-1 + 1e-7, 1 - 1e-7)
        theta = torch.arccos(cos)
        k1 = nn_ / torch.pi * (torch.sin(theta) + (torch.pi - theta) * cos)
        k0 = (torch.pi - theta) / torch.pi
        ntk = k1 + ntk * k0
        sigma = k1
    return ntk


def kernel_matrix(z: torch.Tensor, *, kernel: str = "rbf", bandwidth: str = "median",
                  sigma: float = 1.0, bandwidth_grad: bool = False, ntk_depth: int = 3,
                  mask: torch.Tensor | None = None) -> torch.Tensor:
    """Kernel matrix of projected inputs: ``z`` (R..., B, b) -> (R..., B, B).

    ``rbf``: ``exp(-|z_a - z_b|^2 / (2 s^2))``; ``laplace``: ``exp(-|z_a - z_b| / s)``; with s the
    median pairwise distance of the batch (``bandwidth='median'``, treated as a constant for the
    gradient unless ``bandwidth_grad``) or ``sigma`` (``bandwidth='fixed'``). ``relu_ntk``: the
    infinite-width NTK of a ``ntk_depth``-layer ReLU MLP (bandwidth ignored). ``mask``
    (R..., B) restricts the median to valid points (the matrix itself is not masked here).
    """
    check_choice("kernel", kernel, KERNELS)
    check_choice("bandwidth", bandwidth, BANDWIDTH_RULES)
    if kernel == "relu_ntk":
        if ntk_depth < 1:
            raise ConfigError(f"parameter 'ntk_depth' must be >= 1, got {ntk_depth}")
        return _relu_ntk(z, ntk_depth)
    if bandwidth == "median":
        s = median_bandwidth(z if bandwidth_grad else z.detach(), mask)
    else:
        if not sigma > 0:
            raise ConfigError(f"parameter 'sigma' must be > 0, got {sigma}")
        s = torch.full(z.shape[:-2], float(sigma), dtype=z.dtype, device=z.device)
    s = s.unsqueeze(-1).unsqueeze(-1)
    d2 = pairwise_sq_dists(z)
    if kernel == "rbf":
        return torch.exp(-d2 / (2 * s * s))
    # Laplace: sqrt is not differentiable at 0, so the (constant) diagonal is excluded.
    d = torch.sqrt(d2.clamp_min(1e-30))
    return torch.exp(-d / s)


def stable_cholesky(k: torch.Tensor, *, jitter: float = 1e-8, max_tries: int = 8
                    ) -> tuple[torch.Tensor, torch.Tensor]:
    """Batched Cholesky of symmetric PSD ``k`` (R..., B, B) with adaptive jitter.

    Matrices that factorise are untouched. A failing matrix gets ``jitter * mean(diag)`` added to
    its diagonal, multiplied by 10 at every further failure (up to ``max_tries`` retries).
    Returns ``(L, added)`` with ``added`` (R...) the jitter added to each matrix.
    Raises ``torch.linalg.LinAlgError`` if some matrix still fails.
    """
    eye = torch.eye(k.shape[-1], dtype=k.dtype, device=k.device)
    scale = torch.diagonal(k, dim1=-2, dim2=-1).mean(-1).detach().abs().clamp_min(1e-30)
    added = torch.zeros(k.shape[:-2], dtype=k.dtype, device=k.device)
    chol, info = torch.linalg.cholesky_ex(k)
    tries = 0
    while bool((info != 0).any()):
        if tries >= max_tries:
            raise torch.linalg.LinAlgError(
                f"Cholesky failed for {int((info != 0).sum())} kernel matrices even with "
                f"jitter {float(added.max()):.3g}; increase 'ridge' or check the inputs for NaN")
        fail = info != 0
        step = jitter * scale * (10.0 ** tries)
        added = torch.where(fail, added + step, added)
        chol, info = torch.linalg.cholesky_ex(k + added.unsqueeze(-1).unsqueeze(-1) * eye)
        tries += 1
    return chol, added


def _as_targets(y: torch.Tensor, batch_shape: torch.Size, n: int) -> torch.Tensor:
    if y.dim() == 1:
        y = y.unsqueeze(-1)
    if y.shape[-2] != n:
        raise ValueError(f"targets have {y.shape[-2]} points but the inputs have {n}")
    return y


def objective_from_kernel(k: torch.Tensor, y: torch.Tensor, *, ridge: float = 1e-2,
                          jitter: float = 1e-8, mask: torch.Tensor | None = None
                          ) -> torch.Tensor:
    """tr(Y^T (K + ridge*mean(diag K)*I)^{-1} Y).

    ``k`` (R..., B, B), ``y`` (B,), (B, d) or (R..., B, d) -> (R...).

    ``mask`` (R..., B) bool: invalid points are decoupled (their rows/columns of K replaced by
    the identity, their targets by 0), which gives exactly the objective of the valid subset.
    """
    if ridge < 0:
        raise ConfigError(f"parameter 'ridge' must be >= 0, got {ridge}")
    n = k.shape[-1]
    y = _as_targets(y, k.shape[:-2], n).to(k.dtype)
    if mask is not None:
        w = mask.to(k.dtype)
        k = k * (w.unsqueeze(-1) * w.unsqueeze(-2)) + torch.diag_embed(1 - w)
        y = y * w.unsqueeze(-1)
    if ridge > 0:
        diag = torch.diagonal(k, dim1=-2, dim2=-1)
        if mask is None:
            scale = diag.mean(-1)
        else:
            scale = (diag * w).sum(-1) / w.sum(-1).clamp_min(1)
        eye = torch.eye(n, dtype=k.dtype, device=k.device)
        k = k + (ridge * scale).unsqueeze(-1).unsqueeze(-1) * eye
    y_b = y.expand(*k.shape[:-2], n, y.shape[-1])
    return _QuadInv.apply(k, y_b, jitter)


class _QuadInv(torch.autograd.Function):
    """tr(Y^T A^{-1} Y) for symmetric positive definite A (R..., B, B), Y (R..., B, d).

    Forward: one (jittered) Cholesky and two triangular solves, alpha = A^{-1} Y.
    Backward (closed form, A symmetric): dA = -alpha alpha^T, dY = 2 alpha; this avoids
    differentiating through the factorisation (checked against autograd and finite
    differences in the tests).
    """

    @staticmethod
    def forward(ctx, a: torch.Tensor, y: torch.Tensor, jitter: float) -> torch.Tensor:
        chol, _ = stable_cholesky(a, jitter=jitter)
        alpha = torch.cholesky_solve(y, chol)
        ctx.save_for_backward(alpha)
        return (y * alpha).sum(dim=(-2, -1))

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        (alpha,) = ctx.saved_tensors
        g = grad.unsqueeze(-1).unsqueeze(-1)
        grad_a = -g * (alpha @ alpha.transpose(-1, -2)) if ctx.needs_input_grad[0] else None
        grad_y = 2 * g * alpha if ctx.needs_input_grad[1] else None
        return grad_a, grad_y, None


def features_objective(z: torch.Tensor, y: torch.Tensor, *, kernel: str = "rbf",
                       bandwidth: str = "median", sigma: float = 1.0,
                       bandwidth_grad: bool = False, ridge: float = 1e-2, jitter: float = 1e-8,
                       ntk_depth: int = 3, mask: torch.Tensor | None = None) -> torch.Tensor:
    """Kernel objective of projected features ``z`` (R..., B, b) from any projection map -> (R...).

    ``mask`` (R..., B) bool marks valid batch points (see :func:`objective_from_kernel`).
    """
    k = kernel_matrix(z, kernel=kernel, bandwidth=bandwidth, sigma=sigma,
                      bandwidth_grad=bandwidth_grad, ntk_depth=ntk_depth, mask=mask)
    return objective_from_kernel(k, y, ridge=ridge, jitter=jitter, mask=mask)


def kernel_objective(x: torch.Tensor, y: torch.Tensor, u: torch.Tensor, *,
                     normalize: str = "columns", kernel: str = "rbf", bandwidth: str = "median",
                     sigma: float = 1.0, bandwidth_grad: bool = False, ridge: float = 1e-2,
                     jitter: float = 1e-8, ntk_depth: int = 3,
                     mask: torch.Tensor | None = None) -> torch.Tensor:
    """Eqn 17 for linear projections: tr(Y^T K(X, X; U)^{-1} Y).

    Shapes: ``x`` (B, m) or (R..., B, m); ``y`` (B,), (B, d) or (R..., B, d); ``u`` (R..., m, b).
    Returns (R...). ``u`` is first normalised (``normalize``, default unit-norm columns), so the
    value depends on the projection's directions only; gradients w.r.t. ``u`` are therefore
    orthogonal to each column. ``ridge`` is relative to the mean kernel diagonal.
    """
    u = normalize_projection(u, normalize)
    z = project(x, u)
    return features_objective(z, y, kernel=kernel, bandwidth=bandwidth, sigma=sigma,
                              bandwidth_grad=bandwidth_grad, ridge=ridge, jitter=jitter,
                              ntk_depth=ntk_depth, mask=mask)


__all__ = ["KERNELS", "BANDWIDTH_RULES", "PROJECTION_NORMS", "normalize_projection", "project",
           "pairwise_sq_dists", "median_bandwidth", "kernel_matrix", "stable_cholesky",
           "objective_from_kernel", "features_objective", "kernel_objective"]
