"""Fig. 3a where the paper's baseline lives: every reading of Algorithm 1 and the aligned starts
in the regime that fits the paper's Fig. 4 baseline, and the alignment dose-response.

The modular chapter's regime study (:mod:`modscale.experiments.modular_regime`) selects, on two
named numbers of the paper's Fig. 4 (the baseline's similarity at iterations 0 and 1,000), the
setting of the reconstruction's free choices that puts the baseline's alignment where the
paper's is. This module builds the stacks that judge the paper's Fig. 3a claims *there*:

- :func:`fig3a_specs`: the Fig. 3a stacks (the Algorithm 1 chapter's task, n grid and protocol)
  of every method of ``pr_methods`` (monolithic, modular, the literal / joint / greedy-residual
  readings, the oracle) at every m of ``pr_m_values`` and width of ``pr_widths``, in every regime
  (the paper-matched one and today's, as its sensitivity), seeds ``range(pr_seeds)`` in two
  chunks: ``range(grid_seeds)`` (the modular chapter's grid stacks, reused) and the rest; the
  sensitivity regime with the first ``pr_sensitivity_seeds`` seeds.
- :func:`dose_specs`: the ``mixed`` start at every ``dose_alphas`` (alpha = 0 is the modular
  baseline, 1 the oracle: both come from :func:`fig3a_specs`), at ``dose_m_values``.
- :func:`fig4_specs`: the Fig. 4 stacks of every reading and the oracle in the paper-matched
  regime.

The oracle and the mixed starts use the task's true directions: they are bounds and doses, not
readings of Algorithm 1 (:mod:`modscale.training.aligned_start`).
"""

from __future__ import annotations

import dataclasses
import math

from modscale.experiments.fig3a_readings import Fig3aSpec
from modscale.experiments.modular_calibrated import ModularSpec, from_fig3a

PAPER_METHODS = ("monolithic", "modular", "ours_literal", "ours_joint", "ours_greedy_residual",
                 "oracle")
"""The methods of the paper-regime Fig. 3a (``mixed`` is the dose-response's)."""


def _chunks(mcfg, regime: str, regimes: dict) -> list[tuple[int, ...]]:
    """Seed chunks of a regime's stacks: ``range(grid_seeds)`` (the grid's stacks) and the rest
    of ``range(pr_seeds)`` in the paper-matched regime (the last of ``regimes``); the first
    ``pr_sensitivity_seeds`` of the first chunk in the others (the sensitivity)."""
    first = tuple(range(min(mcfg.grid_seeds, mcfg.pr_seeds)))
    if regime != matched_regime(regimes):
        return [first[:mcfg.pr_sensitivity_seeds]]
    rest = tuple(range(len(first), mcfg.pr_seeds))
    return [first, rest] if rest else [first]


def matched_regime(regimes: dict) -> str:
    """The paper-matched regime: the last of ``regimes`` (the regime study's selection, once it
    is stored; today's otherwise)."""
    return list(regimes)[-1]


def _stack(base: Fig3aSpec, changes: dict, method: str, m: int, width: int, seeds: tuple,
           **extra) -> Fig3aSpec:
    ch = {} if method == "monolithic" else dict(changes)
    if ch.get("proj_scale", 1.0) is None:  # sqrt(m) of each stack
        ch["proj_scale"] = round(math.sqrt(m), 6)
    return dataclasses.replace(base, method=method, m=m, width=width, seeds=seeds, **ch,
                               **extra)


def fig3a_specs(mcfg, base: Fig3aSpec, regimes: dict[str, dict]
                ) -> list[tuple[str, Fig3aSpec]]:
    """(regime, stack) of the paper-regime Fig. 3a (see the module docstring); ``base`` is a
    stack of the Algorithm 1 chapter's comparison, ``regimes`` maps a regime name to its
    regime-field changes (:func:`modscale.experiments.modular_regime.regimes`). Depth is the
    modular chapter's first ``grid_depths``. The monolithic MLP has no regime: its stacks appear
    once, under the first regime."""
    out, seen = [], set()
    depth = mcfg.grid_depths[0]
    for regime, changes in regimes.items():
        for chunk in _chunks(mcfg, regime, regimes):
            for width in mcfg.pr_widths:
                for m in mcfg.pr_m_values:
                    for method in mcfg.pr_methods:
                        spec = _stack(dataclasses.replace(base, depth=depth), changes, method,
                                      m, width, chunk)
                        if spec not in seen:
                            seen.add(spec)
                            out.append((regime, spec))
    return out


def dose_specs(mcfg, base: Fig3aSpec, regimes: dict[str, dict]
               ) -> list[tuple[str, Fig3aSpec]]:
    """(regime, stack) of the alignment dose-response: the ``mixed`` start at every alpha of
    ``dose_alphas`` strictly between 0 and 1 (the ends are the modular and oracle stacks of
    :func:`fig3a_specs`), every m of ``dose_m_values``, width ``pr_widths[0]``, the seeds of
    :func:`fig3a_specs`, in every regime."""
    depth = mcfg.grid_depths[0]
    return [(regime, _stack(dataclasses.replace(base, depth=depth), changes, "mixed", m,
                            mcfg.pr_widths[0], chunk, alpha=float(a)))
            for regime, changes in regimes.items()
            for chunk in _chunks(mcfg, regime, regimes)
            for m in mcfg.dose_m_values for a in mcfg.dose_alphas if 0.0 < a < 1.0]


def dose_curve(mcfg, base: Fig3aSpec, regimes: dict[str, dict]
               ) -> list[tuple[str, float, Fig3aSpec]]:
    """(regime, alpha, stack) of every point of the dose-response, its ends included: alpha = 0
    is the modular stack, alpha = 1 the oracle's (both from :func:`fig3a_specs`)."""
    ends = {0.0: "modular", 1.0: "oracle"}
    depth = mcfg.grid_depths[0]
    out = []
    for regime, changes in regimes.items():
        for chunk in _chunks(mcfg, regime, regimes):
            for m in mcfg.dose_m_values:
                for a in sorted({0.0, 1.0, *map(float, mcfg.dose_alphas)}):
                    b = dataclasses.replace(base, depth=depth)
                    spec = (_stack(b, changes, ends[a], m, mcfg.pr_widths[0], chunk)
                            if a in ends else
                            _stack(b, changes, "mixed", m, mcfg.pr_widths[0], chunk, alpha=a))
                    out.append((regime, a, spec))
    return out


def fig4_specs(mcfg, fig4: list[ModularSpec], changes: dict) -> list[ModularSpec]:
    """The Fig. 4 stacks of the modular chapter (``fig4``: its :func:`~modscale.experiments.
    modular_calibrated.fig4_specs`) in the regime of ``changes``, plus the oracle, with
    ``pr_fig4_seeds`` seeds."""
    ch = dict(changes)
    if ch.get("proj_scale", 1.0) is None:
        ch["proj_scale"] = round(math.sqrt(fig4[0].m), 6)
    seeds = tuple(range(mcfg.pr_fig4_seeds))
    out = [dataclasses.replace(s, seeds=seeds, **ch) for s in fig4]
    out.append(from_fig3a(out[0], method="oracle", record_every=out[0].record_every,
                          keep_directions=out[0].keep_directions))
    return out


__all__ = ["PAPER_METHODS", "matched_regime", "fig3a_specs", "dose_specs", "dose_curve",
           "fig4_specs"]
