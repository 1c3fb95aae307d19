"""Expected train/test loss of the linear (NTK-style) model of paper Section 3 (reconstructed).

Model (SPEC §2.2, a reconstruction). A task with ``d`` outputs is linear in ``P`` random
features: ``y(x) = phi(x)^T w`` with ``phi(x)`` of shape ``(P, d)`` whose ``d`` columns are
i.i.d. ``N(0, Lambda)``, ``Lambda = diag(lam)``, and ``w ~ N(0, I_P)``. A network with ``p``
parameters sees the top ``p`` features (``Lambda_1 = diag(lam[:p])``; the rest,
``Lambda_2``, act as noise) and is fitted by minimum-norm least squares on ``n`` samples, i.e.
on ``N = d n`` scalar equations. Losses are summed over the ``d`` outputs and averaged over
samples; the test loss is the population loss.

Formulas (derived on the "theory" page):

- train: ``d Tr(Lambda_2) max(0, 1 - p/N)`` (exact);
- test, underparameterised (``N >= p + 2``): ``d Tr(Lambda_2) (1 + p/(N-p-1))`` (exact);
- test, overparameterised (``p >= N + 2``): ``d [Tr(Lambda_2) (1 + V) + B]`` with variance
  factor ``V`` and bias ``B``: exact for isotropic ``Lambda_1`` (``V = N/(p-N-1)``,
  ``B = Tr(Lambda_1)(1 - N/p)``), otherwise the ridgeless deterministic equivalent of
  Hastie et al. (2022);
- ``|p - N| <= 1``: the expected test loss is infinite.

Features beyond the ``P`` listed eigenvalues can be included through ``tail`` (their total
variance), which is added to ``Tr(Lambda_2)``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from scipy.special import zeta

from modscale.infra.profiles import ConfigError, check_choice

SPECTRUM_KINDS = ("telescoping", "power_law")
"""``telescoping``: ``lam_i = c[i^-a - (i+1)^-a]``, ``a = omega^-m`` (SPEC §2.2, from study
notes); ``power_law``: ``lam_i = c i^-(1 + 2 s/m) / zeta(1 + 2 s/m)`` (kernel of a function of
smoothness ``s`` on an ``m``-dimensional manifold)."""

METHODS = ("auto", "exact", "deterministic")
"""``exact``: closed forms (raises where none exists: overparameterised with anisotropic
``Lambda_1``); ``deterministic``: exact where the closed form holds for every spectrum
(underparameterised) and the Hastie et al. (2022) fixed point when overparameterised; ``auto``:
exact when available, else deterministic."""

BRANCHES = ("underparameterised", "any")
"""Where :func:`required_n` looks: only beyond the interpolation peak (``N >= p + 2``), or the
smallest ``n`` anywhere (possibly in the overparameterised regime before the peak)."""


# ----------------------------------------------------------------------------- spectra
def _check_positive(name: str, value: float, *, strict: bool = True) -> None:
    ok = np.all(np.asarray(value) > 0) if strict else np.all(np.asarray(value) >= 0)
    if not ok or not np.all(np.isfinite(np.asarray(value, dtype=float))):
        raise ConfigError(f"parameter {name!r} must be {'> 0' if strict else '>= 0'} and "
                          f"finite, got {value!r}")


def _spectrum_exponent(m: float, kind: str, omega: float, s: float) -> float:
    if kind == "telescoping":
        return float(omega) ** (-float(m))
    return 1.0 + 2.0 * float(s) / float(m)


def spectrum(P: int, m: float, *, kind: str = "telescoping", c: float = 1.0,
             omega: float = 1.5, s: float = 1.0) -> np.ndarray:
    """The ``P`` largest feature variances ``lam_1 >= ... >= lam_P`` of a task of dimension ``m``.

    ``kind='telescoping'``: ``lam_i = c [i^-a - (i+1)^-a]`` with ``a = omega^-m``
    (``sum_{i>p} lam_i = c (p+1)^-a``). ``kind='power_law'``: ``lam_i = c i^-b / zeta(b)`` with
    ``b = 1 + 2 s / m``. Both have total variance ``c`` over infinitely many features; the
    variance beyond ``P`` is :func:`spectrum_tail`. Returns float64 of shape ``(P,)``.
    """
    check_choice("kind", kind, SPECTRUM_KINDS)
    if int(P) != P or P < 1:
        raise ConfigError(f"parameter 'P' must be an integer >= 1, got {P!r}")
    _check_positive("m", m)
    _check_positive("c", c)
    if kind == "telescoping" and not omega > 1:
        raise ConfigError(f"parameter 'omega' must be > 1 for the telescoping spectrum, "
                          f"got {omega!r}")
    if kind == "power_law":
        _check_positive("s", s)
    a = _spectrum_exponent(m, kind, omega, s)
    i = np.arange(1, int(P) + 1, dtype=np.float64)
    if kind == "telescoping":
        # i^-a - (i+1)^-a = i^-a * (1 - (1 + 1/i)^-a), computed without cancellation.
        return c * i ** (-a) * -np.expm1(-a * np.log1p(1.0 / i))
    return c * i ** (-a) / zeta(a)


def spectrum_tail(P: int, m: float, *, kind: str = "telescoping", c: float = 1.0,
                  omega: float = 1.5, s: float = 1.0) -> float:
    """Total variance ``sum_{i>P} lam_i`` of the features beyond the first ``P`` (closed form)."""
    spectrum(1, m, kind=kind, c=c, omega=omega, s=s)  # validates the arguments
    a = _spectrum_exponent(m, kind, omega, s)
    if kind == "telescoping":
        return float(c * (P + 1.0) ** (-a))
    return float(c * zeta(a, P + 1.0) / zeta(a))


# ----------------------------------------------------------------------------- formulas
def inverse_wishart_trace(N: Any, p: Any) -> np.ndarray:
    """``F(N, p) = E ||R^+||_F^2`` for ``R`` of shape ``(N, p)`` with i.i.d. N(0,1) entries.

    ``p/(N-p-1)`` if ``N >= p+2``; ``N/(p-N-1)`` if ``p >= N+2``; ``inf`` otherwise (real ``N``
    allowed: the formulas are continued to ``|p - N| > 1``).
    """
    N, p = np.broadcast_arrays(np.asarray(N, dtype=np.float64), np.asarray(p, dtype=np.float64))
    out = np.full(N.shape, np.inf)
    under, over = N - p > 1, p - N > 1
    out[under] = p[under] / (N[under] - p[under] - 1)
    out[over] = N[over] / (p[over] - N[over] - 1)
    return out


def ridgeless_kappa(N: Any, lam1: np.ndarray, *, iters: int = 60) -> np.ndarray:
    """Effective ridge ``kappa`` of min-norm interpolation (Hastie et al. 2022), for ``N < p``.

    Solves ``sum_i lam_i / (lam_i + kappa) = N`` (``p = len(lam1)``) by bisection in
    ``log kappa`` inside the bracket ``[lam_min, lam_max] (p - N)/N``; vectorised over ``N``.
    """
    lam1 = np.asarray(lam1, dtype=np.float64)
    N = np.atleast_1d(np.asarray(N, dtype=np.float64))
    p = lam1.size
    if np.any(N >= p) or np.any(N <= 0):
        raise ConfigError(f"parameter 'N' must satisfy 0 < N < p = {p} for the ridgeless "
                          "fixed point")
    lo = np.log(lam1.min() * (p - N) / N) - 1e-9
    hi = np.log(lam1.max() * (p - N) / N) + 1e-9
    # Chunk over N so that the (len(N), p) work array stays below ~32 MB.
    chunk = max(1, int(4e6 // p))
    for start in range(0, N.size, chunk):
        sl = slice(start, start + chunk)
        a, b, target = lo[sl].copy(), hi[sl].copy(), N[sl]
        for _ in range(iters):
            mid = 0.5 * (a + b)
            g = (lam1[None, :] / (lam1[None, :] + np.exp(mid)[:, None])).sum(axis=1)
            too_small = g > target  # g decreases in kappa: need a larger kappa
            a = np.where(too_small, mid, a)
            b = np.where(too_small, b, mid)
        lo[sl], hi[sl] = a, b
    return np.exp(0.5 * (lo + hi))


def losses_from_split(N: Any, lam1: np.ndarray, tr_lam2: float, *, d: int = 1,
                      method: str = "auto", beta2: np.ndarray | None = None
                      ) -> dict[str, np.ndarray]:
    """Loss components for ``N = d n`` equations, model spectrum ``lam1`` and noise ``Tr Lambda_2``.

    ``beta2`` (shape of ``lam1``, default ones): expected squared target coefficient along each
    eigen-direction of the model features (the task ``w ~ N(0, I)`` gives ones; the modular
    chapter passes others). Returns arrays shaped like ``N``: ``train``, ``test``, and the test
    loss's parts ``noise`` (``d Tr Lambda_2``), ``variance`` and ``bias`` (``test = noise +
    variance + bias``), plus a boolean ``exact`` (exact expectation rather than approximation).
    """
    check_choice("method", method, METHODS)
    lam1 = np.asarray(lam1, dtype=np.float64)
    if lam1.ndim != 1 or lam1.size < 1 or np.any(lam1 <= 0) or not np.all(np.isfinite(lam1)):
        raise ConfigError("parameter 'lam' must hold positive finite feature variances")
    _check_positive("tr_lam2", tr_lam2, strict=False)
    if int(d) != d or d < 1:
        raise ConfigError(f"parameter 'd' must be an integer >= 1, got {d!r}")
    N = np.asarray(N, dtype=np.float64)
    _check_positive("n", N)
    shape = N.shape
    N = N.reshape(-1)
    p = lam1.size
    iso = bool(np.allclose(lam1, lam1[0], rtol=1e-12, atol=0))
    if method == "exact" and not iso and np.any(p - N > 1):
        raise ConfigError("parameter 'method': 'exact' has no closed form for an "
                          "overparameterised model (p > N) with an anisotropic spectrum; "
                          "use 'auto' or 'deterministic'")
    use_det = method == "deterministic" or (method == "auto" and not iso)
    beta2 = np.ones_like(lam1) if beta2 is None else np.asarray(beta2, dtype=np.float64)
    if beta2.shape != lam1.shape or np.any(beta2 < 0):
        raise ConfigError("parameter 'beta2' must be non-negative with the shape of 'lam1'")
    tr1 = float((lam1 * beta2).sum())  # signal variance the model could capture
    variance = np.full(N.shape, np.inf)
    bias = np.zeros(N.shape)
    exact = np.ones(N.shape, dtype=bool)
    under, over = N - p > 1, p - N > 1
    variance[under] = tr_lam2 * p / (N[under] - p - 1)
    if np.any(over):
        No = N[over]
        if use_det:
            kappa = ridgeless_kappa(No, lam1)
            r = lam1[None, :] / (lam1[None, :] + kappa[:, None])
            gamma = (r ** 2).sum(axis=1) / No
            variance[over] = tr_lam2 * gamma / (1 - gamma)
            bias[over] = kappa ** 2 * (beta2 * lam1[None, :]
                                       / (lam1[None, :] + kappa[:, None]) ** 2
                                       ).sum(axis=1) / (1 - gamma)
            exact[over] = False
        else:
            variance[over] = tr_lam2 * No / (p - No - 1)
            bias[over] = tr1 * (1 - No / p)
    noise = np.full(N.shape, float(tr_lam2))
    test = d * (noise + variance + bias)
    train = d * tr_lam2 * np.clip(1 - p / N, 0, None)
    out = {"train": train, "test": test, "noise": d * noise, "variance": d * variance,
           "bias": d * bias, "exact": exact}
    return {k: v.reshape(shape) for k, v in out.items()}


def _check_lam(lam: Any) -> np.ndarray:
    lam = np.asarray(lam, dtype=np.float64)
    if lam.ndim != 1 or lam.size < 1 or np.any(lam <= 0) or not np.all(np.isfinite(lam)):
        raise ConfigError("parameter 'lam' must be a 1-D array of positive finite variances")
    return lam


def _check_p(p: np.ndarray, P: int) -> None:
    if np.any(p != np.round(p)) or np.any(p < 1) or np.any(p > P):
        raise ConfigError(f"parameter 'p' must hold integers in [1, len(lam)] = [1, {P}], "
                          f"got {p!r}")


def loss_components(n: Any, p: Any, *, d: int = 1, lam: np.ndarray, tail: float = 0.0,
                    method: str = "auto") -> dict[str, np.ndarray]:
    """:func:`losses_from_split` for a model seeing the top ``p`` of ``lam`` (plus ``tail``).

    ``n`` (samples) and ``p`` (parameters, integers ``<= len(lam)``) broadcast together; the
    spectrum is split once per distinct ``p``.
    """
    lam = _check_lam(lam)
    _check_positive("tail", tail, strict=False)
    n_arr, p_arr = np.broadcast_arrays(np.asarray(n, dtype=np.float64),
                                       np.asarray(p, dtype=np.float64))
    _check_p(p_arr, lam.size)
    if int(d) != d or d < 1:
        raise ConfigError(f"parameter 'd' must be an integer >= 1, got {d!r}")
    suffix = np.concatenate([np.cumsum(lam[::-1])[::-1], [0.0]])  # suffix[j] = sum(lam[j:])
    keys = ("train", "test", "noise", "variance", "bias", "exact")
    out = {k: np.zeros(n_arr.shape, dtype=bool if k == "exact" else np.float64) for k in keys}
    for pv in np.unique(p_arr):
        sel = p_arr == pv
        pi = int(pv)
        res = losses_from_split(d * n_arr[sel], lam[:pi], float(suffix[pi]) + float(tail),
                                d=d, method=method)
        for k in keys:
            out[k][sel] = res[k]
    return out


def _scalarise(x: np.ndarray) -> Any:
    return float(x) if np.ndim(x) == 0 else x


def expected_losses(n: Any, p: Any, *, d: int = 1, lam: np.ndarray, tail: float = 0.0,
                    method: str = "auto") -> tuple[Any, Any]:
    """Expected ``(train, test)`` loss of the min-norm fit on ``n`` samples with ``p`` parameters.

    ``lam``: feature variances, largest first (the model sees ``lam[:p]``); ``tail``: variance
    of further features beyond ``len(lam)``. ``n``, ``p`` broadcast (floats if both scalar).
    """
    res = loss_components(n, p, d=d, lam=lam, tail=tail, method=method)
    return _scalarise(res["train"]), _scalarise(res["test"])


def predict_losses(n: Any, p: Any, m: float, *, c: float = 1.0, omega: float = 1.5,
                   d: int = 1, P: int | None = None, kind: str = "telescoping",
                   s: float = 1.0, method: str = "auto", noise_var: float = 0.0
                   ) -> tuple[Any, Any]:
    """``(train, test)`` for a task of dimension ``m`` with the spectrum :func:`spectrum`.

    ``P=None`` (default): infinitely many task features (the variance beyond the largest ``p``
    enters in closed form); otherwise the task has exactly ``P`` features. ``noise_var``: label
    noise on training and test targets; it enters exactly as further unexplained variance
    (``Tr Lambda_2``), which no model can learn.
    """
    _check_positive("noise_var", noise_var, strict=False)
    p_max = int(np.max(p))
    if P is None:
        lam = spectrum(p_max, m, kind=kind, c=c, omega=omega, s=s)
        tail = spectrum_tail(p_max, m, kind=kind, c=c, omega=omega, s=s)
    else:
        lam, tail = spectrum(P, m, kind=kind, c=c, omega=omega, s=s), 0.0
    tail += float(noise_var)
    return expected_losses(n, p, d=d, lam=lam, tail=tail, method=method)


# ----------------------------------------------------------------------------- sample complexity
def _required_N_from_split(target: float, lam1: np.ndarray, tr2: float, d: int, branch: str,
                           method: str, grid_points: int, bisect_iters: int) -> float:
    """Smallest real ``N`` with expected test loss ``<= target`` (``inf`` if none)."""
    p = lam1.size
    best = math.inf
    if branch == "any" and p >= 4:
        # Overparameterised branch: dense log grid on 1 <= N <= p - 1 - 1e-6, then bisection
        # on the first grid interval where the loss crosses below the target.
        grid = np.unique(np.geomspace(1.0, p - 1.0 - 1e-6, grid_points))
        test = losses_from_split(grid, lam1, tr2, d=d, method=method)["test"]
        below = np.nonzero(test <= target)[0]
        if below.size:
            j = int(below[0])
            if j == 0:
                return float(grid[0])
            a, b = grid[j - 1], grid[j]
            for _ in range(bisect_iters):
                mid = math.sqrt(a * b)
                t = losses_from_split(np.array([mid]), lam1, tr2, d=d, method=method)["test"][0]
                a, b = (a, mid) if t <= target else (mid, b)
            best = float(b)
    if math.isfinite(best):
        return best
    # Underparameterised branch (exact, monotone decreasing in N):
    #   d tr2 (1 + p/(N-p-1)) <= target  <=>  N >= p + 1 + p / (r - 1),  r = target/(d tr2).
    if tr2 == 0:
        return float(p + 1 + 1e-12)
    r = target / (d * tr2)
    if r <= 1:
        return math.inf
    return float(p + 1 + p / (r - 1))


def required_n(target: float, p: int, *, d: int = 1, lam: np.ndarray, tail: float = 0.0,
               branch: str = "underparameterised", method: str = "auto",
               grid_points: int = 200, bisect_iters: int = 40) -> float:
    """Smallest (real-valued) number of samples ``n`` with expected test loss ``<= target``.

    ``branch='underparameterised'``: beyond the interpolation peak, where the loss decreases
    monotonically in ``n`` (closed form ``n = [p + 1 + p/(r-1)]/d``, ``r = target/(d Tr
    Lambda_2)``). ``branch='any'``: first the overparameterised side (``n < p/d``) is scanned on
    a log grid of ``grid_points`` and refined by bisection; if the target is not reached there,
    the underparameterised value is returned. ``inf`` if the target is unreachable (it is below
    the asymptotic loss ``d Tr Lambda_2``). Round up for an integer sample count.
    """
    check_choice("branch", branch, BRANCHES)
    check_choice("method", method, METHODS)
    _check_positive("target", target)
    lam = _check_lam(lam)
    _check_p(np.asarray(p), lam.size)
    p = int(p)
    tr2 = float(lam[p:].sum()) + float(tail)
    N = _required_N_from_split(float(target), lam[:p], tr2, int(d), branch, method,
                               int(grid_points), int(bisect_iters))
    return N / d


def required_n_for_dimension(target: float, p: int, m: float, *, c: float = 1.0,
                             omega: float = 1.5, d: int = 1, kind: str = "telescoping",
                             s: float = 1.0, branch: str = "underparameterised",
                             method: str = "auto", grid_points: int = 200) -> float:
    """:func:`required_n` for a task of dimension ``m`` (infinitely many features)."""
    lam = spectrum(p, m, kind=kind, c=c, omega=omega, s=s)
    tail = spectrum_tail(p, m, kind=kind, c=c, omega=omega, s=s)
    return required_n(target, p, d=d, lam=lam, tail=tail, branch=branch, method=method,
                      grid_points=grid_points)


# ----------------------------------------------------------------------------- Monte Carlo
def monte_carlo_losses(n: int, p: int, *, d: int = 1, lam: np.ndarray, tail: float = 0.0,
                       trials: int = 100, seed: int = 0, test_points: int = 0,
                       chunk: int | None = None, device: Any = "cpu"
                       ) -> tuple[float, float, float, float]:
    """Simulate the model: ``(train_mean, train_se, test_mean, test_se)`` over ``trials`` draws.

    Each trial draws the task ``w ~ N(0, I_P)`` (``P = len(lam)``), an ``(N, P)`` feature matrix
    with rows ``N(0, diag(lam))`` (``N = d n``), the targets ``Y = Phi w`` plus i.i.d.
    ``N(0, tail)`` for features beyond ``P``, and fits ``theta = pinv(Phi[:, :p]) Y`` (float64).
    The test loss is the exact population loss given ``theta`` and ``w`` (``test_points=0``) or
    an average over ``test_points`` fresh samples. Trials run batched in chunks (``chunk``,
    default: about 32 MB of features per chunk). SE = standard error of the mean.
    """
    lam = _check_lam(lam)
    for name, v, lo in (("n", n, 1), ("p", p, 1), ("d", d, 1), ("trials", trials, 2)):
        if int(v) != v or v < lo:
            raise ConfigError(f"parameter {name!r} must be an integer >= {lo}, got {v!r}")
    _check_p(np.asarray(p), lam.size)
    _check_positive("tail", tail, strict=False)
    n, p, d, trials = int(n), int(p), int(d), int(trials)
    N, P = d * n, lam.size
    gen = torch.Generator(device="cpu").manual_seed(int(seed))
    if chunk is None:
        chunk = max(1, min(trials, int(4e6 // (N * P + max(test_points, 0) * d * P + 1))))
    parts = []
    # The thread count is left as it is: lowering it and raising it again breaks every later
    # batched LU solve of the process in torch 2.13's CPU build (modscale.infra.device.
    # THREAD_TOGGLE_HAZARD).
    for start in range(0, trials, chunk):
        parts.append(_mc_chunk(min(chunk, trials - start), n, p, d, lam, tail, test_points,
                               gen, device))
    tr = np.concatenate([a for a, _ in parts])
    te = np.concatenate([b for _, b in parts])
    se = 1.0 / math.sqrt(trials)
    return (float(tr.mean()), float(tr.std(ddof=1) * se), float(te.mean()),
            float(te.std(ddof=1) * se))


def _mc_chunk(t: int, n: int, p: int, d: int, lam: np.ndarray, tail: float, test_points: int,
              gen: torch.Generator, device: Any) -> tuple[np.ndarray, np.ndarray]:
    """``t`` simulated trials of :func:`monte_carlo_losses`: per-trial (train, test) losses."""
    N, P = d * n, lam.size
    sd = torch.as_tensor(np.sqrt(lam), dtype=torch.float64)
    w = torch.randn(t, P, generator=gen, dtype=torch.float64)
    phi = torch.randn(t, N, P, generator=gen, dtype=torch.float64) * sd
    y = phi @ w.unsqueeze(-1)
    if tail > 0:
        y = y + math.sqrt(tail) * torch.randn(t, N, 1, generator=gen, dtype=torch.float64)
    phi1, y = phi[:, :, :p].to(device), y.to(device)
    theta = torch.linalg.pinv(phi1) @ y
    train = ((y - phi1 @ theta) ** 2).sum(dim=(1, 2)).cpu() / n
    err = w.clone()
    err[:, :p] -= theta.squeeze(-1).cpu()
    if test_points > 0:
        Nt = d * test_points
        phit = torch.randn(t, Nt, P, generator=gen, dtype=torch.float64) * sd
        resid = phit @ err.unsqueeze(-1)
        if tail > 0:
            resid = resid + math.sqrt(tail) * torch.randn(t, Nt, 1, generator=gen,
                                                          dtype=torch.float64)
        test = (resid ** 2).sum(dim=(1, 2)) / test_points
    else:
        test = d * ((err ** 2 * torch.as_tensor(lam)).sum(dim=1) + tail)
    return train.numpy(), test.numpy()


# ----------------------------------------------------------------------------- sweeps
def validation_spectrum(name: str, P: int, m: float, *, c: float = 1.0, omega: float = 1.5,
                        s: float = 1.0) -> tuple[np.ndarray, float]:
    """``(lam, tail)`` of a Monte-Carlo validation case: a :data:`SPECTRUM_KINDS` spectrum
    truncated to ``P`` explicit features (its remaining variance as ``tail``), or
    ``'isotropic'``: ``P`` features of variance ``c/P`` and no tail (exact formulas everywhere).
    """
    if name == "isotropic":
        return np.full(int(P), c / P), 0.0
    check_choice("spectrum", name, SPECTRUM_KINDS + ("isotropic",))
    return (spectrum(P, m, kind=name, c=c, omega=omega, s=s),
            spectrum_tail(P, m, kind=name, c=c, omega=omega, s=s))


def compare_with_monte_carlo(n: int, p: int, *, d: int, lam: np.ndarray, tail: float,
                             trials: int, seed: int, method: str = "auto") -> dict[str, Any]:
    """One row of the formula-vs-simulation table: formula, MC mean and SE, relative error.

    ``rel_err_*`` = (formula - MC mean) / MC mean; ``z_*`` = (formula - MC mean) / SE.
    """
    res = loss_components(n, p, d=d, lam=lam, tail=tail, method=method)
    tr, tr_se, te, te_se = monte_carlo_losses(n, p, d=d, lam=lam, tail=tail, trials=trials,
                                              seed=seed)
    f_tr, f_te = float(res["train"]), float(res["test"])
    row = {"n": n, "p": p, "d": d, "N": d * n,
           "regime": "under" if d * n > p else "over",
           "formula": "exact" if bool(res["exact"]) else "deterministic equivalent",
           "train_formula": f_tr, "train_mc": tr, "train_se": tr_se,
           "test_formula": f_te, "test_mc": te, "test_se": te_se}
    row["rel_err_test"] = (f_te - te) / te
    row["z_test"] = (f_te - te) / te_se if te_se > 0 else 0.0
    row["rel_err_train"] = (f_tr - tr) / tr if tr > 1e-12 else 0.0
    row["z_train"] = (f_tr - tr) / tr_se if tr_se > 1e-12 else 0.0
    return row


def architecture_param_counts(m_values: Any, widths: Any, depths: Any, *, out_dim: int = 1
                              ) -> tuple[list[tuple[int, int]], np.ndarray]:
    """Parameter counts ``p`` of ReLU MLPs with input ``m``: ``(archs, P)`` with ``archs`` the
    ``(width, depth)`` pairs sorted by their size and ``P`` of shape ``(len(archs), len(m))``."""
    from modscale.models.batched_mlp import mlp_param_count

    m_values = [int(m) for m in m_values]
    archs = sorted(((w, dp) for w in widths for dp in depths),
                   key=lambda a: mlp_param_count(m_values[0], a[0], a[1], out_dim))
    P = np.array([[mlp_param_count(m, w, dp, out_dim) for m in m_values] for w, dp in archs])
    return archs, P


def sample_complexity_grid(m_values: Any, p_grid: np.ndarray, *, target: float,
                           c: float = 1.0, omega: float = 1.5, d: int = 1,
                           kind: str = "telescoping", s: float = 1.0,
                           branch: str = "underparameterised", method: str = "auto",
                           grid_points: int = 200) -> np.ndarray:
    """Required ``n`` (:func:`required_n_for_dimension`) for each curve (row of ``p_grid``, shape
    ``(curves, len(m_values))``: the parameter count at each ``m``) and each ``m``."""
    p_grid = np.asarray(p_grid)
    out = np.empty(p_grid.shape)
    for a in range(p_grid.shape[0]):
        for j, m in enumerate(m_values):
            out[a, j] = required_n_for_dimension(target, int(p_grid[a, j]), m, c=c,
                                                 omega=omega, d=d, kind=kind, s=s,
                                                 branch=branch, method=method,
                                                 grid_points=grid_points)
    return out
