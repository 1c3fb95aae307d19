"""The experiment registry: every cached or stored result belongs to one experiment declared here.

An :class:`Experiment` declares

- ``version``: an integer that is part of every result's key
  (:func:`modscale.infra.cache.entry_key`). Bump it when a change of code changes the numbers of
  the experiment; the golden recomputation in ``make test`` (:mod:`modscale.experiments.goldens`)
  fails until you do. A refactor that keeps the numbers keeps the version, so no stored result
  is thrown away;
- ``run``: ``"module:function"`` computing one configuration's payload (``function(spec)``), and
  ``spec``: ``"module:Class"`` rebuilding a frozen spec dataclass from its stored JSON form
  (``None``: the configuration is a plain dict);
- ``roots``: the ``modscale`` modules whose code computes it. Their hash is recorded in each
  entry's provenance as ``code_version`` -- advisory only (*code changed since stored*), never
  part of the key.

This module holds data only and imports no experiment, so the infrastructure layer stays below
the experiments layer (``run`` and ``spec`` are resolved lazily by :func:`resolve`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Experiment:
    """One experiment of the results store (see the module docstring)."""

    name: str
    version: int
    run: str | None
    roots: tuple[str, ...]
    spec: str | None = None
    chapter: str = ""
    doc: str = ""


_E = Experiment
EXPERIMENTS: dict[str, Experiment] = {e.name: e for e in (
    # theory chapter
    *(_E(name, 1 if name != "theory_calibration" else 2,
         f"modscale.experiments.theory_checks:{run}", ("experiments.theory_checks",),
         chapter="theory", doc=doc) for name, run, doc in (
        ("theory_mc_validation", "run_mc_case",
         "closed-form losses against Monte Carlo, one (spectrum, n, p, d) case"),
        ("theory_dd_mc_p", "run_dd_mc", "Monte-Carlo double descent in p, one point"),
        ("theory_dd_mc_n", "run_dd_mc", "Monte-Carlo double descent in n, one point"),
        ("theory_dd_paper_scale", "run_paper_scale", "theory curves at the paper's scale"),
        ("theory_m_vs_n", "run_m_vs_n", "required n against m, every architecture"),
        ("theory_calibration", "run_calibration",
         "Omega and target grid against the paper's m-vs-n curves (rows)"))),
    # modular theory chapter
    _E("modular_theory_mc", 2, "modscale.experiments.modular_theory:run_mc_point",
       ("theory.modular", "experiments.modular_theory"), chapter="modular_theory",
       doc="modular closed form against Monte Carlo, one (alignment, features, n) point"),
    _E("modular_theory_sample_complexity", 2,
       "modscale.experiments.modular_theory:run_sample_complexity",
       ("theory.modular", "experiments.modular_theory"), chapter="modular_theory",
       doc="sample complexity of monolithic, aligned and random-projection models against m"),
    # sine-wave regression chapter
    *(_E(name, 1, "modscale.experiments.sine_sweeps:run_stack", ("experiments.sine_sweeps",),
         spec="modscale.experiments.sine_sweeps:StackSpec", chapter="sine_regression",
         doc=doc) for name, doc in (
        ("sine_grid", "Fig. 2 m-, p- and n-panels and Fig. 3a monolithic: one MLP stack"),
        ("sine_k", "Fig. 2 k-panel: one MLP stack"),
        ("sine_alt", "n-panel on a task with other sine components"),
        ("sine_calibration", "the calibration grid of the task knobs: one MLP stack"))),
    # modular networks chapter
    _E("modular_stacks", 1, "modscale.experiments.modular_sweep:run_stack_from_config",
       ("experiments.modular_sweep",), chapter="modular_networks",
       doc="uncalibrated Fig. 3a and ablations: one stack of modular networks"),
    _E("modular_calibrated", 1, "modscale.experiments.modular_calibrated:run_stack",
       ("experiments.modular_calibrated",),
       spec="modscale.experiments.modular_calibrated:ModularSpec", chapter="modular_networks",
       doc="Fig. 4, t-SNE and Table 2 on the calibrated task"),
    # Compositional CIFAR-10 chapter (data-dependent: the key holds the data checksum)
    _E("cifar_run", 2, "modscale.experiments.cifar_runs:run_compact",
       ("experiments.cifar_runs",), chapter="compositional_cifar",
       doc="one CIFAR training run (its seeds trained together) at the chapter's scale"),
    _E("cifar_scale", 1, "modscale.experiments.cifar_scale:run_compact",
       ("experiments.cifar_scale",), chapter="compositional_cifar",
       doc="one CIFAR run at the paper's data scale (compact payload)"),
    _E("cifar_alg1", 1, "modscale.experiments.cifar_alg1:run_compact",
       ("experiments.cifar_alg1",), chapter="compositional_cifar",
       doc="one variant of Algorithm 1 on CIFAR: mini-batch and held-out objective histories"),
    # Algorithm 1 under the microscope
    _E("alg1_readings", 1, "modscale.training.alg1:run_reading", ("training.alg1",),
       chapter="algorithm1", doc="one reading of Algorithm 1 on n_tasks sine tasks"),
    _E("alg1_stay", 1, "modscale.training.alg1:run_stay", ("training.alg1",),
       chapter="algorithm1", doc="the stay test"),
    _E("alg1_trajectory", 1, "modscale.training.alg1:run_trajectory", ("training.alg1",),
       chapter="algorithm1", doc="similarity along the literal reading's steps"),
    _E("alg1_stopped_directions", 1, "modscale.training.alg1:run_stopped_directions",
       ("training.alg1",), chapter="algorithm1",
       doc="one network's directions after the literal reading stopped early (t-SNE)"),
    _E("fig3a_readings", 1, "modscale.experiments.fig3a_readings:run_stack",
       ("experiments.fig3a_readings",), spec="modscale.experiments.fig3a_readings:Fig3aSpec",
       chapter="algorithm1", doc="Fig. 3a on the calibrated task: one method at one m"),
)}
"""Experiment name -> :class:`Experiment`."""


def get(name: str) -> Experiment:
    """The registered experiment ``name``; a clear error listing the registered names."""
    try:
        return EXPERIMENTS[name]
    except KeyError:
        raise KeyError(f"unknown experiment {name!r}; registered: "
                       f"{', '.join(sorted(EXPERIMENTS))} (add it to "
                       "modscale.infra.registry.EXPERIMENTS)") from None


def _resolve_path(path: str) -> Any:
    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)


def resolve(name: str) -> tuple[Any, Any]:
    """``(run function, spec builder)`` of experiment ``name``: the builder turns a stored JSON
    configuration back into the object ``run`` takes (lists become tuples for dataclasses)."""
    exp = get(name)
    if exp.run is None:
        raise ValueError(f"experiment {name!r} has no registered run function")
    run = _resolve_path(exp.run)
    if exp.spec is None:
        return run, lambda config: config
    from modscale.infra.profiles import from_config

    cls = _resolve_path(exp.spec)
    return run, lambda config: from_config(cls, config)


__all__ = ["Experiment", "EXPERIMENTS", "get", "resolve"]
