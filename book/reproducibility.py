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
seed: int = None  # seed of the benchmark's models and data
bench_models: int = None  # MLPs trained at once by the batched trainer
bench_loop_models: int = None  # MLPs timed one by one in the plain loop
bench_iters: int = None  # Adam iterations timed
bench_width: int = None  # hidden width of the benchmarked MLPs
bench_depth: int = None  # linear layers of the benchmarked MLPs
bench_batch: int = None  # mini-batch rows per model

# %%
# Validate the parameters before any heavy import or computation: a misspelled or unknown
# name, or a bad value, fails here with a message listing the valid ones.
from modscale.profiles import notebook_config

cfg = notebook_config("reproducibility", globals())

# %%
import json
import os
from pathlib import Path

import pandas as pd
from IPython.display import display
from myst_nb import glue

from modscale import cache, runlog
from modscale.bench import format_report, run_benchmark
from modscale.notebook import show
from modscale.profiles import PROFILE_NAMES, chapters, describe
from modscale.provenance import REPO, provenance
from modscale.style import resolve_device, seed_everything, set_style

set_style()
seed_everything(cfg.seed)
dev = resolve_device(device)
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
# ## Models trained
#
# Each experiment records how many networks it trained, with which seeds and how long it took
# (`modscale.runlog`). A row with a small wall time was read from the per-configuration cache
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
# The sweeps of the paper train thousands of small MLPs. {mod}`modscale.trainer` trains many at
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
glue("repro_bench_bf16", bench["bf16_speedup_over_fp32"], display=False)
glue("repro_bench_bf16_frac", 100 * bench["bf16_fraction_of_measured_bf16"], display=False)
glue("repro_bench_mm16", 1e3 * bench["matmul_bf16_tflops"], display=False)
glue("repro_bench_diff", bench["test_loss_mean_abs_diff"], display=False)
glue("repro_bench_sd", bench["test_loss_sd_over_models"], display=False)

# %% [markdown]
# Training {glue:text}`repro_bench_models` MLPs at once ran at {glue:text}`repro_bench_batched_rate:,.0f`
# model-iterations per second against {glue:text}`repro_bench_loop_rate:,.0f` for the loop: a
# **{glue:text}`repro_bench_speedup:.1f`x** speed-up on this device. Measured in the same run, a
# large fp32 matmul runs at {glue:text}`repro_bench_mm32:.0f` GFLOP/s here; the batched trainer
# reaches {glue:text}`repro_bench_peak_frac:.0f` % of that rate.
#
# With bf16 autocast (parameters, gradients and Adam state stay fp32) the same models train
# {glue:text}`repro_bench_bf16:.2f`x as fast as in fp32 ({glue:text}`repro_bench_bf16_frac:.0f` %
# of the measured bf16 matmul rate, {glue:text}`repro_bench_mm16:.0f` GFLOP/s); their final test
# losses differ from the fp32 run's by {glue:text}`repro_bench_diff:.3f` on average, against a
# spread of {glue:text}`repro_bench_sd:.3f` over the models. The sine chapter trains MLPs of width
# 32 and more in bf16 and narrower ones in fp32 (`precision = "auto"`). Reproduce it with
# `make bench` or `python -m modscale.bench --models 256 --iters 100`.
#
# Runs recorded on other machines (`benchmarks/results/*.json`, written by
# `python -m modscale.bench --json ...`):

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
# single source of truth (`src/modscale/profiles/`); papermill's `-p NAME VALUE` overrides any of
# them, and a bad value is rejected with a message naming the parameter.

# %%
profile_rows = []
for chapter in chapters():
    if chapter.startswith("_"):
        continue
    rows = [{k: (str(v) if k in PROFILE_NAMES else v) for k, v in row.items()}
            for row in describe(chapter)]
    profile_rows += rows
    display(show(pd.DataFrame(rows, columns=["parameter", *PROFILE_NAMES, "help"]))
            .set_caption(f"Chapter {chapter}: {len(rows)} parameters"))

# %% [markdown]
# ## Cache
#
# Results live in a per-configuration cache keyed by the configuration and a hash of the code
# the computation depends on (its own modules of `modscale` and their imports, not plotting,
# verdicts or text: `python -m modscale.cache keys` lists them); each entry stores its
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


def _committed(e: str) -> int:
    code = cache.experiment_code_version(e)
    return sum(1 for m in cache.published(e) if m.get("code_version") == code)


cache_df = pd.DataFrame([{"experiment": e,
                          "code hash": (cache.experiment_code_version(e)
                                        if e in cache.EXPERIMENTS else "(unregistered)"),
                          "entries": len(cache.entries(e)),
                          "committed": _committed(e),
                          "compute time (s)": round(sum(m.get("wall_time_s", 0)
                                                        for m in cache.entries(e)), 1)}
                         for e in experiments],
                        columns=["experiment", "code hash", "entries", "committed",
                                 "compute time (s)"])
print(f"{int(cache_df['entries'].sum()) if len(cache_df) else 0} cached entries")
show(cache_df)

# %% [markdown]
# ### The committed results store
#
# Every experiment with entries in `results/`: how many, how many were computed with the code
# it depends on today (*current*), the commits and days that computed them and their total
# compute time. Entries of ordinary experiments made with other code are simply not used (their
# key holds the code hash). Long runs (`cifar_scale`, the paper-data-scale CIFAR runs) are keyed
# by their configuration alone: when their code changes they are still drawn, and counted
# here as *stale* until recomputed (`make book RECOMPUTE=cifar_scale`).

# %%
store_rows = [row | {"long run": e in cache.LONG_RUNS}
              for e in sorted(p.name for p in stored.iterdir() if p.is_dir())
              for row in cache.store_status(e)] if stored.exists() else []
if store_rows:
    sdf = pd.DataFrame(store_rows)
    store_df = (sdf.assign(day=sdf["date"].str[:10], current=~sdf["stale"])
                .groupby("experiment", as_index=False)
                .agg(entries=("file", "size"), current=("current", "sum"),
                     long_run=("long run", "first"),
                     commits=("commit", lambda c: ", ".join(sorted(set(c)))),
                     days=("day", lambda d: ", ".join(sorted(set(d)))),
                     compute_min=("wall_time_s",
                                  lambda w: round(float(pd.to_numeric(w).sum()) / 60, 1))))
    store_df["stale"] = [e - c if lr else 0 for e, c, lr in
                         zip(store_df["entries"], store_df["current"], store_df["long_run"],
                             strict=True)]
    store_df = store_df.rename(columns={"long_run": "long run", "compute_min": "compute (min)"})
    display(show(store_df[["experiment", "entries", "current", "stale", "long run",
                           "compute (min)", "commits", "days"]]))
else:
    print("the results store is empty in this run (tests and smoke builds do not read it)")

# %%
# NBVAL_CHECK_OUTPUT
# (timings are not compared: they depend on the machine's load)
print("benchmark ran:", bench["models"], "batched models,", bench["loop_models"], "loop models,",
      bench["iters"], "iterations")
print("profiles validated for every chapter:", all(len(describe(c)) > 0 for c in chapters()))
