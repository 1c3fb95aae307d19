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
# (sine-regression)=
# # Sine-wave regression: loss trends and sample complexity of monolithic networks
#
# The paper validates its theory of monolithic networks (Section 3) on a *parametrically
# controllable* regression task whose targets are sums of sine waves of one-dimensional
# projections of a Gaussian input {cite}`boopathy2025breaking`. This chapter builds that task,
# trains thousands of fully connected ReLU networks on it -- all of one architecture at once, with
# stacked parameters -- and redraws three results of the paper from what the code computes:
#
# - **Fig. 1**: one module of the task, its sine components and training points;
# - **Fig. 2**: train and test loss against the number of modules $k$, the input dimension $m$,
#   the parameter count $p$ and the number of samples $n$, next to the theory's prediction
#   ({ref}`theory`);
# - the **monolithic curve of Fig. 3a**: how many samples a monolithic network needs to reach a
#   target test loss, as a function of $m$.
#
# Only the illustrative module of Fig. 1 and the ranges of the swept quantities are known from the
# paper (SPEC §3); everything else about the task is a reconstruction, flagged below.

# %% tags=["parameters"]
profile = "smoke"
device = "auto"
n_seeds = None
m_values = None
k_values = None
widths = None
depths = None
iters = None
batch_size = None
n_points = None
n_test = None
sc_threshold = None
normalisation = None
output_scale = None
amplitudes = None
frequencies = None
alt_amplitudes = None
alt_frequencies = None

# %%
import math
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from myst_nb import glue

from modscale import paper_data, runlog
from modscale.batched_mlp import BatchedMLP
from modscale.export import export_figure, export_table
from modscale.profiles import resolve_params
from modscale.provenance import device_name
from modscale.sample_complexity import geometric_mean
from modscale.sine_sweeps import (
    fit_theory,
    grid_specs,
    k_specs,
    n_grid,
    run_sweep,
    sample_complexity_table,
    theory_predictions,
    variant_specs,
)
from modscale.sine_task import make_task, sample_datasets
from modscale.style import PALETTE, resolve_device, seed_everything, set_style
from modscale.trainer import sample_batch_indices, train_batched, train_one

cfg = resolve_params("sine", profile, n_seeds=n_seeds, m_values=m_values, k_values=k_values,
                     widths=widths, depths=depths, iters=iters, batch_size=batch_size,
                     n_points=n_points, n_test=n_test, sc_threshold=sc_threshold,
                     normalisation=normalisation, output_scale=output_scale,
                     amplitudes=amplitudes, frequencies=frequencies,
                     alt_amplitudes=alt_amplitudes, alt_frequencies=alt_frequencies)
set_style()
seed_everything(cfg.seed)
dev = resolve_device(device)
t_chapter = time.perf_counter()


class Text(str):
    """A string glued without quotes ({glue:text} shows the text/plain repr)."""

    def __repr__(self) -> str:
        return str(self)


glue("sine_profile", Text(profile), display=False)
glue("sine_device", Text(device_name(dev)), display=False)

# %% [markdown]
# ## The task
#
# Inputs are drawn as $x \sim \mathcal N(0, I_m)$ (the paper's words, SPEC §3.1). The task has $k$
# modules; module $i$ sees the projection $z_i = u_i^\top x$ onto a random unit vector $u_i$ and
# computes a sum of three sine waves,
#
# $$
# f_i(z) = \sum_{j=1}^{3} a_j \sin(\omega_j z + \varphi_{ij}),\qquad
# (a_j, \omega_j) \in \{(1, 1), (0.5, 3), (0.2, 5)\},\quad \varphi_{ij} \sim U[0, 2\pi),
# $$
#
# and the target is $y(x) = s\,c_k \sum_{i=1}^k f_i(u_i^\top x)$ with a normalisation $c_k$ and
# scale $s$. Every term is $a \sin(g^\top x + \varphi)$ for a wave vector $g$ with $|g| = \omega$,
# so the mean and variance of $y$ have closed forms,
# $\mathbb E \sin(g^\top x + \varphi) = \sin\varphi\, e^{-|g|^2/2}$ and
# $\mathbb E[\sin(g^\top x+\varphi)\sin(h^\top x+\psi)] = \tfrac12[\cos(\varphi-\psi)e^{-|g-h|^2/2}
# - \cos(\varphi+\psi)e^{-|g+h|^2/2}]$ (checked against Monte Carlo below and in the tests).
#
# ```{admonition} Reproduction note: the task
# :class: note
# - **Module function.** Amplitudes $(1, 0.5, 0.2)$ and frequencies $(1, 3, 5)$ are read off the
#   paper's Fig. 1 (SPEC §3.2, fitted to the figure); the paper calls that module illustrative, so
#   the real distribution of amplitudes, frequencies and phases is unknown. We use the same
#   components for every module and random phases (`SineTask.amplitudes`, `.frequencies`).
# - **Projection.** $u_i$ uniform on the unit sphere (`b = 1`); `b > 1` gives each module an
#   $m\times b$ projection with orthonormal columns (module inputs of unit variance per coordinate)
#   and each sine its own direction inside it.
# - **Normalisation** (parameter `normalisation`, default `unit_variance`; `output_scale`,
#   default $\sqrt 3$). SPEC suggests $c_k = 1/\sqrt k$ from the paper's "invariance of loss with
#   the number of modules". With $1/\sqrt k$ the variance of $y$ is $\approx 0.4\,s^2$ but varies by a
#   factor of about 2 between random draws of the task (phases and directions), which would add that
#   much noise to every loss. We therefore scale $\sum_i f_i$ to variance exactly $s^2 = 3$ (exact,
#   from the closed form): the loss of the best constant predictor is then 3 for every task, about
#   the level at which the paper's test losses saturate (Fig. 2: 2.7 measured, 2.85 predicted at
#   $m = 9$). Loss values below are in these units.
# - **Fixed settings of the sweeps** (unknown in the paper): $m = 4$ in the k-sweep, $k = 4$ in the
#   others (`m_fixed`, `k_fixed`), $n = 1000$ training samples in the k-, m- and p-panels
#   (`n_fig2`; the paper's predicted interpolation peak in the p-panel sits at $p\approx 10^3$).
# ```

# %%
task = make_task(cfg.m_fixed, cfg.k_fixed, seed=cfg.seed, b=cfg.b,
                 normalisation=cfg.normalisation, output_scale=cfg.output_scale,
                 amplitudes=cfg.amplitudes, frequencies=cfg.frequencies)
mean_cf, var_cf = task.moments()
_, y_mc = task.sample(200_000, seed=123, dtype=torch.float64)
mc = {"mean (closed form)": mean_cf, "mean (Monte Carlo, 2e5)": y_mc.mean().item(),
      "variance (closed form)": var_cf, "variance (Monte Carlo, 2e5)": y_mc.var().item()}
moments_ok = (abs(mc["mean (Monte Carlo, 2e5)"] - mean_cf) < 5 * math.sqrt(var_cf / 2e5)
              and abs(mc["variance (Monte Carlo, 2e5)"] / var_cf - 1) < 0.02)
glue("sine_target_var", var_cf, display=False)
pd.Series(mc).round(4).to_frame(f"task (m={task.m}, k={task.k})")

# %%
# NBVAL_CHECK_OUTPUT
print("closed-form moments agree with Monte Carlo:", moments_ok)

# %% [markdown]
# {numref}`fig-sine-task` redraws the paper's Fig. 1 from the code: the first module of the task
# above as a function of its input $u^\top x$, its three sine components, and twenty training
# points (their projections $u^\top x_\nu$ fall within about $\pm 2$ because $u^\top x\sim\mathcal
# N(0,1)$). The paper's module, as fitted to its figure, is drawn dashed; it differs only in the
# phases, which are random.

# %%
t = torch.linspace(-5, 5, 801, dtype=torch.float64)
z = t[:, None, None].expand(-1, task.k, 1)
comps = task.module_components(z)[:, 0]          # (801, 3) components of module 0
x_tr, _ = task.sample(20, seed=7, dtype=torch.float64)
z_tr = task.project(x_tr)[:, 0, 0]
f_tr = task.module_outputs(x_tr)[:, 0]
fp = paper_data.FIG1_MODULE
paper_curve = sum(a * np.sin(w * t.numpy() + ph) for a, w, ph in
                  zip(fp["amplitudes"], fp["frequencies"], fp["phases"], strict=True))

fig1, ax = plt.subplots(figsize=(6.4, 4.2))
for j in range(comps.shape[1]):
    ax.plot(t, comps[:, j], color="#4C72B0", lw=1,
            label="sine wave components" if j == 0 else None)
ax.plot(t, comps.sum(1), color="#DD8452", lw=2.5, label="target function (module 1)")
ax.plot(t, paper_curve, color=PALETTE["paper"], lw=1.2, ls="--",
        label="paper's Fig. 1 module (fitted)")
ax.scatter(z_tr, f_tr, color="#C00000", zorder=5, s=22, label="training points")
ax.set(xlabel=r"$u^\top x$", ylabel="output")
ax.legend(loc="lower left", fontsize=8, ncol=2)
glue("fig-sine-task", fig1, display=False)
plt.close(fig1)

# %% [markdown]
# ```{glue:figure} fig-sine-task
# :name: fig-sine-task
#
# One module of the sine-wave task (paper Fig. 1, redrawn from the code). Orange: the module's
# output $f_1(u_1^\top x)$ (before the normalisation of the sum over modules); blue: its three sine components; red dots: twenty training inputs
# projected on $u_1$. Dashed: the paper's illustrative module (amplitudes, frequencies and phases
# fitted to the paper's figure, SPEC §3.2); the two differ only in the random phases.
# ```

# %% [markdown]
# ## Training many networks at once
#
# The networks are the paper's: fully connected, ReLU between layers, no batch normalisation,
# Adam with learning rate 0.01, mean squared error (SPEC §9). A sweep needs thousands of them, so
# all networks of one architecture (and one input dimension) are trained *together*: their
# weights are stacked along a leading model axis (`modscale.batched_mlp.BatchedMLP`), every
# layer is one batched matrix product, each model draws its mini-batches from its own dataset, and
# one Adam optimiser minimises the *sum* of the models' losses
# (`modscale.trainer.train_batched`). Because the models share no parameter and Adam
# acts element-wise, this is exactly training each model alone. The cell below checks it: the
# same initial weights and mini-batches, trained by the batched trainer and by a plain
# one-model-at-a-time loop (`modscale.trainer.train_one`), in double precision.
#
# ```{admonition} Reproduction note: optimisation
# :class: note
# The paper does not give the batch size. Each step uses `batch_size` rows (default 1000 at the
# `paper` profile, 256 at `smoke`/`book`) drawn uniformly with replacement from the model's own
# $n$ rows, or all rows when $n\le$ `batch_size` (full batch). The paper trains for 10,000
# iterations; the `book` profile trains for `iters` = 1,500 and the `smoke` profile for 150 to fit
# the CPU budget, which leaves the larger networks less converged (their training loss is higher
# than the paper's near-zero values beyond the interpolation threshold).
# ```

# %%
eq_tasks = [make_task(3, 2, seed=s) for s in range(4)]
eq_n = [20, 60, 100, 300]
xtr, ytr, xte, yte, ntr = sample_datasets(eq_tasks, eq_n, 200, data_seeds=[0, 1, 2, 3],
                                          dtype=torch.float64)
eq_model = BatchedMLP(4, 3, 16, 3, generator=torch.Generator().manual_seed(0),
                      dtype=torch.float64)
eq_refs = eq_model.to_modules()
gen = torch.Generator().manual_seed(1)
eq_idx = torch.stack([sample_batch_indices(ntr, 64, gen) for _ in range(60)])
eq_b = train_batched(eq_model, xtr, ytr, xte, yte, n_train=ntr, iters=60, batch_size=64,
                     batch_indices=eq_idx, record_steps=True)
eq_err = 0.0
for j, n in enumerate(eq_n):
    one = train_one(eq_refs[j], xtr[j, :n], ytr[j, :n], xte[j], yte[j], iters=60, batch_size=64,
                    batch_indices=eq_idx[:, j], record_steps=True)
    eq_err = max(eq_err, (eq_b.step_loss[:, j] - one.step_loss[:, 0]).abs().max().item())
    for layer, w in enumerate(eq_model.weight):
        eq_err = max(eq_err, (w[j].T - eq_refs[j][2 * layer].weight).abs().max().item())
glue("sine_eq_err", eq_err, display=False)
print(f"largest difference (losses and weights, 60 steps, 4 models): {eq_err:.1e}")

# %%
# NBVAL_CHECK_OUTPUT
print("batched trainer equals the one-at-a-time loop:", eq_err < 1e-9)

# %% [markdown]
# The largest difference over 60 steps of 4 models is {glue:text}`sine_eq_err:.1e` (round-off).
# How much faster the batched trainer is is measured on the {ref}`reproducibility` page
# (`python -m modscale.bench`).
#
# ## The sweeps
#
# Two families of runs cover every panel (see `modscale.sine_sweeps`):
#
# - a **grid** over input dimension $m$, architecture (width $\times$ depth), seed and
#   training-set size $n$ on a geometric grid from $10^2$ to $10^5$ (which contains $n = 1000$), at
#   $k = 4$. Its $n=1000$ slice gives the m- and p-panels, the slice of one architecture (width 32,
#   depth 3: $p \approx 1.1$-$1.3\times10^3$) the n-panel, and the whole grid the sample complexity;
# - a **k-sweep** at $m = 4$, $n = 1000$;
# - the grid again for one architecture on a task with harder modules (a sensitivity check,
#   section "Sensitivity" below).
#
# A seed fixes the task (directions and phases), its data and the initial weights; datasets are
# nested in $n$. Each stack of models is cached as soon as it finishes, so an interrupted run
# resumes.

# %%
t0 = time.perf_counter()
df_k, runs_k = run_sweep("sine_k", k_specs(cfg), device=dev)
df, runs_g = run_sweep("sine_grid", grid_specs(cfg), device=dev)
df_alt, runs_alt = run_sweep("sine_alt", variant_specs(cfg, cfg.alt_amplitudes,
                                                        cfg.alt_frequencies), device=dev)
sweep_wall = time.perf_counter() - t0
all_runs = (("k-sweep", runs_k), ("grid (m, p, n, sample complexity)", runs_g),
            ("harder-module variant", runs_alt))
for name, runs in all_runs:
    runlog.record("sine_regression", name, profile=profile, models_trained=runs["models"].sum(),
                  wall_time_s=runs["wall_time_s"].sum(), seeds=cfg.n_seeds, device=dev)
run_table = pd.DataFrame([
    {"experiment": name, "profile": profile, "device": device_name(dev),
     "stacks": len(runs), "models trained": int(runs["models"].sum()),
     "iterations": int(runs["iters"].iloc[0]),
     "training wall time (s)": round(float(runs["wall_time_s"].sum()), 1)}
    for name, runs in all_runs])
glue("sine_models_trained", int(run_table["models trained"].sum()), display=False)
run_table

# %%
# NBVAL_CHECK_OUTPUT
print("models trained:", int(run_table["models trained"].sum()),
      "| stacks:", len(runs_g), len(runs_k), len(runs_alt))

# %% [markdown]
# The table reports the time spent training (recorded when each stack was computed; a cached
# stack is not retrained). In total {glue:text}`sine_models_trained` networks were trained.
#
# ## Loss trends (paper Fig. 2)
#
# ### The theory's prediction
#
# The theory ({ref}`theory`) predicts the expected train and test loss of a minimum-norm linear
# model with $p$ parameters fitted to $n$ samples of a task whose feature variances decay as
# $\lambda_i = c\,[i^{-\Omega^{-m}} - (i+1)^{-\Omega^{-m}}]$. Here $p$ is the network's parameter
# count. It has two free constants, the total variance $c$ and the decay base $\Omega$.
#
# ```{admonition} Reproduction note: fitting the theory
# :class: note
# The paper does not say how its predicted curves were scaled. We fix $c$ to the target variance
# (3: the theory's total feature variance *is* the variance of $y$) and fit $\Omega$ alone by least
# squares in log test loss over every (m, architecture) point of the m-sweep at $n = 1000$
# (seed-averaged); the same $(c,\Omega)$ then draw every other panel. `theory_fit = "c_omega"`
# fits $c$ as well; `theory_kind = "power_law"` uses the power-law spectrum instead.
# ```

# %%
m_points = (df[df["n"] == cfg.n_fig2].groupby(["m", "width", "depth", "p", "n"], as_index=False)
            ["test"].mean())
c_fixed = None if cfg.theory_fit == "c_omega" else float(df["target_var"].mean())
fit = fit_theory(m_points, c=c_fixed, kind=cfg.theory_kind)
glue("sine_fit_c", fit["c"], display=False)
glue("sine_fit_omega", fit["omega"], display=False)
glue("sine_fit_rmse", fit["rmse_log"], display=False)
pd.Series(fit).round(3).to_frame("fitted theory constants")

# %% [markdown]
# The fit gives $c =$ {glue:text}`sine_fit_c:.2f`, $\Omega =$ {glue:text}`sine_fit_omega:.3f`
# (root-mean-square error {glue:text}`sine_fit_rmse:.2f` in log loss).

# %%
def seed_avg(frame, by):
    return frame.groupby(by, as_index=False)[["train", "test"]].mean()


archs = sorted({(w, d) for w, d in zip(df["width"], df["depth"], strict=True)})
n1k = df[df["n"] == cfg.n_fig2]
fig2, axes = plt.subplots(2, 2, figsize=(10, 7.6))
theory_kw = {"c": fit["c"], "omega": fit["omega"], "kind": cfg.theory_kind}
summary = {}

# --- k panel: thin lines = architectures (seed-averaged), thick = average over architectures.
ax = axes[0, 0]
ks = np.array(sorted(df_k["k"].unique()))
per = seed_avg(df_k, ["k", "width", "depth", "p"])
k_curves = {}
for split in ("train", "test"):
    mat = np.array([[per[(per.width == w) & (per.depth == d) & (per.k == k)][split].item()
                     for k in ks] for w, d in archs])
    for row in mat:
        ax.plot(ks, row, color=PALETTE[split], lw=0.6, alpha=0.35)
    k_curves[split] = mat.mean(0)
    ax.plot(ks, mat.mean(0), color=PALETTE[split], lw=2.4)
    # seed spread of the architecture average (std over seeds of the arch-mean)
    sd = df_k.groupby(["k", "seed"])[split].mean().groupby("k").std().reindex(ks).to_numpy()
    ax.fill_between(ks, mat.mean(0) - sd, mat.mean(0) + sd, color=PALETTE[split], alpha=0.15)
p_k = np.array([per[(per.width == w) & (per.depth == d)]["p"].iloc[0] for w, d in archs])
tr_k, te_k = theory_predictions(cfg.n_fig2, p_k, cfg.m_fixed, **theory_kw)
ax.plot(ks, np.full(len(ks), np.mean(te_k)), color=PALETTE["test"], ls="--", lw=1.6)
ax.plot(ks, np.full(len(ks), np.mean(tr_k)), color=PALETTE["train"], ls="--", lw=1.6)
pk = paper_data.FIG2_K
ax.plot([2], [pk["actual_test_k2"]], "o", color=PALETTE["paper"], ms=5)
ax.fill_between([3, 9], *pk["actual_test_range_k3_9"], color=PALETTE["paper"], alpha=0.12)
ax.axhline(pk["predicted_test"], color=PALETTE["paper"], ls=":", lw=1.2)
ax.set(xlabel="k (modules)", ylabel="loss", title=f"vs k  (m = {cfg.m_fixed}, n = {cfg.n_fig2})")
summary["k"] = k_curves

# --- m panel
ax = axes[0, 1]
ms = np.array(sorted(n1k["m"].unique()))
per = seed_avg(n1k, ["m", "width", "depth", "p"])
m_curves, m_theory = {}, {}
for split in ("train", "test"):
    mat = np.array([[per[(per.width == w) & (per.depth == d) & (per.m == m)][split].item()
                     for m in ms] for w, d in archs])
    for row in mat:
        ax.plot(ms, row, color=PALETTE[split], lw=0.6, alpha=0.35)
    m_curves[split] = mat.mean(0)
    ax.plot(ms, mat.mean(0), color=PALETTE[split], lw=2.4)
    sd = n1k.groupby(["m", "seed"])[split].mean().groupby("m").std().reindex(ms).to_numpy()
    ax.fill_between(ms, mat.mean(0) - sd, mat.mean(0) + sd, color=PALETTE[split], alpha=0.15)
for split, idx in (("train", 0), ("test", 1)):
    pred = [np.mean(theory_predictions(cfg.n_fig2, per[per.m == m]["p"].to_numpy(), m,
                                       **theory_kw)[idx]) for m in ms]
    m_theory[split] = np.array(pred)
    ax.plot(ms, pred, color=PALETTE[split], ls="--", lw=1.6)
pm = paper_data.FIG2_M
ax.plot(pm["m"], pm["actual_test"], "o-", color=PALETTE["paper"], ms=3.5, lw=1)
ax.plot(pm["m"], pm["predicted_test"], ":", color=PALETTE["paper"], lw=1.2)
ax.set(xlabel="m (input dimension)", ylabel="loss", title=f"vs m  (k = {cfg.k_fixed}, n = {cfg.n_fig2})")
summary["m"] = m_curves

# --- p panel: thin lines = m, x = the architecture's p at that m; thick = average over m.
ax = axes[1, 0]
order = sorted(archs, key=lambda a: per[(per.width == a[0]) & (per.depth == a[1])]["p"].mean())
p_mean = np.array([per[(per.width == w) & (per.depth == d)]["p"].mean() for w, d in order])
p_curves = {}
for split in ("train", "test"):
    mat = np.array([[per[(per.width == w) & (per.depth == d) & (per.m == m)][split].item()
                     for w, d in order] for m in ms])
    for m, row in zip(ms, mat, strict=True):
        pm_ = [per[(per.width == w) & (per.depth == d) & (per.m == m)]["p"].item()
               for w, d in order]
        ax.plot(pm_, row, color=PALETTE[split], lw=0.6, alpha=0.35)
    p_curves[split] = mat.mean(0)
    ax.plot(p_mean, mat.mean(0), color=PALETTE[split], lw=2.4, marker="o", ms=3)
p_dense = np.unique(np.geomspace(50, max(2e5, p_mean.max() * 1.5), 400).astype(int))
p_dense = p_dense[np.abs(p_dense - cfg.n_fig2) > 1]
for split, idx in (("train", 0), ("test", 1)):
    pred = np.mean([theory_predictions(cfg.n_fig2, p_dense, m, **theory_kw)[idx] for m in ms], 0)
    ax.plot(p_dense, np.clip(pred, 0, 6), color=PALETTE[split], ls="--", lw=1.6)
pp = paper_data.FIG2_P
ax.plot([1e2, pp["actual_test_peak_p"]], [pp["actual_test_p1e2"], pp["actual_test_peak"]], "o",
        color=PALETTE["paper"], ms=5)
ax.plot([5e3, 2e4, 8e4], pp["actual_test_after_peak"], "o", color=PALETTE["paper"], ms=5,
        mfc="none")
ax.set(xscale="log", xlabel="p (parameters)", ylabel="loss", ylim=(0, 6),
       title=f"vs p  (k = {cfg.k_fixed}, n = {cfg.n_fig2}; thin: each m)")
summary["p"] = p_curves

# --- n panel: the n-panel architecture, thin lines = m.
ax = axes[1, 1]
sub = df[(df.width == cfg.n_panel_width) & (df.depth == cfg.n_panel_depth)]
per_n = seed_avg(sub, ["m", "n", "p"])
ns = np.array(sorted(sub["n"].unique()))
n_curves = {}
for split in ("train", "test"):
    mat = np.array([[per_n[(per_n.m == m) & (per_n.n == n)][split].item() for n in ns]
                    for m in ms])
    for row in mat:
        ax.plot(ns, row, color=PALETTE[split], lw=0.6, alpha=0.35)
    n_curves[split] = mat.mean(0)
    ax.plot(ns, mat.mean(0), color=PALETTE[split], lw=2.4, marker="o", ms=3,
            label=f"{split}, measured (mean)")
n_dense = np.geomspace(ns.min(), ns.max(), 400)
for split, idx in (("train", 0), ("test", 1)):
    pred = np.mean([theory_predictions(n_dense, per_n[per_n.m == m]["p"].iloc[0], m,
                                       **theory_kw)[idx] for m in ms], 0)
    ax.plot(n_dense, np.clip(pred, 0, 6), color=PALETTE[split], ls="--", lw=1.6,
            label=f"{split}, theory")
pn = paper_data.FIG2_N
ax.plot(pn["n"], pn["actual_test"], "o-", color=PALETTE["paper"], ms=3.5, lw=1,
        label="paper: test, measured")
ax.plot([], [], ":", color=PALETTE["paper"], label="paper: test, predicted")
p_n = int(per_n["p"].median())
ax.set(xscale="log", xlabel="n (training samples)", ylabel="loss", ylim=(0, 6),
       title=f"vs n  (width {cfg.n_panel_width}, depth {cfg.n_panel_depth}, p ~ {p_n}; thin: each m)")
ax.legend(fontsize=7, loc="upper right")
summary["n"] = n_curves
for a in axes[0]:
    a.set_ylim(bottom=0)
fig2.tight_layout()
glue("fig-sine-loss-trends", fig2, display=False)
plt.close(fig2)

# %% [markdown]
# ```{glue:figure} fig-sine-loss-trends
# :name: fig-sine-loss-trends
#
# Loss trends on the sine task (paper Fig. 2, reproduced). Solid: measured losses (purple train,
# blue test); thin lines are individual settings (architectures in the k- and m-panels, input
# dimensions in the p- and n-panels, each averaged over seeds), thick lines their average, bands
# $\pm$ one standard deviation over seeds of that average. Dashed: the theory with the constants
# fitted to the m-panel. Red: the paper's digitised values (dots/solid: measured test loss;
# dotted: predicted test loss; in the k-panel the shaded band is the paper's measured range for
# $k = 3..9$; in the p-panel the open dots are the paper's three post-peak values, whose $p$
# positions SPEC does not give and are placed approximately). The paper's losses are in its own
# (unknown) units.
# ```

# %% [markdown]
# ### Measured against the paper
#
# The table puts the measured averages (thick lines) next to the paper's digitised averages. Our
# loss units are those of a target of variance 3; the paper's units are unknown, so compare shapes
# (trends, peaks, ratios) rather than levels.

# %%
cmp_m = pd.DataFrame({"m": ms, "test (ours)": summary["m"]["test"],
                      "train (ours)": summary["m"]["train"], "test (theory fit)": m_theory["test"]})
paper_m = dict(zip(pm["m"], pm["actual_test"], strict=True))
paper_mp = dict(zip(pm["m"], pm["predicted_test"], strict=True))
cmp_m["test (paper)"] = [paper_m.get(int(m), np.nan) for m in ms]
cmp_m["test predicted (paper)"] = [paper_mp.get(int(m), np.nan) for m in ms]
cmp_m.round(3)

# %%
cmp_n = pd.DataFrame({"n": ns, "test (ours)": summary["n"]["test"],
                      "train (ours)": summary["n"]["train"]})
cmp_n["test (paper, nearest n)"] = [
    pn["actual_test"][int(np.argmin(np.abs(np.log(np.array(pn["n"])) - np.log(n))))] for n in ns]
cmp_n.round(3)

# %%
test_m = summary["m"]["test"]
k_test = summary["k"]["test"]
k_ratio = float(k_test[-1] / k_test[0])
p_peak = float(p_mean[np.argmax(summary["p"]["test"])])
n_test_curve, n_train_curve = summary["n"]["test"], summary["n"]["train"]
trend = {
    "m-panel: test loss at m_max / at m_min, ours": float(test_m[-1] / test_m[0]),
    "m-panel: test loss at m=9 / at m=2, paper": pm["actual_test"][-1] / pm["actual_test"][0],
    "m-panel: theory fit, rms error in log loss": fit["rmse_log"],
    "k-panel: test loss at k_max / at k_min, ours": k_ratio,
    "k-panel: middle of the k=3..9 range / k=2, paper": (
        np.mean(pk["actual_test_range_k3_9"]) / pk["actual_test_k2"]),
    "p-panel: p of the largest average test loss, ours": p_peak,
    "p-panel: same, paper": pp["actual_test_peak_p"],
    "n-panel: test loss at n_min / at n_max, ours": float(n_test_curve[0] / n_test_curve[-1]),
    "n-panel: same, paper": pn["actual_test"][0] / pn["actual_test"][-1],
    "n-panel: train loss at n_min, ours": float(n_train_curve[0]),
    "n-panel: (test - train) at n_max, ours": float(n_test_curve[-1] - n_train_curve[-1]),
}
k_word = ("grows" if k_ratio > 1.5 else "falls" if k_ratio < 1 / 1.5 else "stays roughly flat")
# "near" = the architecture with the largest test loss is the one whose p is closest to n.
near_peak = int(np.argmax(summary["p"]["test"])) == int(np.argmin(np.abs(np.log(p_mean / cfg.n_fig2))))
glue("sine_rise_m", trend["m-panel: test loss at m_max / at m_min, ours"], display=False)
glue("sine_k_ratio", k_ratio, display=False)
glue("sine_k_word", Text(k_word), display=False)
glue("sine_p_peak", p_peak, display=False)
glue("sine_p_word", Text("near" if near_peak else "away from"), display=False)
glue("sine_n_fall", trend["n-panel: test loss at n_min / at n_max, ours"], display=False)
glue("sine_n_train0", float(n_train_curve[0]), display=False)
pd.Series(trend).round(3).to_frame("value")

# %%
# NBVAL_CHECK_OUTPUT
print("test loss rises with m:", bool(test_m[-1] > test_m[0]))

# %% [markdown]
# What agrees and what does not (the numbers are from this run; the sentences were written from
# the `book` profile run and describe it):
#
# - **m-panel (agrees in shape).** The test loss rises with the input dimension, by a factor
#   {glue:text}`sine_rise_m:.1f` from the smallest to the largest $m$ (paper: 3.3 from $m=2$ to
#   $9$). The theory, with $c$ fixed to the target variance and one fitted constant $\Omega$,
#   follows the average rise (root-mean-square error {glue:text}`sine_fit_rmse:.2f` in log loss
#   over the individual architectures). With two seeds, single runs whose loss jumps during
#   training (Adam at learning rate 0.01) make the averages noisy.
# - **k-panel.** Our average test loss {glue:text}`sine_k_word` with the number of modules (ratio
#   {glue:text}`sine_k_ratio:.1f` between the largest and the smallest $k$). The paper's is roughly
#   flat apart from a higher value at $k=2$, and its theory predicts no dependence on $k$. At the
#   `book` profile ours grows clearly, a disagreement: with the variance fixed, a sum of more
#   modules is a function of more directions, hence harder to learn from the same $n$; the paper's
#   flat curve suggests that its task or its normalisation differ from ours in a way SPEC does not
#   record.
# - **p-panel.** The largest average test loss sits at $p \approx$
#   {glue:text}`sine_p_peak:.0f`, {glue:text}`sine_p_word` the interpolation threshold $p\approx
#   n = 1000$; the paper measured a clear peak there (4.0 against 2.16 at $p=10^2$). At the `book`
#   profile we see no such peak, a disagreement: our larger networks nearly interpolate (train loss
#   close to 0 beyond $p\approx10^3$) without a rise of the test loss. In
#   the theory the peak is the unexplained variance $\mathrm{Tr}\,\Lambda_2$ amplified by
#   $F(n,p)$; our networks leave little of the target unexplained, so there is little to amplify.
# - **n-panel (agrees in shape).** The test loss falls by a factor {glue:text}`sine_n_fall:.1f` from
#   the smallest to the largest $n$ (paper: 5.3); the train loss starts near zero
#   ({glue:text}`sine_n_train0:.2f` at the smallest $n$: the networks interpolate) and rises to meet
#   the test loss, as in the paper. As the paper's reviewers noted for its Fig. 2 (SPEC §2.3), the
#   theory's divergence at the interpolation threshold is far sharper than anything measured, and
#   at small $n$ the measured loss is far above the prediction.
# - **Levels.** Relative to the variance of the target, our networks end much lower than the
#   paper's: at $n = 10^5$ the paper's test and train losses meet at 0.84, about a third of its
#   saturation level, whereas ours meet at a few percent of the variance. With the Fig. 1
#   amplitudes $(1, 0.5, 0.2)$ most of the target's variance is in the frequency-1 component, which
#   is nearly linear over $u^\top x \in [-2, 2]$ and easy to learn in any dimension; the paper's
#   experiments presumably used harder modules (other amplitudes, frequencies or projections than
#   the illustrative Fig. 1), which SPEC could not recover. `amplitudes` and `frequencies` are
#   parameters of this page.

# %% [markdown]
# ## Sample complexity of monolithic networks (paper Fig. 3a, monolithic curve)
#
# For every input dimension $m$ and architecture, the sample complexity is the smallest training
# set size reaching a target test loss, searched on the geometric $n$-grid of the sweep
# (`modscale.sample_complexity.sample_complexity`): the seed-averaged test loss is
# interpolated linearly in $\log n$ between the two grid points around the first crossing of the
# threshold. A curve already below the threshold at the smallest $n$ gives that $n$ (an upper
# bound); one that never reaches it is left out of the average, and the number of such
# architectures is reported. The aggregate over architectures is the geometric mean.
#
# ```{admonition} Reproduction note: threshold and search
# :class: note
# The paper's threshold 1.5 is inferred from a file name (SPEC §5.1) and is in the paper's loss
# units. On our task, with variance 3, even the smallest grid size $n = 100$ reaches a test loss of
# 1.5 for most settings, so the search would return its lower bound everywhere. We use
# `sc_threshold` = 0.3 (10 % of the target variance) and show the sensitivity to the threshold
# (0.15, 0.3, 0.6, 1.5) in the table below. The grid (`n_min`, `n_max`, `n_points`) and the
# crossing rule (`sc_rule`: first crossing, or the crossing after which the loss stays below) are
# parameters.
# ```

# %%
sc = sample_complexity_table(df, cfg.sc_thresholds, rule=cfg.sc_rule)
sc_main = sc[sc["threshold"] == cfg.sc_threshold]
agg = (sc.groupby(["threshold", "m"])
       .agg(geo_mean_n=("n_required", geometric_mean),
            reached=("n_required", lambda v: int(np.isfinite(v).sum())),
            architectures=("n_required", "size"),
            at_lower_bound=("censored_low", "sum"))
       .reset_index())
agg_main = agg[agg["threshold"] == cfg.sc_threshold].set_index("m")

fig3, ax = plt.subplots(figsize=(6.4, 4.2))
for _, g in sc_main.groupby(["width", "depth"]):
    g = g.sort_values("m")
    ax.plot(g["m"], g["n_required"], color=PALETTE["monolithic"], lw=0.7, alpha=0.4)
ax.plot(agg_main.index, agg_main["geo_mean_n"], color=PALETTE["monolithic"], lw=2.6, marker="o",
        label=f"monolithic, ours (test loss {cfg.sc_threshold})")
f3 = paper_data.FIG3A
ax.plot(f3["m"], f3["monolithic"], "o--", color=PALETTE["paper"], lw=1.2, ms=4,
        label=f"monolithic, paper (test loss {paper_data.FIG3A_THRESHOLD}, its units)")
grid = n_grid(cfg)
ax.axhspan(1, grid[0], color="0.9", zorder=0)
ax.axhspan(grid[-1], 1e7, color="0.9", zorder=0)
ax.set(yscale="log", xlabel="m (input dimension)", ylabel="samples to reach the target loss",
       ylim=(grid[0] / 2, grid[-1] * 2))
ax.legend(fontsize=8)
glue("fig-sine-sample-complexity", fig3, display=False)
plt.close(fig3)

finite = agg_main["geo_mean_n"].dropna()
slope = (np.polyfit(finite.index.to_numpy(), np.log10(finite.to_numpy()), 1)[0]
         if len(finite) >= 2 else float("nan"))
paper_slope = np.polyfit(np.array(f3["m"]), np.log10(np.array(f3["monolithic"])), 1)[0]
glue("sine_sc_slope", float(slope), display=False)
glue("sine_sc_slope_paper", float(paper_slope), display=False)

# %% [markdown]
# ```{glue:figure} fig-sine-sample-complexity
# :name: fig-sine-sample-complexity
#
# Samples a monolithic MLP needs to reach the target test loss, against the input dimension $m$.
# Thin lines: architectures; thick: geometric mean over the architectures that reach the target
# within the grid. Red: the paper's monolithic baseline (Fig. 3a, digitised, threshold 1.5 in its
# units). Grey: outside the searched grid.
# ```
#
# A straight-line fit of $\log_{10} n$ against $m$ gives {glue:text}`sine_sc_slope:.2f` decades
# per dimension for our aggregate, against {glue:text}`sine_sc_slope_paper:.2f` for the paper's
# monolithic curve (which is not monotone). The first table gives the geometric mean over
# architectures for each threshold (the paper's 1.5 is reached almost at once on our task); the
# second, at the threshold used above, how many architectures reach it within the grid and how
# many are already below it at the smallest $n$ (their value is an upper bound).

# %%
agg.pivot(index="m", columns="threshold", values="geo_mean_n").round(0)

# %%
agg_main[["geo_mean_n", "reached", "at_lower_bound", "architectures"]].round(0)

# %%
# NBVAL_CHECK_OUTPUT
print("thresholds:", tuple(cfg.sc_thresholds), "| m values:", len(agg_main))

# %% [markdown]
# ## Sensitivity: a harder module
#
# The largest disagreement is the loss *level*. To test whether the module's sine components can
# explain it, the n-panel architecture (width {glue:text}`sine_np_w`, depth
# {glue:text}`sine_np_d`) is trained once more on the same grid of $m$, $n$ and seeds, on a task
# whose components have equal amplitudes (`alt_amplitudes`, default $(1, 1, 1)$; frequencies
# `alt_frequencies`, default unchanged $(1, 3, 5)$), the target again scaled to variance 3. This is
# an exploration of our own, not a setting from the paper.

# %%
glue("sine_np_w", cfg.n_panel_width, display=False)
glue("sine_np_d", cfg.n_panel_depth, display=False)
base_np = sub
variants = {f"amplitudes {tuple(cfg.amplitudes)} (main)": base_np,
            f"amplitudes {tuple(cfg.alt_amplitudes)}": df_alt}
fig4, (axa, axb) = plt.subplots(1, 2, figsize=(10, 3.8))
var_rows = []
for (label, frame), color in zip(variants.items(), ("#4C72B0", "#55A868"), strict=True):
    at_n = frame[frame["n"] == cfg.n_fig2].groupby("m")["test"].mean()
    axa.plot(at_n.index, at_n.to_numpy(), "o-", color=color, lw=2, ms=4, label=label)
    by_n = frame.groupby(["m", "n"])["test"].mean().groupby("n").mean()
    axb.plot(by_n.index, by_n.to_numpy(), "o-", color=color, lw=2, ms=4, label=label)
    sct = sample_complexity_table(frame, cfg.sc_thresholds, rule=cfg.sc_rule)
    for thr in (cfg.sc_threshold, paper_data.FIG3A_THRESHOLD):
        if thr in cfg.sc_thresholds:
            row = sct[sct["threshold"] == thr].set_index("m")["n_required"]
            var_rows.append({"task": label, "quantity": f"n to reach test loss {thr}",
                             **{f"m={m}": row.get(m, np.nan) for m in ms}})
    var_rows.append({"task": label, "quantity": f"test loss at n={cfg.n_fig2}",
                     **{f"m={m}": at_n.get(m, np.nan) for m in ms}})
axa.plot(pm["m"], pm["actual_test"], "o--", color=PALETTE["paper"], ms=3.5, lw=1,
         label="paper (all architectures, its units)")
axa.set(xlabel="m (input dimension)", ylabel="test loss",
        title=f"test loss vs m (n = {cfg.n_fig2})")
axb.plot(pn["n"], pn["actual_test"], "o--", color=PALETTE["paper"], ms=3.5, lw=1, label="paper")
axb.set(xscale="log", xlabel="n (training samples)", ylabel="test loss",
        title="test loss vs n (average over m)")
axa.legend(fontsize=7)
fig4.tight_layout()
glue("fig-sine-harder", fig4, display=False)
plt.close(fig4)
variant_table = pd.DataFrame(var_rows)
alt_at = df_alt[df_alt["n"] == cfg.n_fig2].groupby("m")["test"].mean()
glue("sine_alt_lo", float(alt_at.iloc[0]), display=False)
glue("sine_alt_hi", float(alt_at.iloc[-1]), display=False)
variant_table.round(2)

# %% [markdown]
# ```{glue:figure} fig-sine-harder
# :name: fig-sine-harder
#
# The n-panel architecture on the main task (blue) and on a task with equal-amplitude sine
# components (green), against the paper's averages (red, dashed; its m-panel averages all nine
# architectures). Left: test loss at $n = 1000$ against $m$; right: test loss against $n$,
# averaged over $m$.
# ```
#
# With equal amplitudes the test loss at $n = 1000$ goes from {glue:text}`sine_alt_lo:.2f` at the
# smallest $m$ to {glue:text}`sine_alt_hi:.2f` at the largest, on the scale of the paper's m-panel,
# and the paper's threshold 1.5 becomes informative. (With two seeds the curves carry the
# randomness of the drawn tasks: the bump at $m = 8$ appears for both module types, which share
# the seeds' directions and phases.) The loss level of Fig. 2 is thus very sensitive
# to the (unknown) composition of the modules; the shapes -- a rise with $m$, a fall with $n$ -- are
# not.

# %% [markdown]
# ## Discussion
#
# - **What reproduces.** Test loss growing with $m$ and saturating, test loss falling and train
#   loss rising with $n$ towards a common level, the theory's qualitative $m$-dependence, and --
#   the point of the paper's Section 3 -- a number of samples needed by monolithic networks that
#   grows quickly with the input dimension (about {glue:text}`sine_sc_slope:.2f` decades per
#   dimension here).
# - **What does not.** The flat $k$-dependence, the double-descent peak in $p$, and the loss levels
#   (see the list above; {numref}`fig-sine-harder` shows how much the levels depend on the
#   module's amplitudes). All three point to differences between our reconstruction of the task
#   and training and the paper's, which SPEC cannot resolve: the task's amplitudes, frequencies and
#   normalisation, the batch size, and (at the `book` profile) 1,500 instead of 10,000 iterations.
# - **Budget.** The `book` profile trains networks of widths 8, 32 and 64 (not 128) for 1,500
#   iterations, with 2 seeds and a 7-point grid of $n$; the `paper` profile (widths 8, 32, 128;
#   10,000 iterations; 5 seeds; 10-point grid; batch 1000) is meant for a GPU.

# %% tags=["remove-cell"]
# Record this chapter's verdicts for the "Reproduction summary" page (modscale.runlog.claim).
def fmt(v):
    return "(" + ", ".join(f"{x:g}" for x in v) + ")"


fig1_match = (len(task.amplitudes) == len(fp["amplitudes"])
              and np.allclose(task.amplitudes, fp["amplitudes"])
              and np.allclose(task.frequencies, fp["frequencies"]))
runlog.claim(
    "sine_regression", "Fig. 1", "one module of the sine-wave task: a sum of sine waves of a "
    "projection of the input", paper=f"amplitudes {fmt(fp['amplitudes'])}, frequencies "
    f"{fmt(fp['frequencies'])} (fitted to the figure)",
    reproduced=f"amplitudes {fmt(task.amplitudes)}, frequencies {fmt(task.frequencies)}, random "
    "phases", verdict="reproduced" if fig1_match else "partly",
    why="drawn from the task generator; reproduced if its amplitudes and frequencies equal "
    "those fitted to the paper's figure (phases are random), else partly", profile=profile)

# Fig. 2, k-panel: invariance of the test loss in k.
k_spread = float(k_test.max() / k_test.min())
pk_spread = max(pk["actual_test_k2"], pk["actual_test_range_k3_9"][1]) / pk[
    "actual_test_range_k3_9"][0]
runlog.claim(
    "sine_regression", "Fig. 2", "test loss is invariant in the number of modules k",
    paper=f"test {pk['actual_test_k2']} at k = 2, {pk['actual_test_range_k3_9'][0]}-"
    f"{pk['actual_test_range_k3_9'][1]} at k = 3..9 (max/min {pk_spread:.2f}); theory flat at "
    f"{pk['predicted_test']}",
    reproduced=f"mean test {fmt(np.round(k_test, 3))} at k = {fmt(ks)} (max/min "
    f"{k_spread:.2f}; m = {cfg.m_fixed}, n = {cfg.n_fig2})",
    verdict="not tested" if len(ks) < 2 else "reproduced" if k_spread < 1.5
    else "not reproduced",
    why="reproduced if max/min of the mean test loss over k is < 1.5, else not reproduced",
    profile=profile)


# Fig. 2, m-panel: the test loss increases with m, sublinearly (concave).
def m_shape(mv, te):
    mv, te = np.asarray(mv, dtype=float), np.asarray(te, dtype=float)
    rank = np.argsort(np.argsort(mv)), np.argsort(np.argsort(te))
    rho = float(np.corrcoef(*rank)[0, 1])
    h = len(mv) // 2
    lo = np.polyfit(mv[:h + 1], te[:h + 1], 1)[0]
    hi = np.polyfit(mv[h:], te[h:], 1)[0]
    return rho, float(lo), float(hi)


rho, s_lo, s_hi = m_shape(ms, test_m)
prho, ps_lo, ps_hi = m_shape(pm["m"], pm["actual_test"])
m_up = bool(rho > 0.8 or np.all(np.diff(test_m) > 0))
m_sub = bool(s_hi < s_lo)
runlog.claim(
    "sine_regression", "Fig. 2", "test loss increases sublinearly with the input dimension m",
    paper=f"test {pm['actual_test'][0]} → {pm['actual_test'][-1]} from m = {pm['m'][0]} to "
    f"{pm['m'][-1]}; Spearman {prho:.2f}; slope {ps_lo:.3f}/dim (lower half) vs {ps_hi:.3f} "
    "(upper half)",
    reproduced=f"test {test_m[0]:.3f} → {test_m[-1]:.3f} from m = {ms[0]} to {ms[-1]}; "
    f"Spearman {rho:.2f}; slope {s_lo:.3f}/dim vs {s_hi:.3f}",
    verdict="not tested" if len(ms) < 3 else "reproduced" if m_up and m_sub
    else "partly" if m_up else "not reproduced",
    why="increases if Spearman(m, mean test loss) > 0.8 or the loss is monotone; sublinear if "
    "the linear-fit slope over the upper half of the m range is below that over the lower "
    "half; reproduced if both, partly if it only increases", profile=profile)

# Fig. 2, p-panel: double descent, a test-loss peak at the interpolation threshold p ≈ n.
p_test = np.asarray(summary["p"]["test"])
i_pk = int(np.argmax(p_test))
p_near = bool(abs(np.log(p_mean[i_pk] / cfg.n_fig2)) <= np.log(2))
p_interior = bool(0 < i_pk < len(p_test) - 1)
runlog.claim(
    "sine_regression", "Fig. 2", "double descent in p: the test loss peaks at the "
    "interpolation threshold",
    paper=f"test {pp['actual_test_p1e2']} at p = 100, peak {pp['actual_test_peak']} at p ≈ "
    f"{pp['actual_test_peak_p']:.0f}, then {fmt(pp['actual_test_after_peak'])}",
    reproduced=f"mean test {fmt(np.round(p_test, 3))} at p ≈ {fmt(np.round(p_mean))} "
    f"(n = {cfg.n_fig2}); max at p ≈ {p_mean[i_pk]:.0f}",
    verdict="not tested" if len(p_test) < 3 else "reproduced" if p_near and p_interior
    else "not reproduced",
    why="reproduced if the largest mean test loss over the architectures is an interior point "
    "(loss lower on both sides) at a p within a factor 2 of n; not tested with fewer than 3 "
    "architectures", profile=profile)

# Fig. 2, n-panel: the test loss falls with n and train and test loss converge.
n_fall = float(n_test_curve[0] / n_test_curve[-1])
n_gap = float(abs(n_test_curve[-1] - n_train_curve[-1]) / n_test_curve[-1])
pn_fall = pn["actual_test"][0] / pn["actual_test"][-1]
pn_gap = abs(pn["actual_test"][-1] - pn["train_large_n"]) / pn["actual_test"][-1]
n_ok = (n_fall > 2, n_gap < 0.25)
runlog.claim(
    "sine_regression", "Fig. 2", "the test loss falls with n and train and test loss converge",
    paper=f"test falls ×{pn_fall:.1f} from n = {pn['n'][0]:.0f} to {pn['n'][-1]:.0f}; "
    f"|test - train|/test at n = {pn['n'][-1]:.0f}: {100 * pn_gap:.0f} %",
    reproduced=f"test falls ×{n_fall:.1f} from n = {ns[0]} to {ns[-1]}; |test - train|/test "
    f"at n = {ns[-1]}: {100 * n_gap:.0f} %",
    verdict="reproduced" if all(n_ok) else "partly" if any(n_ok) else "not reproduced",
    why="reproduced if the mean test loss falls by more than ×2 from the smallest to the "
    "largest n and |test - train|/test < 25 % at the largest n; partly if only one holds",
    profile=profile)

# Fig. 2: the theory (dashed) against the measured test loss, compared with how well the
# paper's own predicted curve fits its measurements (m-panel, RMS of the log ratio).
th_rms = float(np.sqrt(np.mean(np.log(m_theory["test"] / test_m) ** 2)))
paper_rms = float(np.sqrt(np.mean(np.log(np.array(pm["predicted_test"])
                                         / np.array(pm["actual_test"])) ** 2)))
far = np.abs(np.log(ns / p_n)) > np.log(2)
n_pred = np.mean([theory_predictions(ns, per_n[per_n.m == m]["p"].iloc[0], m, **theory_kw)[1]
                  for m in ms], 0)
n_rms = (float(np.sqrt(np.mean(np.log(n_pred[far] / n_test_curve[far]) ** 2)))
         if far.any() else float("nan"))
runlog.claim(
    "sine_regression", "Fig. 2", "the theory's predicted test loss follows the measured one",
    paper=f"m-panel: RMS log(predicted/measured) {paper_rms:.2f}",
    reproduced=f"m-panel: {th_rms:.2f} (Ω fitted on it); n-panel, n outside [p/2, 2p]: "
    f"{n_rms:.2f} (not fitted)",
    verdict="reproduced" if th_rms <= 1.5 * paper_rms else "partly"
    if th_rms <= 3 * paper_rms else "not reproduced",
    why="reproduced if the m-panel RMS error in log test loss is at most 1.5× the paper's own "
    "(from its digitised curves), partly if at most 3×; Ω is fitted to this panel, the "
    "n-panel value is shown for reference", profile=profile)

# Fig. 3a, monolithic curve: the samples needed grow with m, compared in decades per dimension.
sc_reached = int(agg_main["reached"].sum())
sc_low = int(agg_main["at_lower_bound"].sum())
sc_total = int(agg_main["architectures"].sum())
sc_ok = bool(np.isfinite(slope) and paper_slope / 2 <= slope <= 2 * paper_slope)
runlog.claim(
    "sine_regression", "Fig. 3a", "the samples a monolithic network needs grow with the input "
    "dimension m",
    paper=f"monolithic: {paper_slope:.3f} decades/dim (log-linear fit, m = {f3['m'][0]}-"
    f"{f3['m'][-1]}, test loss {paper_data.FIG3A_THRESHOLD} in its units)",
    reproduced=(f"{slope:.3f} decades/dim" if np.isfinite(slope) else "no slope: fewer than "
                "2 m reached") + f" (test loss {cfg.sc_threshold}, m = {ms[0]}-{ms[-1]}; "
    f"{sc_reached}/{sc_total} (m, architecture) reach it, {sc_low} at the grid's lower bound)",
    verdict="not tested" if not np.isfinite(slope) else "reproduced" if sc_ok
    else "partly" if slope > 0 else "not reproduced",
    why="reproduced if the log-linear slope of the geometric-mean n over architectures is "
    "within a factor 2 of the paper's monolithic slope, partly if only positive; thresholds "
    "differ (the paper's 1.5 is reached at once on our task)", profile=profile)

# %%
wall = time.perf_counter() - t_chapter
export_figure(fig1, "fig1_sine_task", profile=profile, device=dev, wall_time_s=wall)
export_figure(fig2, "fig2_loss_trends", profile=profile, device=dev, wall_time_s=wall,
              extra={"theory_fit": fit})
export_figure(fig4, "sine_harder_module", profile=profile, device=dev, wall_time_s=wall)
export_figure(fig3, "sample_complexity_monolithic", profile=profile, device=dev,
              wall_time_s=wall, extra={"threshold": cfg.sc_threshold})
export_table(pd.concat([df.assign(sweep="grid"), df_k.assign(sweep="k")]), "fig2_loss_trends",
             profile=profile, device=dev, wall_time_s=wall)
export_table(sc, "sample_complexity_monolithic", profile=profile, device=dev, wall_time_s=wall)
print(f"chapter wall time: {wall:.0f} s")
