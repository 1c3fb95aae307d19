"""Plan of the sine chapter: the calibration grid, then the Fig. 2 sweeps on the fitted task."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from modscale.experiments import calibration
from modscale.experiments.sine_sweeps import grid_specs, k_specs, variant_specs

UPSTREAM: tuple[str, ...] = ()
DEVICE_KEYED = ("sine_calibration", "sine_grid", "sine_k", "sine_alt")
"""The chapter trains every stack on its device and keys it there."""


def calibration_items(cfg: Any) -> list[tuple[str, Any]]:
    """The level stacks of every knob point of the calibration grid."""
    return [("sine_calibration", s) for kn in calibration.knob_grid(cfg)
            for s in calibration.level_specs(cfg, kn)]


def fitted(cfg: Any) -> Any | None:
    """The chapter's config with the calibrated knobs (what downstream chapters train on), from
    the stored grid; None while the grid is incomplete."""
    grid = calibration.load_grid(cfg)
    return None if grid is None else calibration.fitted_config(cfg, grid)


def alt_frequencies(cfg: Any) -> tuple[float, ...]:
    """The harder variant's frequencies, scaled by the same hardness knob as the task's."""
    return tuple(f * cfg.freq_scale for f in cfg.alt_frequencies)


def sweeps(cfg: Any) -> dict[str, list]:
    """Experiment -> stacks of the Fig. 2 sweeps of the (fitted) config ``cfg``: the k-sweep,
    the width x depth grid and the harder variant."""
    return {"sine_k": k_specs(cfg), "sine_grid": grid_specs(cfg),
            "sine_alt": variant_specs(cfg, cfg.alt_amplitudes, alt_frequencies(cfg))}


def plan(cfg: Any, upstream: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The calibration grid, then (once it is stored) the sweeps on the fitted task."""
    out = calibration_items(cfg)
    fit = fitted(cfg)
    if fit is not None:
        out += [(exp, s) for exp, specs in sweeps(fit).items() for s in specs]
    return out
