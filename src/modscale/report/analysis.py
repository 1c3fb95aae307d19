"""Data shaping of trained results into what the figures and verdicts use (pure pandas/numpy).

No cached computation imports this module, so editing it never invalidates a trained network:
the chapters compute here, from cached losses, the tables they draw and the numbers they judge.

- :func:`sample_complexity_table`: samples needed per (m, architecture, threshold).
- :func:`aggregate_sample_complexity`: geometric mean over architectures, with counts.
- :func:`slope_per_dim`: decades of n per input dimension (log-linear fit).
- :func:`fig2_panels`: the four panels of the paper's Fig. 2 (k, m, p, n) from the sweeps.
- :func:`long_frame`, :func:`seed_n_frame`: the long table (one row per network) of stacks.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from modscale.theory.sample_complexity import geometric_mean, sample_complexity


def sample_complexity_table(df: pd.DataFrame, thresholds: Sequence[float],
                            rule: str = "first") -> pd.DataFrame:
    """Per (m, architecture, threshold): samples needed (seed-averaged test loss vs n).

    ``df``: one row per (m, width, depth, p, seed, n) with a ``test`` column. Returns columns
    ``m, width, depth, p, threshold, n_required, censored_low`` (``inf``: not reached).
    """
    rows = []
    for (m, w, d, p), g in df.groupby(["m", "width", "depth", "p"]):
        curve = g.groupby("n")["test"].mean().sort_index()
        for thr in thresholds:
            rows.append({"m": m, "width": w, "depth": d, "p": p, "threshold": thr,
                         "n_required": sample_complexity(curve.index.to_numpy(),
                                                         curve.to_numpy(), thr, rule=rule),
                         "censored_low": bool(curve.iloc[0] <= thr)})
    return pd.DataFrame(rows)


def sample_complexity_by_method(df: pd.DataFrame, thresholds: Sequence[float],
                                rule: str = "first") -> pd.DataFrame:
    """:func:`sample_complexity_table` per method: ``df`` as there with a ``method`` column;
    the same columns plus ``method``."""
    out = []
    for method, g in df.groupby("method"):
        t = sample_complexity_table(g, thresholds, rule=rule)
        t["method"] = method
        out.append(t)
    return pd.concat(out, ignore_index=True)


def aggregate_sample_complexity(sc: pd.DataFrame, by: Sequence[str] = ("threshold", "m")
                                ) -> pd.DataFrame:
    """Geometric mean of ``n_required`` over architectures per group of ``by``.

    Columns: ``*by, n_required`` (NaN if no architecture reached it), ``reached``,
    ``architectures``, ``at_lower_bound`` (reached already at the grid's smallest n).
    """
    return (sc.groupby(list(by))
            .agg(n_required=("n_required", geometric_mean),
                 reached=("n_required", lambda v: int(np.isfinite(v).sum())),
                 architectures=("n_required", "size"),
                 at_lower_bound=("censored_low", "sum"))
            .reset_index())


def stack_samples_needed(n_values: Sequence[float], test: np.ndarray,
                         threshold: float) -> dict[str, float]:
    """Samples to reach ``threshold`` for one stack with test losses ``test`` (seeds, G) on the
    grid ``n_values`` (G,): from the seed-mean curve (``n_required``) and the range over the
    single seeds' curves (``seed_min``, ``seed_max``); ``inf`` where never reached."""
    t = np.asarray(test, dtype=np.float64)
    if t.ndim != 2 or t.shape[1] != len(n_values):
        raise ValueError(f"test losses must have shape (seeds, {len(n_values)}), got {t.shape}")
    per_seed = [sample_complexity(n_values, row, threshold) for row in t]
    return {"n_required": sample_complexity(n_values, t.mean(0), threshold),
            "seed_min": float(np.min(per_seed)), "seed_max": float(np.max(per_seed))}


def per_seed_samples_needed(n_values: Sequence[float], test: np.ndarray,
                            threshold: float) -> np.ndarray:
    """Samples to reach ``threshold`` on each seed's own curve: (seeds,) from test losses
    (seeds, G) on the grid ``n_values``; ``inf`` where never reached."""
    t = np.asarray(test, dtype=np.float64)
    if t.ndim != 2 or t.shape[1] != len(n_values):
        raise ValueError(f"test losses must have shape (seeds, {len(n_values)}), got {t.shape}")
    return np.array([sample_complexity(n_values, row, threshold) for row in t])


def per_seed_samples_by_method(specs: Sequence[Any], runs: Sequence[Mapping[str, Any]],
                                threshold: float, ours: str = "ours_literal"
                                ) -> dict[str, dict[int, np.ndarray]]:
    """``{method: {m: samples needed per seed}}`` of Fig. 3a stacks (specs with ``method``,
    ``m``, ``n_values``; runs with ``test`` (seeds, G)); a seed fixes the task and data of every
    method, so the arrays are paired. The method ``ours`` (the literal reading of Algorithm 1,
    the paper's method) is also listed as ``"ours"``, the name the verdicts use."""
    per: dict[str, dict[int, np.ndarray]] = {}
    for spec, run in zip(specs, runs, strict=True):
        per.setdefault(spec.method, {})[spec.m] = per_seed_samples_needed(
            spec.n_values, run["test"], threshold)
    if ours in per:
        per["ours"] = per[ours]
    return per


def slope_per_dim(ms: Sequence[float], ns: Sequence[float]) -> float:
    """Least-squares slope of ``log10 n`` against ``m`` over finite positive ``n`` (NaN if < 2)."""
    ms_, ns_ = np.asarray(ms, float), np.asarray(ns, float)
    ok = np.isfinite(ns_) & (ns_ > 0)
    if ok.sum() < 2 or len(np.unique(ms_[ok])) < 2:
        return float("nan")
    return float(np.polyfit(ms_[ok], np.log10(ns_[ok]), 1)[0])


@dataclass
class Panel:
    """One panel of Fig. 2: curves of ``split`` ('train'/'test') against ``x``.

    ``thin[split]``: (rows, len(x)) seed-averaged curves of the settings (``rows``), ``mean``:
    their average (the thick line), ``sd``: the standard deviation over seeds of that average
    (None where not defined), ``x_rows``: per-row x positions where they differ from ``x``.
    """

    x: np.ndarray
    rows: list
    thin: dict[str, np.ndarray]
    mean: dict[str, np.ndarray]
    sd: dict[str, np.ndarray | None] = field(default_factory=dict)
    x_rows: np.ndarray | None = None
    extra: dict = field(default_factory=dict)


def per_seed_curve(frame: pd.DataFrame, x_col: str, xs: Sequence, value: str = "test"
                   ) -> np.ndarray:
    """(seeds, len(xs)) of ``value`` averaged over every other row of each (seed, x) -- e.g.
    the k-panel's test loss per seed, averaged over architectures (NaN where missing)."""
    idx = frame.groupby(["seed", x_col])[value].mean()
    seeds = sorted(frame["seed"].unique())
    return np.array([[idx.get((s, x), np.nan) for x in xs] for s in seeds])


def _seed_avg(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    return frame.groupby(by, as_index=False)[["train", "test"]].mean()


def _matrix(per: pd.DataFrame, row_keys: list[tuple], row_cols: Sequence[str],
            x_col: str, xs: Sequence, value: str) -> np.ndarray:
    """(rows, xs) of ``value``; NaN where a (row, x) is missing."""
    idx = per.groupby([*row_cols, x_col])[value].mean()
    out = np.full((len(row_keys), len(xs)), np.nan)
    for i, key in enumerate(row_keys):
        for j, x in enumerate(xs):
            out[i, j] = idx.get((*key, x), np.nan)
    return out


def _seed_sd(frame: pd.DataFrame, x_col: str, xs: Sequence, split: str) -> np.ndarray:
    """Std over seeds of the (architecture-)average ``split`` loss at each x."""
    return (frame.groupby([x_col, "seed"])[split].mean().groupby(level=0).std()
            .reindex(list(xs)).to_numpy())


def fig2_panels(grid: pd.DataFrame, ksweep: pd.DataFrame, *, n_fig2: int, n_panel_width: int,
                n_panel_depth: int) -> dict[str, Panel]:
    """The k-, m-, p- and n-panels of Fig. 2 from the sweeps' long tables.

    ``grid``: rows (m, width, depth, p, seed, n, train, test) of the grid sweep; ``ksweep``: rows
    (k, width, depth, p, seed, train, test) of the k-sweep at ``n_fig2``. k- and m-panels: thin
    lines are architectures; p-panel: thin lines are m (x = that architecture's p at that m),
    the thick line is at the mean p of each architecture; n-panel: the n-panel architecture,
    thin lines are m.
    """
    archs = sorted({(int(w), int(d)) for w, d in zip(grid["width"], grid["depth"], strict=True)})
    out: dict[str, Panel] = {}
    # k panel
    ks = np.array(sorted(ksweep["k"].unique()))
    per = _seed_avg(ksweep, ["k", "width", "depth", "p"])
    k_archs = sorted({(int(w), int(d)) for w, d in zip(per["width"], per["depth"], strict=True)})
    thin = {s: _matrix(per, k_archs, ["width", "depth"], "k", ks, s) for s in ("train", "test")}
    out["k"] = Panel(ks, k_archs, thin, {s: np.nanmean(v, 0) for s, v in thin.items()},
                     {s: _seed_sd(ksweep, "k", ks, s) for s in ("train", "test")})
    # m panel (n = n_fig2)
    n1k = grid[grid["n"] == n_fig2]
    ms = np.array(sorted(n1k["m"].unique()))
    per = _seed_avg(n1k, ["m", "width", "depth", "p"])
    thin = {s: _matrix(per, archs, ["width", "depth"], "m", ms, s) for s in ("train", "test")}
    out["m"] = Panel(ms, archs, thin, {s: np.nanmean(v, 0) for s, v in thin.items()},
                     {s: _seed_sd(n1k, "m", ms, s) for s in ("train", "test")})
    # p panel: architectures ordered by mean p; rows = m
    p_arch = {a: float(per[(per.width == a[0]) & (per.depth == a[1])]["p"].mean()) for a in archs}
    order = sorted(archs, key=p_arch.get)
    m_rows = [(int(m),) for m in ms]
    def cell(m: int, w: int, d: int, col: str) -> float:
        return float(per[(per.m == m) & (per.width == w) & (per.depth == d)][col].mean())

    thin = {s: np.array([[cell(m, w, d, s) for (w, d) in order] for (m,) in m_rows])
            for s in ("train", "test")}
    x_rows = np.array([[cell(m, w, d, "p") for (w, d) in order] for (m,) in m_rows])
    out["p"] = Panel(np.array([p_arch[a] for a in order]), m_rows, thin,
                     {s: np.nanmean(v, 0) for s, v in thin.items()}, {}, x_rows,
                     {"archs": order})
    # n panel: one architecture, rows = m
    sub = grid[(grid.width == n_panel_width) & (grid.depth == n_panel_depth)]
    per_n = _seed_avg(sub, ["m", "n", "p"])
    ns = np.array(sorted(sub["n"].unique()))
    thin = {s: _matrix(per_n, m_rows, ["m"], "n", ns, s) for s in ("train", "test")}
    p_of_m = {int(m): float(per_n[per_n.m == m]["p"].iloc[0]) for (m,) in m_rows}
    out["n"] = Panel(ns, m_rows, thin, {s: np.nanmean(v, 0) for s, v in thin.items()},
                     extra={"p_of_m": p_of_m})
    return out


def long_frame(stacks: Sequence[tuple[Mapping[str, Any], Sequence[Sequence[Any]],
                                     Mapping[str, Any]]],
               axes: Sequence[str], values: Sequence[str]) -> pd.DataFrame:
    """One row per network of result arrays: ``stacks`` holds, per stack, ``(columns, coords,
    run)`` -- the stack's own columns (method, m, ...), the coordinates of each array axis
    (``coords[d]`` for axis ``axes[d]``) and its run, whose entries ``values`` are arrays of
    shape ``tuple(map(len, coords))``. Rows (C order over the axes): the stack's columns, one
    column per axis, then each of ``values`` as float (NaN where the run has none, e.g. the
    similarity of a monolithic network)."""
    rows = []
    for columns, coords, run in stacks:
        for idx in itertools.product(*(range(len(c)) for c in coords)):
            row = {**columns, **{a: c[i] for a, c, i in zip(axes, coords, idx, strict=True)}}
            row.update({v: float(run[v][idx]) if v in run else float("nan") for v in values})
            rows.append(row)
    return pd.DataFrame(rows)


def seed_n_frame(stacks: Sequence[tuple[Mapping[str, Any], Sequence[int], Sequence[int],
                                       Mapping[str, Any]]],
                 values: Sequence[str]) -> pd.DataFrame:
    """:func:`long_frame` of stacks trained over seeds x n: ``stacks`` holds, per stack,
    ``(columns, seeds, n_values, run)`` with (S, G) arrays; axis columns ``seed``, ``n``."""
    return long_frame([(columns, ([int(s) for s in seeds], [int(n) for n in ns]), run)
                       for columns, seeds, ns, run in stacks], ("seed", "n"), values)


def modular_stacks_frame(specs: Sequence[Mapping[str, Any]], runs: Sequence[Mapping[str, Any]]
                         ) -> pd.DataFrame:
    """:func:`seed_n_frame` of the modular chapter's stacks (configurations of
    :func:`modscale.experiments.modular_sweep.stack_config`): ``method, m, width, depth, p``
    (modules, 1 for the monolithic MLP), ``K``, ``projection``, ``seed``, ``n``, ``train``,
    ``test``, ``sim_init``, ``sim_final``."""
    return seed_n_frame([({"method": s["method"], "m": s["m"], "width": s["width"],
                           "depth": s["depth"], "p": s["n_modules"] or 1, "K": s["n_modules"],
                           "projection": s["projection"]}, r["seeds"], r["n"], r)
                         for s, r in zip(specs, runs, strict=True)],
                        ("train", "test", "sim_init", "sim_final"))


def harder_module_curves(variants: Mapping[str, pd.DataFrame], *, n_fig2: int
                         ) -> dict[str, tuple[pd.Series, pd.Series]]:
    """The curves of the sine chapter's harder-module figure, per task variant (label -> grid
    rows (m, n, seed, test) of one architecture): ``(test loss at n_fig2 by m, test loss by n
    averaged over m)``, each a seed average (mean over rows, then over m)."""
    return {label: (frame[frame["n"] == n_fig2].groupby("m")["test"].mean(),
                    frame.groupby(["m", "n"])["test"].mean().groupby("n").mean())
            for label, frame in variants.items()}


def harder_module_table(variants: Mapping[str, pd.DataFrame],
                        curves: Mapping[str, tuple[pd.Series, pd.Series]], *, ms: Sequence[int],
                        thresholds: Sequence[float], shown: Sequence[float], rule: str,
                        n_fig2: int) -> pd.DataFrame:
    """The table beside the sine chapter's harder-module figure: per variant, the samples
    needed to reach each test loss of ``shown`` that is among the searched ``thresholds``
    (crossing ``rule``), then the test loss at ``n_fig2``; one column ``m=<m>`` per m of
    ``ms`` (NaN: not measured). ``variants`` and ``curves`` as for :func:`harder_module_curves`."""
    rows = []
    for label, frame in variants.items():
        sct = sample_complexity_table(frame, thresholds, rule=rule)
        for thr in shown:
            if thr in thresholds:
                row = sct[sct["threshold"] == thr].set_index("m")["n_required"]
                rows.append({"task": label, "quantity": f"n to reach test loss {thr}",
                             **{f"m={m}": row.get(m, np.nan) for m in ms}})
        at_n = curves[label][0]
        rows.append({"task": label, "quantity": f"test loss at n={n_fig2}",
                     **{f"m={m}": at_n.get(m, np.nan) for m in ms}})
    return pd.DataFrame(rows)


__all__ = ["sample_complexity_table", "sample_complexity_by_method", "aggregate_sample_complexity",
           "slope_per_dim", "Panel",
           "fig2_panels", "long_frame", "seed_n_frame", "modular_stacks_frame",
           "harder_module_curves", "harder_module_table"]
