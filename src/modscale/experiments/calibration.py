"""Calibrating the reconstructed sine task to the paper's *level* numbers (a reconstruction step).

The paper does not give its task's constants. Three knobs of :mod:`modscale.tasks.sine_task` set the
loss *levels* a network reaches: the label-noise variance ``noise_var`` (the floor of the test
loss), the clean target variance ``target_var`` (= ``output_scale**2``, the loss of a constant
predictor, minus the noise) and a frequency scale ``freq_scale`` (how hard the signal is to
learn). They are fitted on a coarse grid (the ``cal_*`` parameters) to :data:`FIT_QUANTITIES`
only -- the n-panel plateau, the n-panel's smallest-n point, the p-panel's smallest-p point and
the m-panel's end points of paper Fig. 2 -- with the paper's training protocol and the paper's
averaging (mean over seeds, then over the thin lines of the panel). The objective is the root
mean square of ``log(measured / paper)`` over those quantities (:func:`objective`).

Everything else the paper shows (peak locations and heights, the interior of the m trend, train
loss against m, k-invariance, n = 3e3-1e4, Fig. 3a) is *held out*: computed on the fitted task
and reported as a prediction (:func:`held_out_quantities`).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from modscale import paper_data
from modscale.experiments.sine_sweeps import StackSpec, _common, _specs, n_grid
from modscale.tasks.sine_task import SineTaskSpec, output_scale_of, target_var_of


@dataclass(frozen=True)
class Knobs:
    """One point of the calibration grid (``target_var`` = clean target variance)."""

    noise_var: float
    freq_scale: float
    target_var: float

    @property
    def label(self) -> str:
        return f"noise {self.noise_var:g}, freq x{self.freq_scale:g}, var {self.target_var:g}"


def knob_grid(cfg: Any) -> list[Knobs]:
    """Every combination of ``cal_noise_vars`` x ``cal_freq_scales`` x ``cal_target_vars``."""
    return [Knobs(float(a), float(b), float(c)) for a, b, c in
            itertools.product(cfg.cal_noise_vars, cfg.cal_freq_scales, cfg.cal_target_vars)]


def apply_knobs(cfg: Any, knobs: Knobs) -> Any:
    """``cfg`` with the task knobs set to ``knobs`` (and ``task_knobs='manual'``)."""
    return dataclasses.replace(cfg, task_knobs="manual", noise_var=knobs.noise_var,
                               freq_scale=knobs.freq_scale,
                               output_scale=output_scale_of(knobs.target_var))


def manual_knobs(cfg: Any) -> Knobs:
    """The knobs of a ``task_knobs='manual'`` config."""
    return Knobs(float(cfg.noise_var), float(cfg.freq_scale),
                 target_var_of(cfg.output_scale))


def plateau_ns(cfg: Any) -> tuple[int, ...]:
    """The n-grid points of the n-panel plateau (n >= 3e4) plus the smallest n."""
    grid = n_grid(cfg)
    return tuple(sorted({grid[0], *[n for n in grid if n >= 30_000]}))


def level_specs(cfg: Any, knobs: Knobs) -> list[StackSpec]:
    """The stacks that measure :data:`FIT_QUANTITIES` at ``knobs``.

    (a) the n-panel architecture at every m and the n of :func:`plateau_ns`; (b) every
    architecture at ``n_fig2`` for the smallest and largest m (m-panel end points); (c) the
    smallest architecture at ``n_fig2`` for every m (the p-panel's smallest-p point).
    """
    common = _common(apply_knobs(cfg, knobs))
    k = (cfg.k_fixed,)
    ns = plateau_ns(cfg)
    ms = tuple(cfg.m_values)
    ends = (min(ms), max(ms))
    w0, d0 = min(cfg.widths), min(cfg.depths)
    specs = [_specs(cfg, ms, cfg.n_panel_width, cfg.n_panel_depth, k, ns, **common)]
    specs += [_specs(cfg, ms if (w, d) == (w0, d0) else ends, w, d, k, (cfg.n_fig2,), **common)
              for w in cfg.widths for d in cfg.depths]
    return specs


def run_grid(cfg: Any, device: Any = "cpu", progress: bool = True
             ) -> tuple[dict[Knobs, pd.DataFrame], pd.DataFrame]:
    """Train (or load from the cache, experiment ``sine_calibration``) the level stacks of every
    knob point; returns ({knobs: per-model rows}, per-stack runs)."""
    from modscale.experiments.sine_sweeps import run_sweep

    out, runs = {}, []
    for kn in knob_grid(cfg):
        frame, r = run_sweep("sine_calibration", level_specs(cfg, kn), device=device,
                             progress=progress)
        out[kn] = frame
        runs.append(r)
    return out, pd.concat(runs, ignore_index=True)


def load_grid(cfg: Any) -> dict[Knobs, pd.DataFrame] | None:
    """The stored calibration grid ({knobs: per-model rows}: local cache, then the results
    store), or None if any stack is missing."""
    from modscale.experiments.sine_sweeps import stack_frame
    from modscale.infra.cache import find

    out = {}
    for kn in knob_grid(cfg):
        frames = []
        for spec in level_specs(cfg, kn):
            res = find("sine_calibration", spec)
            if res is None:
                return None
            frames.append(stack_frame(spec, res))
        out[kn] = pd.concat(frames, ignore_index=True)
    return out


def fitted_config(cfg: Any, results: dict[Knobs, pd.DataFrame]) -> Any:
    """``cfg`` with its task knobs resolved: the calibration argmin for ``task_knobs='fitted'``,
    ``cfg`` itself for ``'manual'``."""
    if cfg.task_knobs == "manual":
        return cfg
    return apply_knobs(cfg, best_knobs({kn: measure_fit_quantities(f, cfg)
                                        for kn, f in results.items()}))


# ----------------------------------------------------------------------------- quantities
@dataclass(frozen=True)
class Quantity:
    """A number of paper Fig. 2 / Fig. 3a: ``name``, what it is, the paper's value."""

    name: str
    description: str
    paper: float


def _panel_mean(frame: pd.DataFrame, line: list[str], col: str = "test") -> tuple[float, float]:
    """The paper's "Averaged" value of ``frame``: per seed, mean over the thin lines ``line``
    (each first averaged over nothing else); returns (mean over seeds, sd over seeds)."""
    if frame.empty:
        return math.nan, math.nan
    per_seed = frame.groupby(["seed", *line])[col].mean().groupby("seed").mean()
    sd = float(per_seed.std(ddof=1)) if len(per_seed) > 1 else math.nan
    return float(per_seed.mean()), sd


def _nearest(values: Any, target: float) -> float:
    v = np.asarray(sorted(set(values)), dtype=float)
    return float(v[np.argmin(np.abs(np.log(v) - math.log(target)))])


def fit_quantities(cfg: Any) -> list[Quantity]:
    """The level numbers the knobs are fitted to (paper values from
    :mod:`modscale.paper_data`)."""
    n_pan = paper_data.FIG2_N
    m_pan = paper_data.FIG2_M
    return [
        Quantity("n-panel test, n = 100", "n-panel (width-32 depth-3 MLPs), averaged over m",
                 n_pan["actual_test"][0]),
        Quantity("n-panel test, n = 3.2e4", "n-panel plateau, averaged over m",
                 n_pan["actual_test"][4]),
        Quantity("n-panel test, n = 1e5", "n-panel plateau, averaged over m",
                 n_pan["actual_test"][5]),
        Quantity("p-panel test, smallest p", "smallest MLP at n = 1000, averaged over m",
                 paper_data.FIG2_P["actual_test_p1e2"]),
        Quantity(f"m-panel test, m = {m_pan['m'][0]}", "n = 1000, averaged over architectures",
                 m_pan["actual_test"][0]),
        Quantity(f"m-panel test, m = {m_pan['m'][-1]}", "n = 1000, averaged over architectures",
                 m_pan["actual_test"][-1]),
    ]


def measure_fit_quantities(frame: pd.DataFrame, cfg: Any) -> pd.DataFrame:
    """Measured value and seed sd of each of :func:`fit_quantities` from per-model rows ``frame``
    (columns m, width, depth, seed, n, test; the stacks of :func:`level_specs` or of the full
    sweep). Returns columns quantity, description, paper, measured, seed_sd."""
    npan = frame[(frame.width == cfg.n_panel_width) & (frame.depth == cfg.n_panel_depth)]
    n1k = frame[frame.n == cfg.n_fig2]
    ns = sorted(set(npan.n))
    w0, d0 = min(cfg.widths), min(cfg.depths)
    m_lo, m_hi = min(cfg.m_values), max(cfg.m_values)
    rows = []
    selectors = [
        (npan[npan.n == ns[0]] if ns else npan.iloc[:0], ["m"]),
        (npan[npan.n == _nearest(ns, 31_623)] if ns else npan.iloc[:0], ["m"]),
        (npan[npan.n == _nearest(ns, 100_000)] if ns else npan.iloc[:0], ["m"]),
        (n1k[(n1k.width == w0) & (n1k.depth == d0)], ["m"]),
        (n1k[n1k.m == m_lo], ["width", "depth"]),
        (n1k[n1k.m == m_hi], ["width", "depth"]),
    ]
    for q, (sub, line) in zip(fit_quantities(cfg), selectors, strict=True):
        mean, sd = _panel_mean(sub, line)
        rows.append({"quantity": q.name, "description": q.description, "paper": q.paper,
                     "measured": mean, "seed_sd": sd})
    return pd.DataFrame(rows)


def _row(quantity: str, paper: float, measured: float, sd: float, role: str, kind: str,
         description: str) -> dict[str, Any]:
    return {"quantity": quantity, "description": description, "paper": float(paper),
            "measured": float(measured), "seed_sd": float(sd), "role": role, "kind": kind}


def _per_seed_line(frame: pd.DataFrame, x: str, line: list[str], col: str) -> pd.DataFrame:
    """(seed x x-value) table of the panel's averaged line: mean over ``line`` per seed."""
    return frame.groupby(["seed", x, *line])[col].mean().groupby(["seed", x]).mean().unstack(x)


def held_out_quantities(grid: pd.DataFrame, ksweep: pd.DataFrame, sc_agg: pd.DataFrame | None,
                        cfg: Any) -> pd.DataFrame:
    """The shape numbers of Fig. 2 and Fig. 3a that the calibration did not see, measured on the
    fitted task: per-model rows ``grid`` (m, width, depth, p, seed, n, train, test), ``ksweep``
    (k, ..., at ``n_fig2``), and ``sc_agg`` (index m, column ``geo_mean_n``: sample complexity at
    the paper's threshold 1.5; None to skip). Returns rows quantity, description, paper,
    measured, seed_sd, role (``held-out``), kind (``level`` or ``location``: compare in log)."""
    rows: list[dict[str, Any]] = []
    n1k = grid[grid.n == cfg.n_fig2]
    # p-panel: x = mean p of each architecture, averaged over m
    by_arch = n1k.assign(arch=n1k.width * 100 + n1k.depth)
    pp = _per_seed_line(by_arch, "arch", ["m"], "test")
    p_of = by_arch.groupby("arch")["p"].mean()
    mean_line = pp.mean(0)
    order = p_of.sort_values().index
    mean_line, pp = mean_line[order], pp[order]
    peak = mean_line.idxmax()
    fp = paper_data.FIG2_P
    rows.append(_row("p-panel peak test", fp["actual_test_peak"], mean_line.max(),
                     pp.max(1).std(ddof=1), "held-out", "level",
                     "height of the averaged test curve's maximum over p (n = 1000)"))
    rows.append(_row("p-panel peak location p", fp["actual_test_peak_p"], p_of[peak],
                     math.nan, "held-out", "location", "p of that maximum"))
    top = list(order[-3:])
    rows.append(_row("p-panel test, 3 largest p", float(np.mean(fp["actual_test_after_peak"])),
                     mean_line[top].mean(), pp[top].mean(1).std(ddof=1), "held-out", "level",
                     "mean of the averaged test curve at the three largest architectures"))
    tr = _per_seed_line(by_arch, "arch", ["m"], "train")
    rows.append(_row("p-panel train, smallest p", fp["actual_train_p1e2"], tr[order[0]].mean(),
                     tr[order[0]].std(ddof=1), "held-out", "level",
                     "training loss of the smallest MLP, averaged over m"))
    # n-panel
    npan = grid[(grid.width == cfg.n_panel_width) & (grid.depth == cfg.n_panel_depth)]
    nl = _per_seed_line(npan, "n", ["m"], "test")
    fn = paper_data.FIG2_N
    for n_paper, v in zip(fn["n"][1:4], fn["actual_test"][1:4], strict=True):
        n_near = _nearest(nl.columns, n_paper)
        rows.append(_row(f"n-panel test, n = {n_paper:.2g}", v, nl[n_near].mean(),
                         nl[n_near].std(ddof=1), "held-out", "level",
                         f"n-panel at n = {int(n_near):,}, averaged over m"))
    peak_n = nl.mean(0).idxmax()
    rows.append(_row("n-panel peak location n", fn["n"][int(np.argmax(fn["actual_test"]))],
                     peak_n, math.nan, "held-out", "location",
                     "n of the averaged test curve's maximum"))
    ntr = _per_seed_line(npan, "n", ["m"], "train")
    rows.append(_row("n-panel train, largest n", fn["train_large_n"], ntr[ntr.columns.max()].mean(),
                     ntr[ntr.columns.max()].std(ddof=1), "held-out", "level",
                     "training loss at the largest n, averaged over m"))
    # m-panel interior and train
    fm = paper_data.FIG2_M
    ml = _per_seed_line(n1k, "m", ["width", "depth"], "test")
    for m, v in zip(fm["m"][1:-1], fm["actual_test"][1:-1], strict=True):
        if m in ml.columns:
            rows.append(_row(f"m-panel test, m = {m}", v, ml[m].mean(), ml[m].std(ddof=1),
                             "held-out", "level", "n = 1000, averaged over architectures"))
    mtr = _per_seed_line(n1k, "m", ["width", "depth"], "train")
    for m, v in ((min(mtr.columns), fm["actual_train_range"][0]),
                 (max(mtr.columns), fm["actual_train_range"][1])):
        rows.append(_row(f"m-panel train, m = {m}", v, mtr[m].mean(), mtr[m].std(ddof=1),
                         "held-out", "level", "training loss, averaged over architectures"))
    # k-panel
    fk = paper_data.FIG2_K
    kl = _per_seed_line(ksweep, "k", ["width", "depth"], "test")
    if 2 in kl.columns:
        rows.append(_row("k-panel test, k = 2", fk["actual_test_k2"], kl[2].mean(),
                         kl[2].std(ddof=1), "held-out", "level",
                         f"m = {cfg.m_fixed}, n = 1000, averaged over architectures"))
    rest = [k for k in kl.columns if k >= 3]
    if rest:
        rows.append(_row("k-panel test, mean over k >= 3",
                         float(np.mean(fk["actual_test_range_k3_9"])), kl[rest].mean(1).mean(),
                         kl[rest].mean(1).std(ddof=1), "held-out", "level",
                         "paper: the midpoint of its range 1.7-2.2"))
    # Fig. 3a monolithic at the paper's threshold
    if sc_agg is not None:
        f3 = paper_data.FIG3A
        for m, v in zip(f3["m"], f3["monolithic"], strict=True):
            if m in sc_agg.index and np.isfinite(sc_agg.loc[m, "geo_mean_n"]):
                rows.append(_row(f"Fig. 3a monolithic, m = {m}", v, sc_agg.loc[m, "geo_mean_n"],
                                 math.nan, "held-out", "location",
                                 "samples to test loss 1.5, geometric mean over architectures"))
    return pd.DataFrame(rows)


def log_residual(measured: Any, paper: Any) -> np.ndarray:
    """``log(measured / paper)`` (NaN where either is not positive)."""
    a, b = np.asarray(measured, float), np.asarray(paper, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((a > 0) & (b > 0), np.log(a / b), np.nan)


def objective(table: pd.DataFrame) -> float:
    """Root mean square of ``log(measured / paper)`` over the rows of ``table`` (inf if any row
    is unmeasured: a knob point that cannot produce a quantity cannot be the fit)."""
    r = log_residual(table["measured"], table["paper"])
    if len(r) == 0 or np.isnan(r).any():
        return math.inf
    return float(np.sqrt(np.mean(r ** 2)))


def grid_table(results: dict[Knobs, pd.DataFrame]) -> pd.DataFrame:
    """One row per knob point: the knobs, each fit quantity's measured value and the objective;
    sorted by the objective (best first)."""
    rows = []
    for kn, tab in results.items():
        row = {"noise_var": kn.noise_var, "freq_scale": kn.freq_scale,
               "target_var": kn.target_var}
        row.update(dict(zip(tab["quantity"], tab["measured"], strict=True)))
        row["objective"] = objective(tab)
        rows.append(row)
    return pd.DataFrame(rows).sort_values("objective", kind="stable").reset_index(drop=True)


def best_knobs(results: dict[Knobs, pd.DataFrame]) -> Knobs:
    """The knob point of least :func:`objective` (ties: first in grid order)."""
    return ranked_knobs(results)[0]


def ranked_knobs(results: dict[Knobs, pd.DataFrame]) -> list[Knobs]:
    """The knob points in order of :func:`objective`, best first (stable: grid order on ties);
    ``results``: {knobs: fit-quantity table}."""
    if not results:
        raise ValueError("no calibration results")
    return sorted(results, key=lambda kn: objective(results[kn]))


__all__ = ["Knobs", "sine_task_knobs", "comparison_task", "knob_grid", "apply_knobs",
           "manual_knobs", "plateau_ns", "level_specs",
           "run_grid", "load_grid", "fitted_config",
           "Quantity", "fit_quantities", "measure_fit_quantities", "held_out_quantities",
           "log_residual", "objective",
           "grid_table", "best_knobs", "ranked_knobs"]


def sine_task_knobs(scfg: Any, mode: str, manual: Knobs, device: Any = "cpu"
                    ) -> tuple[Knobs, SineTaskSpec]:
    """The sine task another chapter trains on: (its calibration knobs, the task spec).
    ``scfg`` is the sine chapter's config as that chapter ran
    (:func:`modscale.infra.profiles.upstream_config` in a chapter), passed in, never looked up
    here. ``mode='fitted'``: the calibration argmin of the sine chapter's grid (its grid
    loaded from the cache or the results store, or computed); ``'runner_up'``: the second-best
    knob point of that grid (the calibration-sensitivity check); ``'manual'``: ``manual``. Every
    other knob (b, sine components, normalisation, any later knob) is ``scfg``'s: the task is
    :meth:`SineTaskSpec.from_params` of that config with the knobs applied."""
    from modscale.infra.profiles import check_choice

    check_choice("sc_task", mode, ("fitted", "runner_up", "manual"))
    if mode in ("fitted", "runner_up"):
        grid, _ = run_grid(scfg, device=device, progress=False)
        if mode == "fitted":
            knobs = manual_knobs(fitted_config(scfg, grid))
        else:
            ranked = ranked_knobs({kn: measure_fit_quantities(f, scfg)
                                   for kn, f in grid.items()})
            knobs = manual_knobs(apply_knobs(scfg, ranked[1]))
    else:
        knobs = manual
    return knobs, SineTaskSpec.from_params(apply_knobs(scfg, knobs))


def comparison_task(scfg: Any, cfg: Any, device: Any = "cpu"
                    ) -> tuple[Knobs, SineTaskSpec]:
    """:func:`sine_task_knobs` of the Algorithm 1 chapter's Fig. 3a comparison, from the sine
    chapter's config ``scfg`` and the Algorithm 1 chapter's config ``cfg``
    (:class:`~modscale.infra.profiles.algorithm1.Algorithm1Params`: its
    ``sc_task`` and the manual knobs ``sc_noise_var``, ``sc_freq_scale``, ``sc_target_var``)."""
    manual = Knobs(cfg.sc_noise_var, cfg.sc_freq_scale, cfg.sc_target_var)
    return sine_task_knobs(scfg, cfg.sc_task, manual, device=device)
