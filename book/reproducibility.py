# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# (reproducibility)=
# # Reproducibility and status
#
# How, where and how fast this book was computed: the profile and device, the code and package
# versions, the wall time of every chapter, the number of models each experiment trained, and a
# live benchmark of the batched trainer against the plain one-model-at-a-time loop. Every number
# on this page is read from files the build wrote or measured while this page executed.

# %% tags=["parameters"]
profile: str = "smoke"  # profile: smoke, book or paper (every other parameter defaults to its value in this profile)
device: str = "auto"  # auto (CUDA if available, else CPU), cpu, cuda or cuda:N
seed: int = None  # seed of the benchmark's models and data [smoke: 0; book: 0]
bench_models: int = None  # MLPs trained at once by the batched trainer [smoke: 16; book: 256]
bench_loop_models: int = None  # MLPs timed one by one in the plain loop [smoke: 2; book: 8]
bench_iters: int = None  # Adam iterations timed [smoke: 10; book: 100]
bench_width: int = None  # hidden width of the benchmarked MLPs [smoke: 32; book: 32]
bench_depth: int = None  # linear layers of the benchmarked MLPs [smoke: 5; book: 5]
bench_batch: int = None  # mini-batch rows per model [smoke: 256; book: 256]
bench_modular_iters: int = None  # Adam iterations of the Fig. 3a modular-stack benchmark (21 networks x 8 modules of width 8) [smoke: 5; book: 100]

# %%
# Validate the parameters before any heavy import or computation: a misspelled or unknown
# name, or a bad value, fails here with a message listing the valid ones.
from modscale.report.chapter import chapter

ch = chapter("reproducibility", globals())  # validates, publishes, device, style, seed
cfg = ch.cfg

# %%
import json
import os
from pathlib import Path

import pandas as pd
from IPython.display import display

from modscale.infra import cache, registry
from modscale.infra.device import precision_report
from modscale.infra.profiles import PROFILE_NAMES, chapters, describe
from modscale.infra.provenance import REPO, provenance
from modscale.report import runlog
from modscale.report.notebook import glue, show
from modscale.report.prose import reproducibility as prose
from modscale.training.bench import (
    format_modular_report,
    format_report,
    run_benchmark,
    run_modular_benchmark,
)

dev = ch.device
build_profile = os.environ.get("MODSCALE_BUILD_PROFILE", profile)
prov = provenance(dev)
glue("repro_build_profile", build_profile, display=False)
glue("repro_build_commit", prov["git_commit"], display=False)
glue("repro_build_device", prov["device"], display=False)
glue("repro_build_date", prov["date"], display=False)

# %% [markdown]
# ## Build
#
# This build ran the **{glue:text}`repro_build_profile`** profile on **{glue:text}`repro_build_device`**,
# at commit {glue:text}`repro_build_commit` ({glue:text}`repro_build_date`). Package versions:

# %%
show(pd.DataFrame(sorted(prov["versions"].items()), columns=["package", "version"]))

# %% [markdown]
# ## Execution time per chapter
#
# Wall time of each chapter as executed by papermill during `make book` (read from
# `_exec_times.json`, which the build writes; when this page is run on its own the table is
# empty). The first run of a profile computes everything; later runs read results from the
# per-configuration cache and only draw, so they are much faster.

# %%
times_path = Path(os.environ.get("MODSCALE_EXEC_TIMES", "_exec_times.json"))
exec_times = json.loads(times_path.read_text()) if times_path.exists() else []
exec_df = pd.DataFrame(exec_times, columns=["chapter", "profile", "device", "wall_time_s",
                                            "status"])
total_exec = float(exec_df["wall_time_s"].sum()) if len(exec_df) else 0.0
glue("repro_total_exec_min", total_exec / 60, display=False)
show(exec_df)

# %% [markdown]
# Chapters before this page took {glue:text}`repro_total_exec_min:.1f` minutes in total.
#
# ### Re-run cost per chapter
#
# What a chapter draws from the committed results store, and what recomputing it would cost: the
# stored entries of the chapter's experiments and their total compute time on the machines that
# made them (each entry's provenance), beside the chapter's wall time in this build (which draws
# what is stored and computes only what is not;
# {py:func}`modscale.report.book_pages.stored_compute`).

# %% tags=["hide-input"]
from modscale.infra import cache as store
from modscale.report.book_pages import stored_compute

cost = stored_compute(store.results_dir()) if store.results_dir().exists() else {}
ran = dict(zip(exec_df["chapter"], exec_df["wall_time_s"], strict=True)) if len(exec_df) else {}
cost_df = pd.DataFrame([{"chapter": ch, "stored results": n,
                         "stored compute (min)": round(t / 60, 1),
                         "this build (min)": round(ran[ch] / 60, 1) if ch in ran else "—"}
                        for ch, (n, t) in cost.items()])
show(cost_df) if len(cost_df) else print("no committed results store found")

# %% [markdown]
#
# ## Models trained
#
# Each experiment records how many networks it trained, with which seeds and how long it took
# (`modscale.report.runlog`). A row with a small wall time was read from the per-configuration cache
# (the networks were trained by an earlier run of the same configuration and code).

# %%
runs = pd.DataFrame(runlog.runs())
if len(runs):
    runs_view = runs[[c for c in ("chapter", "experiment", "profile", "models_trained", "seeds",
                                  "wall_time_s", "device") if c in runs.columns]]
    total_models = int(runs["models_trained"].sum())
else:
    runs_view, total_models = runs, 0
glue("repro_total_models", total_models, display=False)
show(runs_view)

# %% [markdown]
# In total the chapters trained **{glue:text}`repro_total_models`** networks in this build.
#
# ## Trainer benchmark
#
# The sweeps of the paper train thousands of small MLPs. {mod}`modscale.training.trainer` trains many at
# once: parameters stacked along a model axis, one batched matmul per layer, one Adam step for
# all of them (exactly equivalent to training each alone; this is a unit test). The benchmark
# below ran while this page executed: the batched trainer and the plain loop on the same data, in
# the same process.

# %% tags=["hide-input"]
bench = run_benchmark(models=cfg.bench_models, iters=cfg.bench_iters, width=cfg.bench_width,
                      depth=cfg.bench_depth, batch=cfg.bench_batch, device=str(dev),
                      loop_models=cfg.bench_loop_models, seed=cfg.seed)
print(format_report(bench))
glue("repro_bench_speedup", bench["speedup"], display=False)
glue("repro_bench_models", bench["models"], display=False)
glue("repro_bench_batched_rate", bench["batched_model_iters_per_s"], display=False)
glue("repro_bench_loop_rate", bench["loop_model_iters_per_s"], display=False)
glue("repro_bench_peak_frac", 100 * bench["batched_fraction_of_measured_fp32"], display=False)
glue("repro_bench_mm32", 1e3 * bench["matmul_fp32_tflops"], display=False)
prec = precision_report(dev)
prec_view = pd.DataFrame([{"probe": f"{prec['size']}^3 matmul",
                           "fp32 (GFLOP/s)": round(prec["fp32_gflops"], 1),
                           "bf16 (GFLOP/s)": round(prec["bf16_gflops"], 1),
                           "bf16 / fp32": round(prec["speedup"], 2),
                           "threshold": prec["threshold"], "auto resolves to": prec["auto"],
                           "MODSCALE_AUTO_PRECISION": prec["forced"] or "unset"}])
display(show(prec_view))
glue("repro_bf16_text", prose.bf16_text(bench), display=False)
glue("repro_auto_precision", prec["auto"], display=False)
glue("repro_probe_speedup", f"{prec['speedup']:.2f}", display=False)

# %% [markdown]
# **The Fig. 3a modular stacks.** The same comparison on the stacks of
# {ref}`fig3a-grid` (21 modular networks of K = 8 modules of width 8, depth 3, m = 9, batch 256),
# with each Adam implementation of {py:data}`modscale.training.trainer.ADAM_IMPLS` and the plain
# loop, in one run (`python -m modscale.training.bench --modular --compiled` adds a
# `torch.compile`-d model, whose compilation recurs for every input dimension):

# %% tags=["hide-input"]
mbench = run_modular_benchmark(iters=cfg.bench_modular_iters, device=str(dev), seed=cfg.seed)
print(format_modular_report(mbench))
best_impl = max(mbench["runs"], key=lambda k: mbench["runs"][k]["network_iters_per_s"])
glue("repro_mbench_speedup", f"{mbench['runs']['default']['speedup_vs_loop']:.1f}",
     display=False)
glue("repro_mbench_frac", f"{100 * mbench['runs']['default']['fraction_of_fp32_peak']:.2f}",
     display=False)
glue("repro_mbench_best", best_impl, display=False)
gain = (mbench["runs"][best_impl]["network_iters_per_s"]
        / mbench["runs"]["default"]["network_iters_per_s"])
glue("repro_mbench_best_gain", f"{gain:.2f}", display=False)
# results computed on a GPU (tools/paper_run.py), by experiment
gpu_entries = {}
for exp_name in sorted(registry.EXPERIMENTS):
    n_gpu = sum(1 for e in cache.published(exp_name) if e.get("device_type") == "cuda")
    if n_gpu:
        gpu_entries[exp_name] = n_gpu
glue("repro_gpu_entries", prose.gpu_entries_text(gpu_entries), display=False)

# %% [markdown]
# Batched, the modular stack trains {glue:text}`repro_mbench_speedup`x as many
# network-iterations per second as the plain loop, at {glue:text}`repro_mbench_frac` % of the
# measured fp32 matmul rate: these networks are tiny (a width-8 module is a few hundred
# parameters), so the step is bound by per-operation overhead, not by arithmetic. The fastest
# Adam implementation here was {glue:text}`repro_mbench_best`
# ({glue:text}`repro_mbench_best_gain`x the default); the trainer keeps the default unless a
# faster one agrees within the seed spread (the `loss diff` column).
#
# **Paper scale.** `python tools/paper_run.py --device cuda --budget-s 480 --results-dir
# $OUT/results` computes the paper-scale results in priority order (CIFAR at b = 512 with
# 10^6 combinations, the full Fig. 3a architecture grid, the sine sweeps at the `paper`
# profile), resumable and within a budget; `--dry-run` runs every part at tiny size and checks
# the store entries (a test). Results in this store computed on a GPU:
# {glue:text}`repro_gpu_entries`.
#
# Training {glue:text}`repro_bench_models` MLPs at once ran at {glue:text}`repro_bench_batched_rate:,.0f`
# model-iterations per second against {glue:text}`repro_bench_loop_rate:,.0f` for the loop: a
# **{glue:text}`repro_bench_speedup:.1f`x** speed-up on this device. Measured in the same run, a
# large fp32 matmul runs at {glue:text}`repro_bench_mm32:.0f` GFLOP/s here; the batched trainer
# reaches {glue:text}`repro_bench_peak_frac:.0f` % of that rate.
#
# **Precision chosen by the hardware.** `precision = "auto"` (the sine chapter's MLPs of width 32
# and more, every CIFAR run) means bf16 autocast only where a same-process probe shows bf16
# matmuls at least 1.2x as fast as fp32 on this device (the table above,
# `modscale.infra.device.resolve_precision`): here the probe measured bf16 at
# {glue:text}`repro_probe_speedup`x the fp32 rate, so `auto` resolves to
# **{glue:text}`repro_auto_precision`**. The resolved precision is part of every result's key.
# A lookup that misses at this machine's precision is answered by a stored result of the same
# configuration at the other precision (the committed results were computed on other machines),
# whose key and provenance keep saying what it was computed in; new results are computed here
# in this machine's precision (`MODSCALE_EXACT_PRECISION=1` draws only the exact one).
# {glue:text}`repro_bf16_text` Reproduce it with `make bench` or
# `python -m modscale.training.bench --models 256 --iters 100`.
#
# Runs recorded on other machines (`benchmarks/results/*.json`, written by
# `python -m modscale.training.bench --json ...`):

# %%
recorded = []
for p in sorted((REPO / "benchmarks" / "results").glob("*.json")):
    r = json.loads(p.read_text())
    recorded.append({"file": p.name, "device": r.get("device"), "models": r.get("models"),
                     "iters": r.get("iters"), "width": r.get("width"), "depth": r.get("depth"),
                     "speedup": round(r.get("speedup", float("nan")), 1),
                     "batched_model_iters_per_s": round(r.get("batched_model_iters_per_s", 0)),
                     "fraction_of_fp32_peak": r.get("batched_fraction_of_peak"),
                     "fraction_of_measured_fp32_matmul":
                         r.get("batched_fraction_of_measured_fp32"),
                     "bf16_speedup": r.get("bf16_speedup_over_fp32")})
if recorded:
    display(show(pd.DataFrame(recorded)))
else:
    print("No benchmark runs are recorded in benchmarks/results/ in this checkout.")

# %% [markdown]
# ## Profiles
#
# Every parameter of every chapter, its value in each profile, and what it means. This is the
# single source of truth (`src/modscale/infra/profiles/`); papermill's `-p NAME VALUE` overrides any of
# them, and a bad value is rejected with a message naming the parameter.

# %%
profile_rows = []
for name in chapters():
    if name.startswith("_"):
        continue
    rows = [{k: (str(v) if k in PROFILE_NAMES else v) for k, v in row.items()}
            for row in describe(name)]
    profile_rows += rows
    display(show(pd.DataFrame(rows, columns=["parameter", *PROFILE_NAMES, "help"]))
            .set_caption(f"Chapter {name}: {len(rows)} parameters"))

# %% [markdown]
# ## Cache
#
# Results live in a per-configuration cache keyed by the configuration and a hash of the code
# the computation depends on (its own modules of `modscale` and their imports, not plotting,
# verdicts or text: `python -m modscale.infra.cache keys` lists them); each entry stores its
# configuration, seed, versions, git commit, device, wall time and a checksum.
#
#
# Results too long to compute in a book build are committed in `results/<experiment>/<key>.json`
# (the "committed" column counts those made with the current code); the cache falls back to them,
# so a fresh clone draws these pages without retraining.

# %%
root = cache.cache_dir()
stored = cache.results_dir()
experiments = sorted({p.name for r in (root, stored) if r.exists() for p in r.iterdir()
                      if p.is_dir()})


def _local(e: str) -> list[tuple[str, dict]]:
    d = root / e
    return [(p.parent.name, json.loads(p.read_text()))
            for p in sorted(d.glob("*/meta.json"))] if d.exists() else []


cache_df = pd.DataFrame([{"experiment": e,
                          "version": (registry.get(e).version if e in registry.EXPERIMENTS
                                      else "(unregistered)"),
                          "cached": len(_local(e)),
                          "cached, current": sum(cache.is_current(m, k) for k, m in _local(e)),
                          "compute time (s)": round(sum(m.get("wall_time_s", 0)
                                                        for _, m in _local(e)), 1)}
                         for e in experiments],
                        columns=["experiment", "version", "cached", "cached, current",
                                 "compute time (s)"])
print(f"{int(cache_df['cached'].sum()) if len(cache_df) else 0} cached entries")
show(cache_df)

# %% [markdown]
# ### The committed results store
#
# Every experiment with entries in `results/`: how many, how many today's keys find (*current*:
# the experiment's declared version is unchanged), how many were computed by code that has
# changed since (*code changed*, advisory: the golden recomputation in `make test` decides
# whether numbers changed; a change that alters them must bump the experiment's version, which
# re-keys exactly that experiment), the commits and days that computed them and their total
# compute time.

# %%
store_rows = [row for e in sorted(p.name for p in stored.iterdir() if p.is_dir())
              for row in cache.store_status(e)] if stored.exists() else []
if store_rows:
    sdf = pd.DataFrame(store_rows)
    store_df = (sdf.assign(day=sdf["date"].str[:10])
                .groupby("experiment", as_index=False)
                .agg(entries=("file", "size"), current=("current", "sum"),
                     code_changed=("code_changed", "sum"),
                     commits=("commit", lambda c: ", ".join(sorted(set(c)))),
                     days=("day", lambda d: ", ".join(sorted(set(d)))),
                     compute_min=("wall_time_s",
                                  lambda w: round(float(pd.to_numeric(w).sum()) / 60, 1))))
    store_df = store_df.rename(columns={"code_changed": "code changed",
                                        "compute_min": "compute (min)"})
    display(show(store_df[["experiment", "entries", "current", "code changed",
                           "compute (min)", "commits", "days"]]))
else:
    print("the results store is empty in this run (tests and smoke builds do not read it)")

# %%
# NBVAL_CHECK_OUTPUT
# (timings are not compared: they depend on the machine's load)
print("benchmark ran:", bench["models"], "batched models,", bench["loop_models"], "loop models,",
      bench["iters"], "iterations")
print("profiles validated for every chapter:", all(len(describe(c)) > 0 for c in chapters()))
