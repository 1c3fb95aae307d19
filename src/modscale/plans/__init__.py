"""One plan per chapter: the chain of experiment specs a chapter reads, written once.

A chapter's plan module (``plans/<chapter>.py``) holds

- ``UPSTREAM``: the chapters whose values it uses (their configs as they ran:
  :func:`modscale.infra.profiles.upstream_config`),
- ``DEVICE_KEYED`` (optional): the experiments the chapter trains on its device and keys at
  its type (the others are trained and keyed at the CPU), and
- ``plan(cfg, upstream) -> [(experiment, spec)]``: every stored result the chapter reads, from its
  validated config ``cfg`` and ``upstream`` (chapter name -> config), built from the same step
  functions the chapter's cells call.

The chapter, ``tools/precompute.py``, ``tools/paper_run.py`` and ``tests/test_stored_specs.py``
all build their specs here; none of them rebuilds a spec list. Adding an experiment: its module
under :mod:`modscale.experiments`, a step in its chapter's plan, the chapter's text (see
``CONTRIBUTING.md``).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

# One stored result: (experiment, spec), its registry name and its key's spec. (A comment, not a
# docstring: documented, the alias would send Sphinx's source links to the builtins module.)
Item = tuple[str, Any]

CHAPTERS = ("sine_regression", "algorithm1", "modular_networks", "compositional_cifar")
"""Chapters with a plan, in the order their results depend on each other."""


def module(chapter: str) -> Any:
    """The plan module of ``chapter`` (``ValueError`` naming the allowed chapters)."""
    if chapter not in CHAPTERS:
        raise ValueError(f"parameter 'chapter': no plan for {chapter!r}; allowed values: "
                         f"{', '.join(CHAPTERS)}")
    return importlib.import_module(f"modscale.plans.{chapter}")


def upstream(chapter: str, profile: str) -> dict[str, Any]:
    """The configs of ``chapter``'s upstream chapters as they last ran at ``profile``."""
    from modscale.infra.profiles import upstream_config

    return {up: upstream_config(up, profile)[0] for up in module(chapter).UPSTREAM}


def items(chapter: str, cfg: Any, up: Mapping[str, Any]) -> list[Item]:
    """``chapter``'s plan for config ``cfg`` and upstream configs ``up``, each stored result
    once (two specs are the same when their store keys are)."""
    from modscale.infra.cache import entry_key

    seen, out = set(), []
    for exp, spec in module(chapter).plan(cfg, up):
        key = entry_key(exp, spec)
        if key not in seen:
            seen.add(key)
            out.append((exp, spec))
    return out


def profile_items(chapter: str, profile: str) -> list[Item]:
    """``chapter``'s plan at ``profile`` with every upstream chapter at the same profile's
    values (what a clean ``make book PROFILE=profile`` reads)."""
    from modscale.infra.profiles import get_config

    up = {u: get_config(u, profile) for u in module(chapter).UPSTREAM}
    return items(chapter, get_config(chapter, profile), up)


def device_keyed(chapter: str, exp: str) -> bool:
    """Whether ``chapter`` trains ``exp`` on its device and keys it there (the plan module's
    ``DEVICE_KEYED``); otherwise the chapter trains and keys it at the CPU."""
    return exp in getattr(module(chapter), "DEVICE_KEYED", ())


def run_item(exp: str, spec: Any, device: Any = None) -> Any:
    """Compute (or find stored) one item with its experiment's registered run: trained on
    ``device`` and keyed at its type when given, else on and at the CPU -- as the chapter's
    cells do (:func:`device_keyed`)."""
    from modscale.infra import registry
    from modscale.infra.cache import cached

    run = registry.resolve(exp)[0]
    if device is None:
        return cached(exp, spec, lambda: run(spec))
    return cached(exp, spec, lambda: run(spec, device=device), device=device)


def compute(chapter: str, cfg: Any, up: Mapping[str, Any], *, device: Any = "cpu",
            log: Any = None, max_rounds: int = 10) -> int:
    """Compute (or find stored) every item of ``chapter``'s plan, then build the plan again
    until it lists nothing new (a step whose inputs were missing, e.g. the sine sweeps on the
    task the calibration grid fits, appears once they are stored). Returns the number of
    items. Under ``MODSCALE_NO_COMPUTE`` a missing item is an error, as in the chapter."""
    from modscale.infra.cache import entry_key, is_stored

    done: set[str] = set()
    for _ in range(max_rounds):
        todo = [(e, s) for e, s in items(chapter, cfg, up) if entry_key(e, s) not in done]
        if not todo:
            return len(done)
        for i, (exp, spec) in enumerate(todo, 1):
            dev = device if device_keyed(chapter, exp) else None
            if not is_stored(exp, spec, dev or "cpu"):  # stored: the cell loads it, once
                run_item(exp, spec, dev)
            done.add(entry_key(exp, spec))
            if log is not None:
                log(f"[plan {chapter}] {i}/{len(todo)} {exp}")
    raise RuntimeError(f"plan {chapter!r} still lists new items after {max_rounds} rounds")


def label(spec: Any) -> str:
    """A one-line label of a spec for progress lines: its method, reading, m, width and
    depth, where it has them."""
    get = spec.get if isinstance(spec, dict) else lambda k, d=None: getattr(spec, k, d)
    return " ".join(f"{k}={get(k)}" for k in ("method", "reading", "m", "width", "depth")
                    if get(k) is not None)
