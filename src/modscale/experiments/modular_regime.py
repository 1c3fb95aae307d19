"""The modular baseline's regime: which reconstruction choices put its alignment where the
paper's Fig. 4 puts it, and Fig. 3a over an architecture grid in that regime and in today's.

The paper's random-projection baseline barely aligns with the task's modules (similarity 0.537
at iteration 0, 0.578 at 1,000; SPEC §5.2), and in its Fig. 3a it needs *more* samples than the
monolithic MLP. The book's baseline (each module as wide and deep as the monolithic MLP, K = 2k,
b = 1, unit-norm Gaussian projections trained at the common learning rate) aligns fast and needs
fewer. None of those choices is the paper's text, so each is a parameter of
:class:`~modscale.experiments.fig3a_readings.Fig3aSpec` (its *regime fields*: ``module_size``,
``net_b``, ``proj_init``, ``proj_scale``, ``proj_normalize``, ``proj_lr_scale``, plus
``n_modules``), and the Fig. 4 task's n and m are parameters of the modular chapter.

**The study** (:func:`study_specs`): the Fig. 4 stack of the modular chapter (calibrated task,
m = ``align_m``, k = ``align_k``, one training-set size ``align_n``) for the baseline and for
the kernel initialiser (literal reading) in every setting of :data:`SETTINGS` (one knob at a
time from today's regime, and a few pairs), ``regime_iters`` iterations (the paper plots 0-1,000;
Adam at a constant learning rate makes these the first iterations of a longer run), the
similarity recorded at the paper's digitised iterations, ``regime_seeds`` seeds.

**The fit** (:func:`fit_table`) uses only the *named level numbers*: the baseline's similarity
at iterations 0 and 1,000. The setting with the smallest root-mean-square residual over those
two is *selected*. Everything else is held out: the baseline's intermediate points, the whole
ours curve, and the Fig. 3a claims on the grid (:func:`grid_specs`).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd

from modscale import methods
from modscale.experiments.fig3a_readings import Fig3aSpec, regime_of
from modscale.experiments.modular_calibrated import ModularSpec, fig4_specs
from modscale.infra.profiles import ConfigError
from modscale.paper_data import FIG4_SIMS

STUDY_METHODS = ("modular", "ours_literal")
FIT_ITERATIONS = (0, 1000)
"""The named level numbers the regime is fitted on: the baseline's similarity at these
iterations of the paper's Fig. 4."""


def settings(mcfg) -> dict[str, dict]:
    """Setting name -> changes to today's Fig. 4 stack (regime fields, K, n, m).

    One knob at a time from today's regime, then pairs of the knobs that slow alignment. K is
    given as a multiple of the task's k; ``sqrt(m)``: i.i.d. N(0, 1) entries' column norm."""
    k, m = mcfg.align_k, mcfg.align_m
    out: dict[str, dict] = {"today": {}}
    for v in (0.3, 0.1, 0.03, 0.01):
        out[f"projection lr x{v:g}"] = {"proj_lr_scale": v}
    out["modules parameter-matched"] = {"module_size": "matched"}
    out["K = k"] = {"n_modules": k}
    out["K = 5k"] = {"n_modules": 5 * k}
    out["b = 2"] = {"net_b": 2}
    out["orthonormal projections"] = {"proj_init": "orthonormal"}
    out["weight-normalised projections"] = {"proj_normalize": True}
    out["projection scale sqrt(m)"] = {"proj_scale": round(math.sqrt(m), 6)}
    out[f"n = {mcfg.align_n // 4}"] = {"n_values": (mcfg.align_n // 4,)}
    out[f"n = {mcfg.align_n * 5}"] = {"n_values": (mcfg.align_n * 5,)}
    out["m = 9"] = {"m": 9}
    out["parameter-matched, projection lr x0.1"] = {"module_size": "matched",
                                                    "proj_lr_scale": 0.1}
    out["projection scale sqrt(m), lr x0.1"] = {"proj_scale": round(math.sqrt(m), 6),
                                                "proj_lr_scale": 0.1}
    return out


def study_specs(mcfg, base: Fig3aSpec) -> list[tuple[str, ModularSpec]]:
    """(setting, stack) of the regime study: every setting of :func:`settings` for every method
    of :data:`STUDY_METHODS`, on the Fig. 4 stack of ``base`` (see the module docstring)."""
    fig4 = {s.method: s for s in fig4_specs(mcfg, base)}
    every = min(np.diff(FIG4_SIMS["iteration"]))
    out = []
    chosen = settings(mcfg)
    if mcfg.regime_settings != ("all",):
        unknown = [s for s in mcfg.regime_settings if s not in chosen]
        if unknown:
            raise ConfigError(f"parameter 'regime_settings': {unknown} are not settings; "
                              f"allowed: 'all' or {', '.join(map(repr, chosen))}")
        chosen = {k: v for k, v in chosen.items() if k in mcfg.regime_settings}
    for name, changes in chosen.items():
        for method in STUDY_METHODS:
            spec = dataclasses.replace(fig4[method], iters=mcfg.regime_iters,
                                       record_every=int(every), keep_directions=False,
                                       seeds=tuple(range(mcfg.regime_seeds)), **changes)
            out.append((name, spec))
    return out


def trajectories(study: list[tuple[str, ModularSpec]], runs: list[dict]) -> pd.DataFrame:
    """Long table ``setting, method, seed, iteration, similarity`` of the study's runs."""
    rows = []
    for (name, spec), run in zip(study, runs, strict=True):
        hist = run["sim_history"]  # (E, S, 1)
        for e, it in enumerate(run["sim_steps"]):
            for s, seed in enumerate(spec.seeds):
                rows.append({"setting": name, "method": spec.method, "seed": seed,
                             "iteration": int(it), "similarity": float(hist[e, s, 0])})
    return pd.DataFrame(rows)


def measured_iteration(traj: pd.DataFrame, iteration: int) -> int:
    """The recorded iteration that stands for the paper's ``iteration``: itself, or the last
    one recorded before it (a run shorter than the paper's 1,000 iterations: smoke profile)."""
    steps = np.unique(traj.iteration.to_numpy())
    return int(steps[steps <= iteration].max())


def _at(traj: pd.DataFrame, setting: str, method: str, iteration: int) -> np.ndarray:
    it = measured_iteration(traj, iteration)
    sel = traj[(traj.setting == setting) & (traj.method == method) & (traj.iteration == it)]
    return sel.sort_values("seed").similarity.to_numpy()


def fit_residuals(traj: pd.DataFrame) -> pd.DataFrame:
    """Per setting: the baseline's seed-mean similarity at :data:`FIT_ITERATIONS`, the
    residuals against the paper and their RMS (``fit_rms``), sorted best first."""
    paper = dict(zip(FIG4_SIMS["iteration"], FIG4_SIMS["baseline"], strict=True))
    rows = []
    for setting in dict.fromkeys(traj.setting):
        row = {"setting": setting}
        res = []
        for it in FIT_ITERATIONS:
            v = _at(traj, setting, "modular", it)
            row[f"sim_{it}"] = float(v.mean())
            row[f"sd_{it}"] = float(v.std(ddof=1)) if len(v) > 1 else float("nan")
            res.append(float(v.mean()) - paper[it])
        row["fit_rms"] = float(np.sqrt(np.mean(np.square(res))))
        rows.append(row)
    return pd.DataFrame(rows).sort_values("fit_rms", kind="stable").reset_index(drop=True)


def selected_setting(traj: pd.DataFrame) -> str:
    """The setting with the smallest fit RMS (:func:`fit_residuals`)."""
    return str(fit_residuals(traj).setting.iloc[0])


def regime_table(traj: pd.DataFrame, setting: str) -> pd.DataFrame:
    """``quantity, paper, measured, seed_sd, role, setting``: every digitised Fig. 4 point of the
    baseline and of ours against ``setting``'s seed means; ``role`` is ``fit`` for the named
    level numbers (:data:`FIT_ITERATIONS` of the baseline), ``held-out`` otherwise."""
    rows = []
    recorded = set(traj.iteration)
    for method, curve in (("modular", "baseline"), (methods.PAPER_OURS, "ours")):
        for it, paper in zip(FIG4_SIMS["iteration"], FIG4_SIMS[curve], strict=True):
            if it not in recorded and it != FIT_ITERATIONS[-1]:
                continue  # a shorter run: only its last iteration stands for 1,000
            v = _at(traj, setting, method, it)
            if not len(v):
                continue
            at = measured_iteration(traj, it)
            label = f"{it}" if at == it else f"{at} (paper: {it})"
            rows.append({"quantity": f"Fig. 4 {curve} similarity at iteration {label}",
                         "paper": paper, "measured": float(v.mean()),
                         "seed_sd": float(v.std(ddof=1)) if len(v) > 1 else float("nan"),
                         "role": "fit" if (curve == "baseline" and it in FIT_ITERATIONS)
                         else "held-out", "setting": setting})
    return pd.DataFrame(rows)


def regime_changes(mcfg, setting: str, base: Fig3aSpec) -> dict:
    """The regime-field changes of ``setting`` that apply to a Fig. 3a stack (K as a multiple of
    the task's k; the Fig. 4 task's n and m do not carry over)."""
    changes = dict(settings(mcfg)[setting])
    if "n_modules" in changes:
        changes["n_modules"] = changes["n_modules"] // mcfg.align_k * base.k
    if "proj_scale" in changes:  # sqrt(m) of the Fig. 4 task -> sqrt(m) of each stack
        changes["proj_scale"] = None
    return {k: v for k, v in changes.items() if k not in ("n_values", "m")}


def study_results(study: list[tuple[str, ModularSpec]]) -> list[dict] | None:
    """The stored runs of the regime study, or None if any is missing (nothing is computed)."""
    from modscale.infra.cache import find

    runs = [find("modular_calibrated", spec) for _, spec in study]
    return None if any(r is None for r in runs) else runs


def regimes(mcfg, base: Fig3aSpec, study: list[tuple[str, ModularSpec]]) -> dict[str, dict]:
    """Regime name -> regime-field changes of the Fig. 3a grid: ``today`` ({}) and, once the
    study is stored, ``mcfg.grid_regime`` (``selected``: the best-fitting setting)."""
    out: dict[str, dict] = {"today": {}}
    name = mcfg.grid_regime
    if name == "selected":
        runs = study_results(study)
        if runs is None:
            return out
        name = selected_setting(trajectories(study, runs))
    elif name not in settings(mcfg):
        raise ConfigError(f"parameter 'grid_regime': {name!r} is not allowed; allowed: "
                          f"'selected' or {', '.join(map(repr, settings(mcfg)))}")
    changes = regime_changes(mcfg, name, base)
    if changes:
        out[name] = changes
    return out


def grid_specs(mcfg, base: Fig3aSpec, regimes: dict[str, dict]
               ) -> list[tuple[str, Fig3aSpec]]:
    """(regime, stack) of Fig. 3a over the architecture grid: every width of ``grid_widths``
    and depth of ``grid_depths`` of the modular chapter's config ``mcfg``, every m of
    ``grid_m_values``, seeds ``range(grid_seeds)``, for each of ``grid_methods``, in every
    regime of ``regimes`` (name -> changes from :func:`regime_changes`). The task, n grid and
    protocol are those of ``base`` (a stack of the Algorithm 1 chapter's comparison).
    The monolithic MLP has no regime: its stacks appear once, under the first regime."""
    out, seen = [], set()
    for regime, changes in regimes.items():
        for w in mcfg.grid_widths:
            for d in mcfg.grid_depths:
                for m in mcfg.grid_m_values:
                    for method in mcfg.grid_methods:
                        ch = {} if method == "monolithic" else dict(changes)
                        if ch.get("proj_scale", 1.0) is None:
                            ch["proj_scale"] = round(math.sqrt(m), 6)
                        spec = dataclasses.replace(base, method=method, m=m, width=w, depth=d,
                                                   seeds=tuple(range(mcfg.grid_seeds)), **ch)
                        if spec in seen:
                            continue
                        seen.add(spec)
                        out.append((regime, spec))
    return out


__all__ = ["STUDY_METHODS", "FIT_ITERATIONS", "settings", "study_specs", "trajectories",
           "measured_iteration", "fit_residuals", "selected_setting", "regime_table",
           "regime_changes", "study_results",
           "regimes", "grid_specs",
           "regime_of"]
