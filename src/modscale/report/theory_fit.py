"""The theory fit of the sine chapter (paper Fig. 2): the closed form of
:mod:`modscale.theory.monolithic` evaluated on the measured (n, p, m) points and its spectrum
constant fitted to measured test losses. Analysis of stored results: nothing here is cached, so
editing it never touches a stored result."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd


def theory_predictions(n: Any, p: Any, m: Any, *, c: float, omega: float,
                       kind: str = "telescoping", noise_var: float = 0.0
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Theory (train, test) for arrays of (n, p, m) (broadcast), via
    :mod:`modscale.theory.monolithic`.

    ``omega`` is the spectrum's Omega for ``kind='telescoping'`` and its smoothness ``s`` for
    ``kind='power_law'``; ``noise_var``: label-noise variance (unlearnable, added to Tr Lambda_2).
    """
    from modscale.theory.monolithic import predict_losses

    shape_kw = {"omega": omega} if kind == "telescoping" else {"s": omega}
    n, p, m = np.broadcast_arrays(np.asarray(n, float), np.asarray(p, float),
                                  np.asarray(m, float))
    tr, te = np.empty(n.shape), np.empty(n.shape)
    for mv in np.unique(m):
        sel = m == mv
        a, b = predict_losses(n[sel], p[sel].astype(int), float(mv), c=c, kind=kind,
                              noise_var=noise_var, **shape_kw)
        tr[sel], te[sel] = a, b
    return tr, te


def fit_theory(points: pd.DataFrame, *, c: float | None, kind: str = "telescoping",
               noise_var: float = 0.0) -> dict[str, float]:
    """Least squares in log test loss of the theory to ``points`` (columns n, p, m, test).

    ``c=None`` fits both ``c`` and ``omega``; otherwise ``c`` is held fixed and ``omega`` fitted.
    ``noise_var`` (label noise, known) enters the prediction as unexplained variance.
    Points where the prediction is infinite (``|p - n| <= 1``) are left out.
    Returns ``{"c", "omega", "rmse_log"}``.
    """
    from scipy.optimize import minimize, minimize_scalar

    n, p, m = (points[col].to_numpy() for col in ("n", "p", "m"))
    y = np.log(points["test"].to_numpy())

    def loss(c_: float, omega: float) -> float:
        _, te = theory_predictions(n, p, m, c=c_, omega=omega, kind=kind, noise_var=noise_var)
        ok = np.isfinite(te) & (te > 0)
        return float(np.mean((np.log(te[ok]) - y[ok]) ** 2)) if ok.any() else math.inf

    # kind="telescoping" needs omega > 1; "power_law" uses omega as the smoothness s (> 0).
    lo = 1.0 if kind == "telescoping" else 0.0
    if c is not None:
        r = minimize_scalar(lambda t: loss(c, lo + math.exp(t)), bounds=(-6.0, 3.0),
                            method="bounded")
        out = {"c": float(c), "omega": lo + math.exp(r.x)}
    else:
        best = min((loss(math.exp(a), lo + math.exp(b)), a, b)
                    for a in np.linspace(-1, 3, 9) for b in np.linspace(-5, 2, 8))
        r = minimize(lambda v: loss(math.exp(v[0]), lo + math.exp(v[1])), x0=best[1:],
                     method="Nelder-Mead", options={"xatol": 1e-4, "fatol": 1e-8})
        out = {"c": math.exp(r.x[0]), "omega": lo + math.exp(r.x[1])}
    out["rmse_log"] = math.sqrt(loss(out["c"], out["omega"]))
    return out


def fig2_theory_lines(grid: pd.DataFrame, ksweep: pd.DataFrame, panels: Mapping[str, Any], *,
                      n_fig2: int, m_fixed: int, c: float, omega: float,
                      kind: str = "telescoping", noise_var: float = 0.0, points: int = 400
                      ) -> dict[str, tuple[np.ndarray, dict[str, np.ndarray]]]:
    """The theory's lines of Fig. 2, ``{panel: (x, {"train": loss, "test": loss})}`` for the
    panels ``k``, ``m``, ``p``, ``n`` of ``panels`` (:func:`modscale.report.analysis.fig2_panels`
    on ``grid`` and ``ksweep``, the sweeps' long tables), with the fitted constants (as
    :func:`theory_predictions`).

    k: flat at the mean prediction over the k-sweep's architectures (at ``n_fig2``,
    ``m_fixed``); m: at each m the mean over the grid's architectures at ``n_fig2``; p: a
    geometric grid of ``points`` p from 50 (leaving out ``|p - n_fig2| <= 1``, where it is
    infinite) averaged over m; n: a geometric grid of ``points`` n over the n-panel's range with
    its architecture's p at each m, averaged over m. The p and n lines are not clipped.
    """
    kw = {"c": c, "omega": omega, "kind": kind, "noise_var": noise_var}
    ks, ms, ns = panels["k"].x, panels["m"].x, panels["n"].x
    p_k = ksweep.groupby(["width", "depth"])["p"].first().to_numpy()
    per_m = grid[grid["n"] == n_fig2].groupby(["m", "width", "depth"])["p"].mean()
    p_of_m = panels["n"].extra["p_of_m"]
    p_dense = np.unique(np.geomspace(50, max(2e5, panels["p"].x.max() * 1.5), points).astype(int))
    p_dense = p_dense[np.abs(p_dense - n_fig2) > 1]
    n_dense = np.geomspace(ns.min(), ns.max(), points)
    at_k = theory_predictions(n_fig2, p_k, m_fixed, **kw)
    at_m = [theory_predictions(n_fig2, per_m.loc[m].to_numpy(), m, **kw) for m in ms]
    at_p = [theory_predictions(n_fig2, p_dense, m, **kw) for m in ms]
    at_n = [theory_predictions(n_dense, p_of_m[int(m)], m, **kw) for m in ms]
    out: dict[str, tuple[np.ndarray, dict[str, np.ndarray]]] = {
        "k": (ks, {}), "m": (ms, {}), "p": (p_dense, {}), "n": (n_dense, {})}
    for idx, split in enumerate(("train", "test")):
        out["k"][1][split] = np.full(len(ks), np.mean(at_k[idx]))
        out["m"][1][split] = np.array([np.mean(pred[idx]) for pred in at_m])
        out["p"][1][split] = np.mean([pred[idx] for pred in at_p], 0)
        out["n"][1][split] = np.mean([pred[idx] for pred in at_n], 0)
    return out


__all__ = ["theory_predictions", "fit_theory", "fig2_theory_lines"]
