"""The K-vs-k ablation of the Algorithm 1 chapter on the calibrated sine task.

The same stacks as :mod:`modscale.experiments.fig3a_readings` (same experiment, same cache
entries), at the
largest input dimension m of the comparison, for the random-projection modular network and the
literal reading, with K = factor * k network modules for each factor of
``cfg.sc_ablation_factors`` (a reviewer asked whether the method needs K matched to k).
"""

from __future__ import annotations

import dataclasses

ABLATION_METHODS = ("modular", "ours_literal")


def ablation_specs(cfg, specs: list) -> list:
    """Stacks of the ablation: each :class:`~modscale.experiments.fig3a_readings.Fig3aSpec` of
    ``specs`` (first seed chunk) at ``max(cfg.sc_m_values)`` with a method in
    :data:`ABLATION_METHODS`, with ``n_modules`` set to ``factor * k`` for every factor of
    ``cfg.sc_ablation_factors`` (the factor ``cfg.sc_modules_factor`` gives back the
    comparison's own stacks)."""
    m_hi = max(cfg.sc_m_values)
    base = [s for s in specs if s.m == m_hi and s.method in ABLATION_METHODS
            and s.seeds[0] == 0]  # the first seed chunk (fig3a_readings.primary)
    return [dataclasses.replace(s, n_modules=f * s.k) for f in cfg.sc_ablation_factors
            for s in base]


__all__ = ["ABLATION_METHODS", "ablation_specs"]
