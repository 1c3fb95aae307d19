"""Expected losses of the linear *modular* model of paper Section 4 (Theorem 2, reconstructed).

Task (``k`` modules, module input dimension ``b = 1``): ``x ~ N(0, I_m)`` and

    y(x) = k^-1/2 sum_i sum_l sqrt(lam_l) w_il h_l(u_i^T x),   w_il ~ N(0, 1),

with unit directions ``u_i`` (columns of ``U``, shape ``(m, k)``), ``h_l = He_l / sqrt(l!)`` the
normalised Hermite polynomials (degree ``l = 1, 2, ...``; the module's feature ``l`` has
variance ``lam_l``, a spectrum governed by ``b``, not ``m``). Model: ``K`` modules with
directions ``Uhat`` (``(m, K)``), each linear in its first ``q`` features
``sqrt(lam_l) h_l(uhat_j^T x)``, fitted jointly by minimum-norm least squares.

By Mehler's formula ``E[h_l(u^T x) h_l'(v^T x)] = delta_ll' (u^T v)^l``: features of different
degrees are uncorrelated, and within degree ``l`` the Gram matrix of the directions is raised
elementwise to the power ``l``. In the *Gaussian-equivalent* model the features are jointly
Gaussian with exactly these covariances; the monolithic formulas
(:mod:`modscale.theory.monolithic`) then
apply with the model-feature spectrum ``eig(lam_l (Uhat^T Uhat)^{o l})``, target weights
projected onto the model's span, and the unexplained target variance as noise. Aligned
projections (``Uhat = U``) explain everything up to degree ``q``, for any ``m``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from modscale.infra.profiles import ConfigError, check_choice
from modscale.theory.monolithic import (
    BRANCHES,
    SPECTRUM_KINDS,
    losses_from_split,
    required_n_for_dimension,
    spectrum,
    spectrum_tail,
)

DIRECTION_KINDS = ("random", "orthogonal")
ALIGNMENTS = ("aligned", "random")


def module_directions(m: int, k: int, *, kind: str = "random",
                      rng: np.random.Generator | None = None) -> np.ndarray:
    """``k`` unit directions in ``R^m`` as columns, shape ``(m, k)``.

    ``random``: independent uniform on the sphere; ``orthogonal``: orthonormal (needs ``k <= m``).
    """
    check_choice("kind", kind, DIRECTION_KINDS)
    if int(m) != m or m < 1 or int(k) != k or k < 1:
        raise ConfigError(f"parameters 'm' and 'k' must be integers >= 1, got {m!r}, {k!r}")
    rng = np.random.default_rng(0) if rng is None else rng
    g = rng.standard_normal((int(m), int(k)))
    if kind == "orthogonal":
        if k > m:
            raise ConfigError(f"parameter 'k': {k} orthogonal directions need m >= k, m = {m}")
        q, r = np.linalg.qr(g)
        return q * np.sign(np.diag(r))
    return g / np.linalg.norm(g, axis=0, keepdims=True)


def hermite_features(z: torch.Tensor | np.ndarray, degree: int) -> np.ndarray:
    """Normalised Hermite features ``h_1 .. h_degree`` of ``z``: shape ``z.shape + (degree,)``.

    ``h_l = He_l / sqrt(l!)`` (probabilists'), orthonormal under ``N(0, 1)``.
    """
    z = np.asarray(z, dtype=np.float64)
    out = np.empty(z.shape + (int(degree),))
    he_prev, he = np.ones_like(z), z.copy()  # He_0, He_1
    for l in range(1, int(degree) + 1):
        out[..., l - 1] = he / math.sqrt(math.factorial(l))
        he_prev, he = he, z * he - l * he_prev
    return out


def _check_dirs(name: str, V: np.ndarray) -> np.ndarray:
    V = np.asarray(V, dtype=np.float64)
    if V.ndim != 2 or not np.allclose(np.linalg.norm(V, axis=0), 1.0, atol=1e-8):
        raise ConfigError(f"parameter {name!r} must be a 2-D array of unit columns (m, count)")
    return V


def modular_split(lam_b: np.ndarray, q: int, U: np.ndarray, Uhat: np.ndarray, *,
                  tail_b: float = 0.0, rtol: float = 1e-10) -> dict[str, Any]:
    """The Gaussian-equivalent modular model as a monolithic one (see module docstring).

    ``lam_b``: module feature variances by degree (``len >= q``); ``tail_b``: variance of degrees
    beyond ``len(lam_b)``. Returns ``lam1`` (model-feature eigenvalues, zero ones dropped),
    ``beta2`` (expected squared target weight per eigen-direction), ``tr2`` (unexplained target
    variance: the noise), ``captured`` (explained variance per degree ``1..q``, shape ``(q,)``)
    and ``p_eff`` (number of linearly independent model features, ``<= K q``).
    """
    lam_b = np.asarray(lam_b, dtype=np.float64)
    U, Uhat = _check_dirs("U", U), _check_dirs("Uhat", Uhat)
    if U.shape[0] != Uhat.shape[0]:
        raise ConfigError("parameters 'U' and 'Uhat' must have the same input dimension m")
    if int(q) != q or q < 1 or q > lam_b.size:
        raise ConfigError(f"parameter 'q' must be an integer in [1, len(lam_b)] = "
                          f"[1, {lam_b.size}], got {q!r}")
    k = U.shape[1]
    base_G, base_C = Uhat.T @ Uhat, U.T @ Uhat
    lam1, beta2, captured = [], [], np.zeros(int(q))
    for l in range(1, int(q) + 1):
        G, C = base_G ** l, base_C ** l
        g, V = np.linalg.eigh(G)
        keep = g > rtol * max(g.max(), 1e-300)
        g, V = g[keep], V[:, keep]
        CV = C @ V  # (k, r)
        # beta = G^+ C^T w / sqrt(k): in the eigenbasis E[beta_j^2] = |C v_j|^2 / (g_j^2 k).
        lam1.append(lam_b[l - 1] * g)
        beta2.append((CV ** 2).sum(axis=0) / (g ** 2 * k))
        captured[l - 1] = lam_b[l - 1] * ((CV ** 2).sum(axis=0) / g).sum() / k
    resid_low = float((lam_b[:q] - captured).sum())
    tr2 = max(resid_low, 0.0) + float(lam_b[q:].sum()) + float(tail_b)
    lam1 = np.concatenate(lam1)
    order = np.argsort(-lam1)
    return {"lam1": lam1[order], "beta2": np.concatenate(beta2)[order], "tr2": tr2,
            "captured": captured, "p_eff": int(lam1.size)}


def modular_loss_components(n: Any, q: int, *, lam_b: np.ndarray, U: np.ndarray,
                            Uhat: np.ndarray, tail_b: float = 0.0, d: int = 1,
                            method: str = "auto") -> dict[str, np.ndarray]:
    """Expected losses (train, test, noise, variance, bias, exact) of the modular model.

    ``n`` samples (array-like); underparameterised values (``d n >= p_eff + 2``) are exact for
    the Gaussian-equivalent model, overparameterised ones use the deterministic equivalent.
    """
    split = modular_split(lam_b, q, U, Uhat, tail_b=tail_b)
    N = d * np.asarray(n, dtype=np.float64)
    return losses_from_split(N, split["lam1"], split["tr2"], d=d, method=method,
                             beta2=split["beta2"])


def modular_expected_losses(n: Any, q: int, *, k: int, d: int = 1, lam_b: np.ndarray,
                            tail_b: float = 0.0, method: str = "auto") -> tuple[Any, Any]:
    """``(train, test)`` of ``k`` aligned modules on orthogonal task directions (closed form).

    The model is then the monolithic one with ``k`` copies of ``lam_b[:q] / k`` as its spectrum
    and ``Tr Lambda_2 = sum(lam_b[q:]) + tail_b``: nothing depends on the input dimension ``m``.
    """
    lam_b = np.asarray(lam_b, dtype=np.float64)
    if int(k) != k or k < 1:
        raise ConfigError(f"parameter 'k' must be an integer >= 1, got {k!r}")
    lam1 = np.sort(np.tile(lam_b[:q], int(k)) / k)[::-1]
    res = losses_from_split(d * np.asarray(n, dtype=np.float64), lam1,
                            float(lam_b[q:].sum()) + float(tail_b), d=d, method=method)
    tr, te = res["train"], res["test"]
    return (float(tr) if np.ndim(tr) == 0 else tr, float(te) if np.ndim(te) == 0 else te)


def modular_monte_carlo(n: int, q: int, *, lam_b: np.ndarray, U: np.ndarray, Uhat: np.ndarray,
                        tail_b: float = 0.0, d: int = 1, trials: int = 100, seed: int = 0,
                        features: str = "gaussian") -> tuple[float, float, float, float]:
    """Simulate the modular model: ``(train_mean, train_se, test_mean, test_se)``.

    ``features='gaussian'``: per degree, the ``k + K`` task and model features are drawn jointly
    Gaussian with covariance ``lam_l (W^T W)^{o l}``, ``W = [U, Uhat]``. ``features='hermite'``:
    the real nonlinear model, ``x ~ N(0, I_m)`` and features ``h_l(u^T x)``. The target's degrees
    beyond ``q`` enter as i.i.d. Gaussian noise of their total variance. The fit is
    ``pinv`` of the ``(N, K q)`` model design (float64, trials batched); the test loss is the
    population loss given the fit (exact by Mehler's formula in both cases).
    """
    check_choice("features", features, ("gaussian", "hermite"))
    lam_b = np.asarray(lam_b, dtype=np.float64)
    U, Uhat = _check_dirs("U", U), _check_dirs("Uhat", Uhat)
    for name, v in (("n", n), ("q", q), ("d", d), ("trials", trials)):
        if int(v) != v or v < 1:
            raise ConfigError(f"parameter {name!r} must be an integer >= 1, got {v!r}")
    n, q, d, trials = int(n), int(q), int(d), int(trials)
    k, K, N = U.shape[1], Uhat.shape[1], d * n
    W = np.concatenate([U, Uhat], axis=1)
    gram = [(W.T @ W) ** l for l in range(1, q + 1)]
    noise = float(lam_b[q:].sum()) + float(tail_b)
    sq = np.sqrt(lam_b[:q])
    gen = torch.Generator().manual_seed(int(seed))
    rng = np.random.default_rng(int(seed))
    # Per-degree square roots of the joint Gram matrices (PSD, possibly singular).
    roots = []
    for Gl in gram:
        e, V = np.linalg.eigh(Gl)
        roots.append(torch.as_tensor(V * np.sqrt(np.clip(e, 0, None)), dtype=torch.float64))
    # (threads left as they are: see modscale.infra.device.THREAD_TOGGLE_HAZARD)
    if features == "gaussian":
        z = torch.stack([torch.randn(trials, N, k + K, generator=gen, dtype=torch.float64)
                         @ r.T for r in roots], dim=-1)  # (t, N, k+K, q)
    else:
        x = rng.standard_normal((trials, N, U.shape[0]))
        z = torch.as_tensor(hermite_features(x @ W, q))  # (t, N, k+K, q)
    z = z * torch.as_tensor(sq)
    T, M = z[:, :, :k, :], z[:, :, k:, :]
    w = torch.randn(trials, k, q, generator=gen, dtype=torch.float64)
    y = (T * w[:, None]).sum(dim=(2, 3)) / math.sqrt(k)
    y = y + math.sqrt(noise) * torch.randn(trials, N, generator=gen, dtype=torch.float64)
    X = M.reshape(trials, N, K * q)
    theta = torch.linalg.pinv(X) @ y.unsqueeze(-1)
    train = ((y.unsqueeze(-1) - X @ theta) ** 2).sum(dim=(1, 2)) / n
    th = theta.reshape(trials, K, q)
    test = torch.full((trials,), noise, dtype=torch.float64)
    for l in range(q):
        a = torch.cat([w[:, :, l] / math.sqrt(k), -th[:, :, l]], dim=1) * sq[l]
        test += torch.einsum("ti,ij,tj->t", a, torch.as_tensor(gram[l]), a)
    test = d * test
    tr, te = train.numpy(), test.numpy()
    se = 1.0 / math.sqrt(trials)
    return (float(tr.mean()), float(tr.std(ddof=1) * se), float(te.mean()),
            float(te.std(ddof=1) * se))


def modular_sample_complexity(m_values: Any, *, k: int, q: int, target: float,
                              c: float = 1.0, omega: float = 1.5, d: int = 1,
                              kind: str = "telescoping", s: float = 1.0,
                              alignment: str = "aligned", task_directions: str = "random",
                              draws: int = 20, seed: int = 0, degrees: int | None = None
                              ) -> dict[str, np.ndarray]:
    """Required samples of a ``k``-module model (``k`` modules, ``q`` features each) vs ``m``.

    Module spectrum: :func:`modscale.theory.monolithic.spectrum` at dimension ``b = 1``. For each
    ``m``,
    ``draws`` task directions (and, for ``alignment='random'``, independent random model
    directions) are drawn; the unexplained variance ``tr2`` is averaged over draws (the expected
    test loss is linear in it beyond the peak), and the required ``n`` is the beyond-the-peak
    closed form (:func:`modscale.theory.monolithic.required_n` with
    ``branch='underparameterised'``).
    Returns arrays over ``m``: ``n`` (required samples), ``tr2`` and ``captured_fraction``.
    """
    check_choice("alignment", alignment, ALIGNMENTS)
    check_choice("task_directions", task_directions, DIRECTION_KINDS)
    check_choice("kind", kind, SPECTRUM_KINDS)
    L = int(degrees or q)
    lam_b = spectrum(L, 1, kind=kind, c=c, omega=omega, s=s)
    tail_b = spectrum_tail(L, 1, kind=kind, c=c, omega=omega, s=s)
    rng = np.random.default_rng(int(seed))
    out = {"n": [], "tr2": [], "captured_fraction": [], "p_eff": []}
    for m in m_values:
        tr2s, peffs = [], []
        for _ in range(int(draws)):
            U = module_directions(int(m), k, kind=task_directions, rng=rng)
            Uhat = U if alignment == "aligned" else module_directions(int(m), k, rng=rng)
            sp = modular_split(lam_b, q, U, Uhat, tail_b=tail_b)
            tr2s.append(sp["tr2"])
            peffs.append(sp["p_eff"])
        tr2, p_eff = float(np.mean(tr2s)), int(round(np.mean(peffs)))
        r = target / (d * tr2)
        n_req = (p_eff + 1 + p_eff / (r - 1)) / d if r > 1 else math.inf
        out["n"].append(n_req)
        out["tr2"].append(tr2)
        out["captured_fraction"].append(1 - tr2 / c)
        out["p_eff"].append(p_eff)
    return {key: np.asarray(v) for key, v in out.items()}


def monolithic_sample_complexity(m_values: Any, p: int, *, target: float, c: float = 1.0,
                                 omega: float = 1.5, d: int = 1, kind: str = "telescoping",
                                 s: float = 1.0, branch: str = "underparameterised"
                                 ) -> np.ndarray:
    """Required samples of a monolithic model with ``p`` parameters on a task of dimension ``m``
    (the spectrum at dimension ``m``), for each ``m`` in ``m_values``."""
    check_choice("branch", branch, BRANCHES)
    return np.array([required_n_for_dimension(target, int(p), m, c=c, omega=omega, d=d,
                                              kind=kind, s=s, branch=branch)
                     for m in m_values])
