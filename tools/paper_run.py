"""The paper-scale results in one command, in priority order, sized to a device lease.

    python tools/paper_run.py --device cuda --budget-s 480 --results-dir $OUT/results
    python tools/paper_run.py --dry-run            (every part at tiny size, checked; < 1 min)
    python tools/paper_run.py --list               (the jobs and their order, nothing run)

Parts, most valuable first, so that whatever a lease finishes is useful:

1. ``cifar``: Compositional CIFAR-10 Table 1, Fig. 12 and Fig. 3b at module dimension b = 512
   with 10^6 training combinations (one epoch), 5 seeds, the three methods: Table 1's k first,
   then k = 1, 2, 4, 8, then the other k; then K = 5k modules at Table 1's k. Learning-rate
   sweep, Algorithm 1 variant and seed chunks are the chapter's paper-dimension runs
   (:func:`modscale.experiments.cifar_scale.paper_dim_specs`), so the book draws these runs
   beside the CPU ones.
2. ``paper_regime``: Fig. 3a in the paper-matched regime and today's with every reading
   (literal, joint, greedy residual), the oracle start and the baselines at the paper's 3 x 3
   architectures, m = 2..9, 5 seeds; the alignment dose-response at m = 3, 6, 9; Fig. 4 with
   every reading and the oracle (:mod:`modscale.experiments.paper_regime`).
3. ``fig3a_grid``: Fig. 3a over the paper's architecture grid (widths {8, 32, 128} x depths
   {3, 5, 7}, m = 2..9, 5 seeds, monolithic / modular / ours literal / ours joint) on the
   calibrated sine task, in today's regime and in the regime the modular chapter's study
   selects (:mod:`modscale.experiments.modular_regime`).
4. ``sine``: the sine chapter's Fig. 2 sweeps at the ``paper`` profile, on the task knobs the
   book profile's calibration fitted.
5. ``plans``: whatever else a chapter's plan (:mod:`modscale.plans`) lists at the profile,
   computed by the experiment's registered run, so that an experiment added to a plan is
   queued here with no edit of this file; a plan waiting for an upstream result lists nothing
   until it is stored.

**On a lent GPU** (one H200, Python 3.12, torch with CUDA, numpy and pandas; no internet, no
Pillow, tqdm or Jupyter). Prepare on the CPU, once, in the repository root (``data/`` and
``.whl/`` are git-ignored; together about 23 MB of the 64 MiB a call may carry)::

    mkdir -p data && cp ../shared/data/cifar10-jpeg.tar.xz data/
    python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
        --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64 \
        -d .whl pillow==13.0.0

then one device call with ``carry = ["data", ".whl"]`` and this command (timeout 600 s;
results come back under ``$OUT``)::

    python3 -m pip install -q --no-index --no-deps --target /tmp/site .whl/*.whl &&
    export PYTHONPATH=/tmp/site:src PYTHONUNBUFFERED=1 &&
    python3 tools/paper_run.py --device cuda --budget-s 480 --results-dir $OUT/results
        2>&1 | tee $OUT/paper_run.log

Copy ``$OUT/results/*`` into ``results/``, commit, and rebuild the book. Without tqdm the
progress is printed as plain ``desc: i/total`` lines; everything else needs only torch, numpy
and pandas (checked: ``--dry-run`` passes with scipy, scikit-learn, matplotlib, tqdm and Pillow
hidden, given a decoded CIFAR-10 cache).

Every finished job is written into the results store through the experiment registry (the same
keys the chapters look up), with provenance: device name, torch and CUDA versions, precision (in
the key), wall time. A job already stored is skipped, so an interrupted run resumes. Before each
job the command checks the budget: it stops cleanly when the time spent plus the longest job
so far would pass ``--budget-s``. Progress is plain text. Needs only torch, numpy, pandas and
this package (no papermill or Jupyter); CIFAR-10 is decoded once with Pillow, or read from a
decoded copy in the cache.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PARTS = ("cifar", "paper_regime", "fig3a_grid", "sine", "plans")


@dataclass
class Job:
    """One stored result to compute: ``experiment`` and its ``config`` (the store key, or a
    function building it when it needs loaded data), the ``compute`` function, a one-line
    ``label``."""

    part: str
    experiment: str
    config: Any
    compute: Callable[[], Any]
    label: str
    key_device: Any = None
    """The device type the result is keyed at (``None``: the run's device): a plan's job is
    keyed as its chapter keys it (:func:`modscale.plans.device_keyed`)."""
    approx_config: Callable[[], Any] | None = None
    """A key of the same cost, for :func:`status` when ``config`` needs a result not yet
    stored (CIFAR's learning rates come from a sweep at the same profile)."""
    needs: Callable[[], list[tuple[str, Any]]] | None = None
    """(experiment, key) of the results the job computes first where they are missing (CIFAR's
    learning-rate sweep), stored with it (:func:`entries_of`)."""


def entries_of(job: Job) -> list[tuple[str, Any]]:
    """(experiment, key) of the store entries ``job`` writes: what it needs first
    (:attr:`Job.needs`) and, where its key can be built from the store (the learning-rate sweep
    it needs is stored), its own. Computes nothing under ``MODSCALE_NO_COMPUTE``."""
    from modscale.infra.cache import NotStoredError

    out = list(job.needs()) if job.needs is not None else []
    try:
        out.append((job.experiment, _key(job)))
    except NotStoredError:
        pass
    return out


def _cifar_jobs(profile: str, device: Any, dry: bool) -> list[Job]:
    """The paper-scale CIFAR runs: the chapter plan's paper-dimension step
    (:func:`modscale.plans.compositional_cifar.paper_dim`, its learning-rate sweep first) on
    the paper profile's config at 10^6 combinations and 5 seeds, K = 2k modules at every k,
    then K = 5k at Table 1's k."""
    from modscale.experiments import cifar_scale
    from modscale.experiments.cifar_runs import seed_chunks
    from modscale.infra.profiles import get_config
    from modscale.plans import compositional_cifar as plan

    cfg = get_config("compositional_cifar", "smoke" if dry else profile)
    # Table 1's k first (every method, every seed), then the rest of Fig. 3b's k, then the rest
    ks = tuple(dict.fromkeys((cfg.table_k, 1, 2, 4, 8, *range(1, 9))))
    if dry:  # tiny: one k, a few hundred combinations
        cfg = dataclasses.replace(cfg, paper_dim_n_train=1_400, scale_n_test=100, n_val=100,
                                  init_steps=2, init_pool=64, init_batch_size=32,
                                  paper_dim_lr_grid=(1e-3,), paper_dim_n_seeds=2)
        ks = (cfg.table_k,)
    paper = dataclasses.replace(
        cfg, modules_per_image=2, paper_dim_ks=ks,
        paper_dim_n_train=cfg.paper_dim_n_train if dry else 1_000_000,
        paper_dim_n_seeds=cfg.paper_dim_n_seeds if dry else 5)
    k5 = dataclasses.replace(paper, modules_per_image=5, paper_dim_ks=(paper.table_k,))
    state: dict = {}

    def data():
        if "data" not in state:
            state["data"] = plan.data(paper, device)
        return state["data"]

    def sweep() -> list:
        return plan.paper_dim_sweep(paper, data())

    def lrs():
        if "lrs" not in state:
            state["lrs"] = cifar_scale.paper_dim_lrs(plan.results(data(), sweep()), paper)
        return state["lrs"]

    # the learning-rate sweep is part of the first job (cached like every run)
    jobs = []
    for variant, c in (("K = 2k", paper), ("K = 5k", k5)):
        for k in c.paper_dim_ks:
            for method in c.methods:
                if variant == "K = 5k" and method == "monolithic":
                    continue
                for chunk in seed_chunks(c.paper_dim_n_seeds, c.paper_dim_seeds_per_run):

                    def key_of(c=c, k=k, method=method, chunk=chunk, lr=None) -> dict:
                        rates = lrs() if lr is None else dict.fromkeys(c.methods, lr)
                        return next(key for _, key in plan.paper_dim(c, data(), rates)
                                    if key["k"] == k and key["method"] == method
                                    and tuple(key["seeds"]) == chunk)

                    jobs.append(Job(
                        "cifar", cifar_scale.EXPERIMENT, key_of,
                        lambda key_of=key_of: cifar_scale.compute_scale_run(
                            data(), plan.spec(key_of()), progress=True),
                        f"cifar {method} k={k} {variant} b={c.paper_dim} "
                        f"n={c.paper_dim_n_train:,} seeds {list(chunk)}",
                        approx_config=lambda key_of=key_of: key_of(lr=1e-4), needs=sweep))
    return jobs


def _regime_setting(profile: str, dry: bool) -> tuple[Any, Any, dict]:
    """(base Fig. 3a stack, modular-chapter config, regimes) of the Fig. 3a parts: the task and
    the regime study of the book profile (smoke in a dry run), the grid of ``profile``."""
    from modscale.experiments import modular_regime
    from modscale.infra.profiles import get_config
    from modscale.plans import algorithm1

    base_profile = "smoke" if dry else "book"
    acfg = get_config("algorithm1", base_profile)
    sine = get_config("sine_regression", base_profile)
    base = algorithm1.comparison(acfg, sine)[0]  # the chapter's plan: modscale.plans
    mcfg = get_config("modular_networks", "smoke" if dry else profile)
    study = modular_regime.study_specs(get_config("modular_networks", base_profile), base)
    return base, mcfg, modular_regime.regimes(mcfg, base, study)


def _fig3a_grid_jobs(profile: str, device: Any, dry: bool) -> list[Job]:
    from modscale.experiments import fig3a_readings, modular_regime

    base, mcfg, regimes = _regime_setting(profile, dry)
    out = []
    grid = modular_regime.grid_specs(mcfg, base, regimes)
    if dry:  # tiny stacks, one per method
        grid = [(r, dataclasses.replace(s, iters=10, n_values=s.n_values[:2], n_test=64,
                                        init_steps=2)) for r, s in grid]
    for regime, spec in grid:
        out.append(Job("fig3a_grid", "fig3a_readings", spec,
                       lambda spec=spec: fig3a_readings.run_stack(spec, device),
                       f"fig3a {regime}: {spec.method} w={spec.width} d={spec.depth} "
                       f"m={spec.m} seeds={len(spec.seeds)}"))
    return out


def _paper_regime_jobs(profile: str, device: Any, dry: bool) -> list[Job]:
    from modscale.experiments import fig3a_readings, modular_calibrated, paper_regime

    base, mcfg, regimes = _regime_setting(profile, dry)
    stacks = (paper_regime.fig3a_specs(mcfg, base, regimes)
              + paper_regime.dose_specs(mcfg, base, regimes))
    fig4 = paper_regime.fig4_specs(mcfg, modular_calibrated.fig4_specs(mcfg, base),
                                   regimes[paper_regime.matched_regime(regimes)])
    if dry:  # tiny stacks, one per method
        seen: set = set()
        stacks = [(r, dataclasses.replace(s, iters=10, n_values=s.n_values[:2], n_test=64,
                                          init_steps=2)) for r, s in stacks
                  if s.method not in seen and not seen.add(s.method)]
        fig4 = [dataclasses.replace(s, iters=10, record_every=5, init_steps=2) for s in fig4]
    out = [Job("paper_regime", "fig3a_readings", spec,
               lambda spec=spec: fig3a_readings.run_stack(spec, device),
               f"paper regime {regime}: {spec.method} w={spec.width} d={spec.depth} "
               f"m={spec.m} seeds={len(spec.seeds)}"
               + (f" alpha={spec.alpha:g}" if spec.method == "mixed" else ""))
           for regime, spec in stacks]
    return out + [Job("paper_regime", "modular_calibrated", spec,
                      lambda spec=spec: modular_calibrated.run_stack(spec, device),
                      f"paper regime Fig. 4: {spec.method}") for spec in fig4]


def _sine_jobs(profile: str, device: Any, dry: bool) -> list[Job]:
    from modscale.experiments import calibration
    from modscale.experiments.sine_sweeps import run_stack
    from modscale.infra.profiles import get_config
    from modscale.plans import sine_regression as sine_plan

    book = get_config("sine_regression", "smoke" if dry else "book")
    if dry:  # the smoke config's own knobs (no calibration grid)
        knobs = calibration.manual_knobs(calibration.apply_knobs(
            book, calibration.Knobs(book.noise_var, book.freq_scale, book.output_scale ** 2)))
    else:
        results = calibration.load_grid(book)
        if results is None:
            raise SystemExit("sine: the book profile's calibration grid is not stored; run "
                             "tools/precompute.py sine_calibration --profile book first")
        knobs = calibration.manual_knobs(calibration.fitted_config(book, results))
    cfg = calibration.apply_knobs(get_config("sine_regression", "smoke" if dry else profile),
                                  knobs)
    if hasattr(cfg, "device"):
        cfg = dataclasses.replace(cfg, device=device.type)
    sweeps = sine_plan.sweeps(cfg)  # the chapter's plan (its harder variant is not redone)
    stacks = [(exp, s) for exp in ("sine_grid", "sine_k") for s in sweeps[exp]]
    if dry:
        stacks = [(exp, dataclasses.replace(s, iters=10, n_values=s.n_values[:2]))
                  for exp, s in stacks[:1]]
    return [Job("sine", exp, s, lambda s=s: run_stack(s, device),
                f"sine {exp} w={s.width} d={s.depth} models={s.n_models}")
            for exp, s in stacks]


def _plan_jobs(profile: str, device: Any, dry: bool) -> list[Job]:
    """Every chapter plan's items at ``profile`` (:mod:`modscale.plans`), each computed by its
    experiment's registered run: whatever a plan lists that the parts above do not (they are
    removed by :func:`jobs_of`). A plan that needs an upstream result not stored yet (the
    sine chapter's calibration at this profile) lists nothing until that result is stored;
    the log says which. A dry run lists nothing here (every plan's smoke items are the
    chapters' own tests)."""
    from modscale import plans
    from modscale.infra import registry
    from modscale.infra.cache import NotStoredError

    if dry:
        return []
    out, before = [], os.environ.get("MODSCALE_NO_COMPUTE")
    os.environ["MODSCALE_NO_COMPUTE"] = "1"  # building a plan reads results, never computes
    try:
        for chapter in plans.CHAPTERS:
            if chapter in NAMED_PART_OF:
                continue
            try:
                items = plans.profile_items(chapter, profile)
            except NotStoredError as err:
                print(f"[paper_run] plans: {chapter} waits for an upstream result ({err})",
                      flush=True)
                continue
            for exp, spec in items:
                run_fn = registry.resolve(exp)[0]
                on = plans.device_keyed(chapter, exp)
                out.append(Job(
                    "plans", exp, spec,
                    (lambda run_fn=run_fn, spec=spec: run_fn(spec, device=device)) if on
                    else (lambda run_fn=run_fn, spec=spec: run_fn(spec)),
                    f"plan {chapter} {exp} {plans.label(spec)}".rstrip(),
                    key_device=None if on else "cpu"))
    finally:
        if before is None:
            os.environ.pop("MODSCALE_NO_COMPUTE", None)
        else:
            os.environ["MODSCALE_NO_COMPUTE"] = before
    return out


NAMED_PART_OF = {"compositional_cifar": "cifar"}
"""Chapters whose paper-scale runs a named part trains (on the lent device, keyed at it): part
``plans`` does not queue their plans again (a plan keys the CPU: its CIFAR runs would train on
the CPU of a lent GPU)."""


BUILDERS = {"cifar": _cifar_jobs, "paper_regime": _paper_regime_jobs,
            "fig3a_grid": _fig3a_grid_jobs, "sine": _sine_jobs, "plans": _plan_jobs}


def jobs_of(parts: list[str], profile: str, device: Any, dry: bool) -> list[Job]:
    """The jobs of ``parts`` in order; a ``plans`` job whose key an earlier part already lists
    is dropped (the named parts are the plans' paper-scale items in priority order)."""
    from modscale.infra.cache import entry_key

    jobs = [j for p in parts for j in BUILDERS[p](profile, device, dry)]
    named = {entry_key(j.experiment, j.config) for j in jobs
             if j.part != "plans" and not callable(j.config)}
    return [j for j in jobs if j.part != "plans" or entry_key(j.experiment, j.config) not in named]


def _key(job: Job) -> Any:
    return job.config() if callable(job.config) else job.config


def run(jobs: list[Job], *, budget_s: float, device: Any, log=print) -> dict:
    """Compute every job not yet stored, in order, within ``budget_s``; returns a summary."""
    from modscale.infra import cache

    t_start = time.perf_counter()
    longest, done, skipped, stopped = 0.0, [], 0, False
    for i, job in enumerate(jobs, 1):
        spent = time.perf_counter() - t_start
        if spent + longest > budget_s:
            log(f"[paper_run] budget: {spent:.0f} s spent, the longest job took {longest:.0f} s, "
                f"--budget-s {budget_s:.0f}: stopping before job {i}/{len(jobs)}")
            stopped = True
            break
        t0, before = time.perf_counter(), _local_entries()
        key = _key(job)  # may compute what the key needs first (CIFAR's learning-rate sweep)
        kdev = job.key_device or device
        if cache.find(job.experiment, key, kdev) is not None:
            skipped += 1
            _publish_new(before)
            log(f"[paper_run] {i}/{len(jobs)} stored: {job.label}")
            continue
        log(f"[paper_run] {i}/{len(jobs)} start: {job.label}")
        cache.cached(job.experiment, key, job.compute, device=kdev)
        _publish_new(before, (job.experiment, cache.entry_key(job.experiment, key, kdev)))
        dt = time.perf_counter() - t0
        longest = max(longest, dt)
        done.append({"label": job.label, "experiment": job.experiment, "wall_time_s": dt})
        log(f"[paper_run] {i}/{len(jobs)} done in {dt:.1f} s: {job.label}")
    return {"computed": done, "skipped": skipped, "stopped_by_budget": stopped,
            "remaining": len(jobs) - len(done) - skipped,
            "wall_time_s": time.perf_counter() - t_start}


def _publish_new(before: set[tuple[str, str]], *also: tuple[str, str]) -> None:
    """Publish the local entries that appeared since ``before`` (what a job computed: its
    entry and any it needed, e.g. CIFAR's learning-rate sweep) and ``also``; never the other
    local entries, such as smoke results."""
    from modscale.infra import cache

    new = (_local_entries() - before) | set(also)
    for exp in sorted({e for e, _ in new}):
        cache.publish(exp, keys=[k for e, k in new if e == exp])


def _local_entries() -> set[tuple[str, str]]:
    """(experiment, entry key) of every entry in the local cache."""
    from modscale.infra import cache, registry

    return {(p.parent.parent.name, p.parent.name)
            for p in cache.cache_dir().glob("*/*/meta.json")
            if p.parent.parent.name in registry.EXPERIMENTS}


_GROUP_DROP = re.compile(r"\b(monolithic|modular|ours\w*|oracle|mixed)\b:?|\bm=\d+|"
                         r"seeds (\[[^\]]*\])|seeds=\d+|alpha=\S+|\bw=\d+|\bd=\d+|"
                         r"\bb=\d+|\bn=[\d,]+")


def group_of(job: Job) -> str:
    """The job's item in the not-run list: its label without method, seeds, m, width, depth
    mixing weight, b and n ("cifar: k=4 K = 2k", "fig3a_grid: today")."""
    text = re.sub(r"\s+", " ", _GROUP_DROP.sub("", job.label)).strip(" :")
    if job.part == "plans":  # "plans: <chapter> <experiment>"
        return "plans: " + " ".join(job.label.split()[1:3])
    for prefix in ("cifar ", "paper regime ", "fig3a ", "sine "):
        text = text.removeprefix(prefix)
    return f"{job.part}: {text}"


def _flat(d: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(d, dict):
        return {k2: v2 for k, v in d.items() for k2, v2 in _flat(v, f"{prefix}{k}.").items()}
    return {prefix.rstrip("."): json.dumps(d, sort_keys=True, default=str)}


def _work(cfg: dict) -> float:
    """Relative work of a configuration, for scaling a measured wall time: training examples
    x seeds x k (CIFAR monolithic: its input grows with k) or k^2 (modular: 2k modules, each
    projecting all k images; measured k = 2 -> 4: x4.3), else seeds x sample sizes x
    architectures."""
    def n(name):
        v = cfg.get(name)
        return len(v) if isinstance(v, list | tuple) else 1
    if "n_train" in cfg:
        power = 1 if cfg.get("method") == "monolithic" else 2
        return float(cfg["n_train"]) * float(cfg.get("k", 1)) ** power * n("seeds")
    return float(n("seeds") * n("n_values") * n("ns") * n("arches") * cfg.get("n_seeds", 1))


COST_FIELDS = ("method", "arch.module_dim", "k", "arch.module_width", "amp", "epochs", "reading",
               "width", "depth")
"""Settings that set a run's cost first: the nearest stored run agrees on as many as it can."""


def _stored_metas(experiment: str) -> list[dict]:
    from modscale.infra import cache

    d = cache.results_dir() / experiment
    return [json.loads(p.read_text())["meta"] for p in sorted(d.glob("*.json"))] \
        if d.exists() else []


def estimate_s(experiment: str, key: dict, metas: list[dict]) -> tuple[float, str] | None:
    """Estimated wall time of ``key``: the stored run of the same experiment that agrees on the
    most settings, its measured wall time scaled by :func:`_work`; with that run's device."""
    if not metas:
        return None
    want = _flat(key)

    def closeness(m: dict) -> tuple:
        have = _flat(m["config"])
        return (sum(want.get(f) == have.get(f) for f in COST_FIELDS),
                sum(want.get(k) == v for k, v in have.items()),
                -abs(_work(m["config"]) - _work(key)))

    best = max(metas, key=closeness)
    scale = _work(key) / max(_work(best["config"]), 1e-12)
    return float(best["wall_time_s"]) * scale, str(best.get("device", {}).get("name", "")
                                                   if isinstance(best.get("device"), dict)
                                                   else best.get("device", ""))


def status(jobs: list[Job]) -> list[dict]:
    """Per item (:func:`group_of`): jobs, stored (any device), missing, and the estimated
    wall time of the missing ones (:func:`estimate_s`, nearest stored run). Nothing is
    computed: a key that needs a missing upstream result (the learning-rate sweep) counts as
    missing and is estimated from its label's item."""
    from modscale.infra import cache

    before = os.environ.get("MODSCALE_NO_COMPUTE")
    os.environ["MODSCALE_NO_COMPUTE"] = "1"  # a lookup, never a computation
    try:
        metas: dict[str, list[dict]] = {}
        rows: dict[str, dict] = {}
        needed: set[str] = set()
        for job in jobs:
            # what a job needs first (CIFAR: the learning-rate sweep its rates come from) is an
            # item of its own, each entry counted once, ahead of the job
            for exp, key in (job.needs() if job.needs is not None else []):
                stem = cache.entry_key(exp, key)
                if stem in needed:
                    continue
                needed.add(stem)
                item = f"{job.part}: learning-rate sweep"
                row = rows.setdefault(item, {"item": item, "jobs": 0, "stored": 0,
                                             "missing": 0, "estimated_s": 0.0,
                                             "estimated_from": ""})
                row["jobs"] += 1
                if any(cache.find(exp, key, d) is not None for d in ("cpu", "cuda")):
                    row["stored"] += 1
                    continue
                row["missing"] += 1
                est = estimate_s(exp, cache._as_mapping(key),
                                 metas.setdefault(exp, _stored_metas(exp)))
                if est is not None:
                    row["estimated_s"] += est[0]
                    row["estimated_from"] = row["estimated_from"] or est[1]
            item = group_of(job)
            row = rows.setdefault(item, {"item": item, "jobs": 0, "stored": 0, "missing": 0,
                                         "estimated_s": 0.0, "estimated_from": ""})
            row["jobs"] += 1
            try:
                key, exact = _key(job), True
            except cache.NotStoredError:
                key, exact = (job.approx_config() if job.approx_config else None), False
            mapping = cache._as_mapping(key) if key is not None else None
            if exact and any(cache.find(job.experiment, key, d) is not None
                             for d in ("cpu", "cuda")):
                row["stored"] += 1
                continue
            row["missing"] += 1
            if mapping is not None:
                est = estimate_s(job.experiment, mapping,
                                 metas.setdefault(job.experiment, _stored_metas(job.experiment)))
                if est is not None:
                    row["estimated_s"] += est[0]
                    row["estimated_from"] = row["estimated_from"] or est[1]
    finally:
        if before is None:
            os.environ.pop("MODSCALE_NO_COMPUTE", None)
        else:
            os.environ["MODSCALE_NO_COMPUTE"] = before
    return list(rows.values())


def check_entries(jobs: list[Job], device: Any) -> list[str]:
    """Problems with the store entries of ``jobs`` (missing, or provenance incomplete)."""
    from modscale.infra import cache

    problems = []
    for job in jobs:
        key = _key(job)
        stem = cache.entry_key(job.experiment, key, job.key_device or device)
        path = cache.results_dir() / job.experiment / f"{stem}.json"
        if not path.exists():
            problems.append(f"{job.label}: no store entry {path.name}")
            continue
        meta = json.loads(path.read_text())["meta"]
        for field in ("device", "versions", "wall_time_s", "config", "git_commit"):
            if field not in meta:
                problems.append(f"{job.label}: provenance lacks {field!r}")
        if "torch" not in meta.get("versions", {}):
            problems.append(f"{job.label}: provenance lacks the torch version")
        if "cuda" not in meta.get("versions", {}):
            problems.append(f"{job.label}: provenance lacks the CUDA version (or 'none')")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parts", default=",".join(PARTS),
                    help=f"comma-separated, in priority order; allowed: {', '.join(PARTS)}")
    ap.add_argument("--profile", default="paper", help="profile of the paper-scale settings")
    ap.add_argument("--device", default="auto", help="auto, cpu or cuda")
    ap.add_argument("--budget-s", type=float, default=float("inf"),
                    help="stop cleanly before a job that could pass this many seconds")
    ap.add_argument("--results-dir", default="", help="results store to write (default: "
                    "$MODSCALE_RESULTS_DIR or results/)")
    ap.add_argument("--dry-run", action="store_true", help="every part at tiny size into a "
                    "temporary store, then check the entries (the test)")
    ap.add_argument("--only", default="", metavar="REGEX",
                    help="keep only the jobs whose label (as --list prints it) matches REGEX")
    ap.add_argument("--list", action="store_true", help="print the jobs, run nothing")
    ap.add_argument("--status", default="", metavar="CSV",
                    help="write what is stored and what is not, per item, with the estimated "
                         "cost of the rest, to CSV; run nothing")
    args = ap.parse_args(argv)
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    bad = [p for p in parts if p not in PARTS]
    if bad or not parts:
        ap.error(f"--parts: {bad or parts} not allowed; allowed: {', '.join(PARTS)}")
    if args.budget_s <= 0:
        ap.error("--budget-s must be > 0")
    try:
        only = re.compile(args.only) if args.only else None
    except re.error as e:
        ap.error(f"--only: {args.only!r} is not a regular expression ({e})")
    if args.results_dir:
        os.environ["MODSCALE_RESULTS_DIR"] = str(Path(args.results_dir).resolve())
    tmp = None
    if args.dry_run:  # a temporary store, or --results-dir (then its sibling cache/)
        tmp = (str(Path(args.results_dir).resolve().parent) if args.results_dir
               else tempfile.mkdtemp(prefix="paper_run_dry_"))
        os.environ["MODSCALE_RESULTS_DIR"] = str(Path(args.results_dir).resolve()
                                                 if args.results_dir else Path(tmp) / "results")
    import torch

    from modscale.infra.device import resolve_device

    device = resolve_device(args.device)
    if args.dry_run:  # a fresh local cache too, so that every job really runs
        from modscale.infra import cache

        real_cache = cache.cache_dir()
        os.environ["MODSCALE_CACHE_DIR"] = str(Path(tmp) / "cache")
        _share_cifar_decode(real_cache, cache.cache_dir())
    print(f"[paper_run] device {device} ({torch.__version__}, CUDA {torch.version.cuda}); "
          f"parts {', '.join(parts)}; budget {args.budget_s:g} s", flush=True)
    jobs = jobs_of(parts, args.profile, device, args.dry_run)
    if only is not None:
        jobs = [j for j in jobs if only.search(j.label)]
        if not jobs:
            ap.error(f"--only: {args.only!r} matches no job of parts {', '.join(parts)} "
                     "(see --list)")
    if args.list:
        for i, j in enumerate(jobs, 1):
            print(f"{i:4d}  {j.part:10s} {j.label}")
        return 0
    if args.status:
        import pandas as pd

        table = pd.DataFrame(status(jobs))
        table.to_csv(args.status, index=False)
        print(table.to_string(index=False), flush=True)
        return 0
    summary = run(jobs, budget_s=args.budget_s, device=device,
                  log=lambda s: print(s, flush=True))
    print(f"[paper_run] computed {len(summary['computed'])}, already stored "
          f"{summary['skipped']}, remaining {summary['remaining']} "
          f"({summary['wall_time_s']:.0f} s)", flush=True)
    if args.dry_run:
        problems = check_entries(jobs, device)
        for p in problems:
            print(f"[paper_run] dry run: {p}", flush=True)
        print(f"[paper_run] dry run: {len(jobs)} jobs, {len(problems)} problems", flush=True)
        return 1 if problems else 0
    return 0


def _share_cifar_decode(src_cache: Path, dst_cache: Path) -> None:
    """Link the decoded CIFAR-10 arrays of the real cache into the dry run's (decoding is data
    preparation, not a result)."""
    src = src_cache / "cifar10"
    if src.exists() and not (dst_cache / "cifar10").exists():
        dst_cache.mkdir(parents=True, exist_ok=True)
        (dst_cache / "cifar10").symlink_to(src, target_is_directory=True)


if __name__ == "__main__":
    sys.exit(main())
