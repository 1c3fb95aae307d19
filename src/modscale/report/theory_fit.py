"""The theory fit of the sine chapter (paper Fig. 2): the closed form of
:mod:`modscale.theory.monolithic` evaluated on the measured (n, p, m) points and its spectrum
constant fitted to measured test losses. Analysis of stored results: nothing here is cached, so
editing it never touches a stored result."""

from __future__ import annotations

import math
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


__all__ = ["theory_predictions", "fit_theory"]
