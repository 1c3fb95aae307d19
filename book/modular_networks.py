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
# (modular-networks)=
# # Modular networks and the kernel initialiser
#
# ```{admonition} Inputs from other chapters
# :class: note
# The judged sections of this page (Fig. 3a and Fig. 4 on the calibrated task, the regime
# study, the paper-matched regime) train on the sine task as calibrated by
# {ref}`sine-regression` (the previous chapter) with the Fig. 3a protocol and Algorithm 1
# settings of {ref}`algorithm1` (the next chapter, which studies the algorithm this page uses);
# the first Fig. 3a and the ablations use this page's own uncalibrated task. Both chapters are
# read as they last ran at this profile ({py:func}`modscale.infra.profiles.upstream_config`):
# if you override their parameters with `-p`, run both of them before this page.
# ```
#
# Section 4 of the paper {cite}`boopathy2025breaking` builds networks that mirror the modular
# structure of the task: $K$ modules, each a small MLP $\hat y_j$ that sees only a
# $b$-dimensional projection $\hat U_j^\top x$ of the $m$-dimensional input,
#
# $$
# \hat y(x)=\frac{1}{\sqrt K}\sum_{j=1}^{K}\hat y_j\big(\hat U_j^\top x\big),\qquad
# \hat U_j\in\mathbb R^{m\times b}.
# $$
#
# The theory page {doc}`modular_theory` shows why such a network can have a sample complexity
# independent of $m$ *if its projections are aligned with the task's modules*. Finding those
# projections is the hard part: trained end to end from random projections, a modular network
# does not necessarily find them. The paper therefore proposes a learning rule (Algorithm 1) that
# first sets each projection by gradient descent on a kernel objective, then trains everything
# end to end. This page implements the network and the rule, and redraws paper Fig. 3a (sample
# complexity against $m$), Fig. 4 (alignment of the learned projections with the true ones, and
# a t-SNE of both) and a nonlinear-projection variant in place of Table 2, plus two ablations
# reviewers asked for (number of modules, compute-matched baseline).

# %% tags=["parameters"]
profile: str = "smoke"  # profile: smoke, book or paper (every other parameter defaults to its value in this profile)
device: str = "auto"  # auto (CUDA if available, else CPU), cpu, cuda or cuda:N
seed: int = None  # global seed (weights, mini-batches) [smoke: 0; book: 0]
k: int = None  # number of modules of the sine task [smoke: 4; book: 4]
b: int = None  # module input dimension b (task and network) [smoke: 1; book: 1]
modules_factor: int = None  # network modules K ＝ modules_factor * k [smoke: 2; book: 2]
widths: tuple = None  # hidden widths of the architectures (monolithic MLP and each module MLP) [smoke: (8,); book: (8, 32)]
depths: tuple = None  # depths (linear layers) of the architectures [smoke: (3,); book: (3,)]
m_values: tuple = None  # input dimensions m of Fig. 3a [smoke: (3, 6); book: (2, 3, 4, 5, 6, 7, 8, 9)]
methods: tuple = None  # methods of Fig. 3a [smoke: ('monolithic', 'modular', 'ours', 'ours_joint'); book: ('monolithic', 'modular', 'ours', 'ours_joint')]
n_min: int = None  # smallest training-set size of the n grid [smoke: 32; book: 32]
n_max: int = None  # largest training-set size of the n grid [smoke: 1024; book: 8192]
n_points: int = None  # points of the geometric n grid [smoke: 4; book: 7]
n_seeds: int = None  # seeds (task + data draws) per grid point [smoke: 1; book: 2]
n_test: int = None  # test points per model [smoke: 500; book: 1000]
iters: int = None  # training iterations (Adam) [smoke: 100; book: 1000]
lr: float = None  # Adam learning rate of end-to-end training [smoke: 0.01; book: 0.01]
batch_size: int = None  # training mini-batch size [smoke: 256; book: 256]
threshold: float = None  # test-loss threshold defining the sample complexity (10 % of the target variance, as in the sine chapter) [smoke: 0.3; book: 0.3]
thresholds: tuple = None  # thresholds of the sensitivity table (must include 'threshold') [smoke: (0.15, 0.3, 0.6, 1.5); book: (0.15, 0.3, 0.6, 1.5)]
sc_rule: str = None  # threshold-crossing rule [smoke: 'first'; book: 'first']
init_steps: int = None  # Algorithm 1: gradient steps per projection [smoke: 20; book: 100]
init_batch_size: int = None  # Algorithm 1: mini-batch size (kernel matrix size) [smoke: 128; book: 128]
init_lr: float = None  # Algorithm 1: Adam learning rate [smoke: 0.05; book: 0.05]
init_kernel: str = None  # Algorithm 1: kernel on projected inputs [smoke: 'rbf'; book: 'rbf']
init_bandwidth: str = None  # Algorithm 1: bandwidth rule [smoke: 'median'; book: 'median']
init_ridge: float = None  # Algorithm 1: ridge, relative to the mean kernel diagonal [smoke: 0.1; book: 0.1]
align_m: int = None  # Fig. 4: input dimension [smoke: 15; book: 15]
align_k: int = None  # Fig. 4: task modules (t-SNE: 10 targets) [smoke: 10; book: 10]
align_n: int = None  # Fig. 4: training-set size [smoke: 300; book: 2000]
align_iters: int = None  # Fig. 4: training iterations (Adam; the paper's protocol: 10,000) [smoke: 60; book: 10000]
align_record_every: int = None  # Fig. 4: record the similarity every ... iters [smoke: 20; book: 50]
align_seeds: int = None  # Fig. 4: seeds [smoke: 1; book: 5]
align_sensitivity: bool = None  # Fig. 4: also run on the runner-up calibration point of the sine chapter (sensitivity) [smoke: False; book: True]
regime_iters: int = None  # regime study: training iterations (the paper's Fig. 4 spans 0-1,000) [smoke: 40; book: 1000]
regime_seeds: int = None  # regime study: seeds per setting [smoke: 2; book: 3]
regime_settings: tuple = None  # regime study: settings run ('all' or names of modscale.experiments.modular_regime.settings) [smoke: ('today', 'projection lr x0.1'); book: ('all',)]
grid_regime: str = None  # Fig. 3a grid: the second regime ('selected': the study's best fit, or a setting name); the first is today's [smoke: 'selected'; book: 'selected']
grid_widths: tuple = None  # Fig. 3a grid: widths (monolithic MLP and each module MLP) [smoke: (8,); book: (8,)]
grid_depths: tuple = None  # Fig. 3a grid: depths [smoke: (3,); book: (3,)]
grid_m_values: tuple = None  # Fig. 3a grid: input dimensions [smoke: (3,); book: (2, 3, 6, 9)]
grid_methods: tuple = None  # Fig. 3a grid: methods [smoke: ('monolithic', 'modular', 'ours_literal'); book: ('monolithic', 'modular', 'ours_literal')]
grid_seeds: int = None  # Fig. 3a grid: seeds per stack [smoke: 2; book: 3]
pr_methods: tuple = None  # paper-regime Fig. 3a: methods (oracle: the true directions, an upper bound, not a reading) [smoke: ('monolithic', 'modular', 'ours_literal', 'ours_joint', 'oracle'); book: ('monolithic', 'modular', 'ours_literal', 'ours_joint', 'oracle')]
pr_m_values: tuple = None  # paper-regime Fig. 3a: input dimensions [smoke: (3,); book: (3, 6, 9)]
pr_widths: tuple = None  # paper-regime Fig. 3a: widths (depth: grid_depths[0]) [smoke: (8,); book: (8,)]
pr_seeds: int = None  # paper-regime Fig. 3a: seeds (the first grid_seeds are the grid's stacks) [smoke: 2; book: 5]
pr_sensitivity_seeds: int = None  # paper-regime Fig. 3a: seeds of the other regime (the sensitivity; at most grid_seeds) [smoke: 3; book: 3]
pr_fig4_seeds: int = None  # paper-regime Fig. 4: seeds [smoke: 1; book: 5]
dose_alphas: tuple = None  # dose-response: alignment doses alpha of the mixed start (0: random, 1: oracle) [smoke: (0.0, 0.5, 1.0); book: (0.0, 0.1, 0.25, 0.5, 0.75, 1.0)]
dose_m_values: tuple = None  # dose-response: input dimensions [smoke: (3,); book: (3, 6, 9)]
table2_m_values: tuple = None  # Table 2: input dimensions (each one of the Algorithm 1 chapter's 'sc_m_values') [smoke: (3,); book: (3, 6, 9)]
proj_hidden: int = None  # Table 2: hidden units of the nonlinear projection [smoke: 8; book: 8]
ablation_m: int = None  # ablations: input dimension [smoke: 6; book: 9]
ablation_factors: tuple = None  # ablation: K / k [smoke: (1, 2); book: (1, 2, 5)]
ablation_n: tuple = None  # ablations: training-set sizes [smoke: (128,); book: (128, 512)]

# %%
# Validate the parameters before any heavy import or computation: a misspelled or unknown
# name, or a bad value, fails here with a message listing the valid ones.
from modscale.report.chapter import chapter

ch = chapter("modular_networks", globals())  # validates, publishes, device, style, seed
cfg = ch.cfg

# %%
import dataclasses
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from modscale import paper_data
from modscale.experiments import calibration, fig3a_readings, modular_calibrated, modular_sweep
from modscale.infra.cache import cached_map
from modscale.plans import modular_networks as mod_plan
from modscale.report import regime as regime_report
from modscale.report import verdicts
from modscale.report.analysis import modular_stacks_frame
from modscale.report.figures import modular_networks as figs
from modscale.report.notebook import glue, glue_text, glue_verdicts, show
from modscale.report.prose import modular_networks as prose
from modscale.tasks.sine_task import make_task
from modscale.training.alignment import chance_similarity, pairwise_similarity
from modscale.training.kernel_objective import kernel_objective

dev = ch.device
t_page = time.perf_counter()
K_mod = cfg.modules_factor * cfg.k
glue("mod_profile", profile, display=False)
glue("mod_k", cfg.k, display=False)
glue("mod_K", K_mod, display=False)


# %% [markdown]
# ## The kernel objective (Eqn 17)
#
# For fixed projections, the minimum-norm module weights that fit the training targets $Y$
# (n x d) with module features $\phi(X;\hat U)$ have squared norm
#
# $$
# \sum_i\|\theta_i\|^2 = \operatorname{tr}\big(Y^\top K(X,X;\hat U)^{-1}Y\big),
# $$
#
# where $K$ is the kernel of the features (SPEC §4.3, a reconstruction). A projection that makes
# the targets a *smooth* function of $\hat U^\top x$ gives a small value. Algorithm 1 descends this
# objective with respect to $\hat U_i$ on mini-batches, from $K$ different random starts, and
# then trains the whole network on the task loss. Our implementation
# ({py:mod}`modscale.training.kernel_objective`, {py:mod}`modscale.training.kernel_init`) batches all $K$ restarts
# of all networks into one stack of kernel matrices, solves through a Cholesky factorisation with
# adaptive jitter (never an explicit inverse) and back-propagates with the closed form
# $\partial\,\mathrm{tr}(Y^\top A^{-1}Y)/\partial A=-\alpha\alpha^\top$, $\alpha=A^{-1}Y$.
#
# ```{deviation} alg1-kernel
# ```
#
# ```{deviation} alg1-single-or-joint
# ```
#
# An independent check of the implementation (float64): the batched objective against a direct
# `torch.linalg.solve` of the explicitly built kernel system, and its gradient against central
# finite differences (the unit tests check more: batched restarts against a loop, masking, the
# jitter, all kernels with `gradcheck`).

# %%
# NBVAL_CHECK_OUTPUT
task_chk = make_task(5, 3, seed=0)
x_chk, y_chk = task_chk.sample(64, seed=1, dtype=torch.float64)
u_chk = torch.randn(6, 5, 1, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
val = kernel_objective(x_chk, y_chk, u_chk, ridge=0.1)
ref = []
for u in u_chk:
    z = x_chk @ (u / u.norm())
    d = torch.cdist(z, z)
    s = d[tuple(torch.triu_indices(64, 64, 1))].median()
    kmat = torch.exp(-d ** 2 / (2 * s ** 2)) + 0.1 * torch.eye(64, dtype=torch.float64)
    ref.append(torch.trace(y_chk.T @ torch.linalg.solve(kmat, y_chk)))
rel_err = float(((val - torch.stack(ref)).abs() / torch.stack(ref)).max())
u0 = u_chk[0].clone().requires_grad_(True)
f = lambda v: kernel_objective(x_chk, y_chk, v, bandwidth="fixed", sigma=0.9, ridge=0.1)  # noqa: E731
f(u0).backward()
eps = 1e-6
fd = torch.stack([(f(u_chk[0] + eps * e) - f(u_chk[0] - eps * e)) / (2 * eps)
                  for e in torch.eye(5, dtype=torch.float64)[:, :, None]]).reshape(5, 1)
grad_err = float((u0.grad - fd).abs().max() / fd.abs().max())
glue("mod_obj_relerr", f"{rel_err:.1e}", display=False)
glue("mod_grad_relerr", f"{grad_err:.1e}", display=False)
print("objective vs direct solve: max rel. error < 1e-10:", rel_err < 1e-10)
print("gradient vs finite differences: rel. error < 1e-6:", grad_err < 1e-6)

# %% [markdown]
# Objective against a direct solve: maximum relative error {glue:text}`mod_obj_relerr`; gradient
# against finite differences: {glue:text}`mod_grad_relerr`.
#
# ## Sample complexity against input dimension (paper Fig. 3a)
#
# For every input dimension $m$, architecture and method we train one stack of networks, one per
# (seed, $n$) pair on a geometric grid of training-set sizes; seed $s$ fixes the task (the modular
# sine task of {doc}`sine_regression` with $k$ = {glue:text}`mod_k` modules, $b=1$) and the
# data, so that all methods see the same tasks and data. The modular networks have
# $K$ = {glue:text}`mod_K` modules whose MLPs have the architecture's width and depth; the
# monolithic baseline is one MLP of that width and depth on the full input. The sample
# complexity is found as in {doc}`sine_regression`: the smallest $n$ where the seed-averaged test
# loss crosses the threshold, interpolated in $\log n$; thin lines are architectures, thick lines
# their geometric mean (architectures that never reach the threshold are left out and counted).
#
# ```{deviation} mod-scale
# ```

# %%
from modscale.report.analysis import aggregate_sample_complexity, sample_complexity_by_method

fig3_specs = modular_sweep.fig3_specs(cfg, dev.type)
t0 = time.perf_counter()
fig3_runs = cached_map("modular_stacks", fig3_specs, modular_sweep.run_stack_from_config)
wall_fig3 = time.perf_counter() - t0


df3 = modular_stacks_frame(fig3_specs, fig3_runs)
sc3 = sample_complexity_by_method(df3, cfg.thresholds, rule=cfg.sc_rule)
agg3 = aggregate_sample_complexity(sc3, ("method", "threshold", "m"))
# per threshold: the method with the smallest geometric mean of samples over m
if (lowest := prose.fewest_samples(agg3, cfg.threshold)) is not None:
    ch.sensitivity("mod-scale", "the method needing the fewest samples per threshold", lowest)
ch.record("fig3a_sample_complexity",
          models_trained=len(df3), wall_time_s=wall_fig3, seeds=cfg.n_seeds)

# %%
main = sc3[sc3["threshold"] == cfg.threshold]
agg_main = agg3[agg3["threshold"] == cfg.threshold]
n_top = max(r["n"].max() for r in fig3_runs)
fig3 = figs.fig3a_sample_complexity(main, agg_main, paper_data.FIG3A, methods=cfg.methods,
                                    threshold=cfg.threshold, n_top=n_top,
                                    paper_threshold=paper_data.FIG3A_THRESHOLD)
glue("fig3a_sample_complexity", fig3, display=False)
ch.export_figure(fig3, "fig3a_sample_complexity",
                 wall_time_s=wall_fig3, extra={"threshold": cfg.threshold})
plt.close(fig3)

# %% [markdown]
# ```{glue:figure} fig3a_sample_complexity
# :name: fig-mod-fig3a
# :alt: Samples needed to reach the target test loss against input dimension m for monolithic, modular and kernel-initialised networks, next to the paper's Fig. 3a
# Left: samples needed to reach test loss {glue:text}`mod_threshold` against input dimension $m$
# (thin: architectures; thick: geometric mean; dotted: the largest $n$ of the grid). Right: the
# aggregates next to the paper's digitised Fig. 3a (red, dashed; its threshold 1.5 is in the
# paper's loss units, so only trends and orderings compare, not absolute values).
# ```

# %%
glue("mod_threshold", cfg.threshold, display=False)
glue("mod_iters", f"{cfg.iters:,}", display=False)
tab3 = agg_main.pivot(index="m", columns="method", values="n_required").round(0)
paper3 = pd.DataFrame({f"paper {meth}": paper_data.FIG3A[meth] for meth in
                       ("monolithic", "modular", "ours")}, index=list(paper_data.FIG3A["m"]))
tab3 = tab3.join(paper3, how="left")
show(tab3, index=True)

# %%
# NBVAL_CHECK_OUTPUT
print("stacks:", len(fig3_specs), "| networks:", len(df3), "| thresholds:", cfg.thresholds)

# %%
glue("mod_order", prose.method_order(agg_main, cfg.m_values), display=False)
show(figs.fig3a_slopes(agg_main, cfg.methods, paper_data.FIG3A))

# %% [markdown]
# The same aggregate at every threshold of `thresholds` (the geometric mean over architectures,
# with the number of architectures reaching the threshold):

# %%
show(agg3.pivot_table(index=["threshold", "m"], columns="method", values="n_required"),
     index=True)

# %% [markdown]
# What the figure shows, at this profile:
#
# - **Ordering** of the aggregate sample complexities (smallest first; samples in brackets):
#   {glue:text}`mod_order`. The paper reports ours < monolithic < modular at almost every $m$
#   (its baseline *modular* network is the *worst* of its three).
# - **Growth with $m$.** The slopes of $\log_{10} n$ against $m$ are in the table above, next to
#   the slopes of the paper's digitised curves. The paper's curves all grow with $m$, including
#   its own method (reviewers noted that this does not show the $m$-independence of the theory);
#   see {doc}`modular_theory` for the aligned-projection prediction.
#
# ```{admonition} Where this reproduction differs from the paper
# :class: warning
# Absolute sample complexities depend on the unknown task constants, threshold, grid and
# training budget (ours: `iters` iterations, the paper 10,000), so only orderings and trends
# compare. A modular network with random projections trained end to end can rotate its modules
# onto the task's directions during training (the next figure measures how far it does), so the
# gap between the baseline modular network and the kernel-initialised ones is a measured
# quantity here, not an assumption.
# ```
#
# ## Alignment of the learned projections (paper Fig. 4)
#
# Does the initialiser find the task's modules? We measure the **similarity score** of learned
# projections $\hat U_j$ with the task's $U_i$ ({py:func}`modscale.training.alignment.similarity_score`):
# the mean over true modules of the best similarity over learned modules, with
# $s(U,\hat U)=\|Q_U^\top Q_{\hat U}\|_F/\sqrt b$ (the root mean square cosine of the principal
# angles; $|\cos|$ of the angle between two vectors for $b=1$).
#
# From here on, the chapter runs in the paper's regime: the sine task **calibrated** to the
# paper's own numbers in {doc}`sine_regression` (label-noise variance
# {glue:text}`mod_cal_noise`, clean target variance {glue:text}`mod_cal_target`, frequency
# scale {glue:text}`mod_cal_freq`) and the paper's protocol ({glue:text}`mod_cal_iters` Adam
# iterations at learning rate {glue:text}`mod_cal_lr`, mini-batches of
# {glue:text}`mod_cal_batch`), the same task, protocol, architecture (width
# {glue:text}`mod_cal_width`, depth {glue:text}`mod_cal_depth`) and Algorithm 1 settings as the
# Fig. 3a comparison of {ref}`alg1-sample-complexity`
# ({py:mod}`modscale.experiments.modular_calibrated`).
#
# ```{deviation} fig4-similarity
# ```

# %%
from modscale.infra.profiles import upstream_config

acfg, _ = upstream_config("algorithm1", profile)  # as the Algorithm 1 chapter last ran
scfg, _ = upstream_config("sine_regression", profile)  # as the sine chapter last ran
cal_knobs, cal_task = calibration.comparison_task(scfg, acfg)
cal_fig3a = mod_plan.base(acfg, scfg)  # the Algorithm 1 chapter's comparison stacks
for key, v in {"noise": cal_knobs.noise_var, "target": cal_knobs.target_var,
               "freq": cal_knobs.freq_scale, "lr": acfg.sc_lr}.items():
    glue_text(f"mod_cal_{key}", f"{v:g}")
for key, v in {"iters": cfg.align_iters, "batch": acfg.sc_batch_size,
               "width": acfg.sc_width, "depth": acfg.sc_depth}.items():
    glue_text(f"mod_cal_{key}", f"{v:,}")
glue_text("mod_align_n", f"{cfg.align_n:,}")
glue_text("mod_align_seeds", str(cfg.align_seeds))

# %%
align_K = 2 * cfg.align_k
chance = chance_similarity(cfg.align_m, align_K, cfg.align_k, n_trials=4000, seed=cfg.seed)
glue_text("mod_chance", f"{chance:.3f}")
align_specs = modular_calibrated.fig4_specs(cfg, cal_fig3a[0])
t0 = time.perf_counter()
align_runs = cached_map("modular_calibrated", align_specs, modular_calibrated.run_stack)
wall_align = time.perf_counter() - t0
ch.record("fig4_alignment",
          models_trained=len(align_specs) * cfg.align_seeds, wall_time_s=wall_align,
          seeds=cfg.align_seeds)
by_method = {figs.CAL[s.method]: r for s, r in zip(align_specs, align_runs, strict=True)}
steps = by_method["modular"]["sim_steps"]
# the paper's last plotted iteration, or the last recorded one before it
paper_end = int(steps[steps <= paper_data.FIG4_SIMS["iteration"][-1]].max())
i_pe = int(np.flatnonzero(steps == paper_end)[0])
fig4 = figs.fig4_similarity(steps, {meth: r["sim_history"] for meth, r in by_method.items()},
                            paper_data.FIG4_SIMS, paper_end=paper_end, chance=chance)
glue("fig4_similarity", fig4, display=False)
ch.export_figure(fig4, "fig4_similarity", wall_time_s=wall_align)
plt.close(fig4)

# %%
sim_tab = figs.fig4_similarity_table(by_method, steps, paper_data.FIG4_SIMS, paper_end=paper_end)
for i, meth in enumerate(by_method):
    glue_text(f"mod_sim0_{meth}", f"{sim_tab.iloc[i, 1]:.3f}")
    glue_text(f"mod_simP_{meth}", f"{sim_tab.iloc[i, 2]:.3f}")
    glue_text(f"mod_simT_{meth}", f"{sim_tab.iloc[i, 3]:.3f}")
glue_text("mod_paper_end", f"{paper_end:,}")
sim_at_end = dict(zip(by_method, sim_tab.iloc[:len(by_method), 2], strict=True))
if (joint := prose.literal_vs_joint(sim_at_end, paper_end)) is not None:
    ch.sensitivity("alg1-single-or-joint", "Fig. 4 similarity, literal against joint", joint)
glue_text("mod_align_end", f"{int(steps[-1]):,}")
show(sim_tab)

# %% [markdown]
# ```{glue:figure} fig4_similarity
# :name: fig-mod-fig4
# :alt: Similarity of learned and true module directions over training iterations on the calibrated task, with the paper's curves and the chance level
# Similarity of the learned projections with the true module directions over end-to-end
# training on the calibrated task ($m$ = 15, $k$ = 10, $K$ = 20), averaged over seeds. Left:
# the paper's range of iterations, with the paper's Fig. 4 (red, dashed; digitised); right:
# the whole training run. Dotted: the chance level {glue:text}`mod_chance` of random
# projections.
# ```
#
# After initialisation, the per-module objective (the literal Algorithm 1) reaches a similarity
# of {glue:text}`mod_sim0_ours`, the joint objective {glue:text}`mod_sim0_ours_joint`, and
# random projections {glue:text}`mod_sim0_modular` (paper: 0.556 for its initialiser, 0.537 for
# random ones). At iteration {glue:text}`mod_paper_end`: {glue:text}`mod_simP_ours`,
# {glue:text}`mod_simP_ours_joint` and {glue:text}`mod_simP_modular` (paper: 0.628 and 0.578);
# at the end of training (iteration {glue:text}`mod_align_end`): {glue:text}`mod_simT_ours`,
# {glue:text}`mod_simT_ours_joint` and {glue:text}`mod_simT_modular`.
# Verdict on the Fig. 4 claim: **{glue:text}`mod_fig4_alignment_verdict`**
# ({glue:text}`mod_fig4_alignment_measured`; criterion: {glue:text}`mod_fig4_alignment_criterion`).
# Where the literal per-module objective leaves the projections, and why, is the subject of
# {doc}`algorithm1` (its stay test compares the objective on and off the true directions, and
# its early-stopping trajectory is set against the paper's small initial gain). The joint
# objective, whose kernel is a sum over modules, is minimised by separating the modules.
#
# ### t-SNE of learned and target directions
#
# The paper embeds the learned and target directions with t-SNE {cite}`vandermaaten2008tsne`:
# random initialisation (left),
# trained baseline (centre) and the kernel initialisation (right). Directions are unit vectors
# with the sign fixed (the largest coordinate positive), since $u$ and $-u$ define the same
# module; one seed; perplexity 5.

# %%
from modscale.report.style import tsne_panels

panels = [("random initialisation", by_method["modular"]["dirs_init"]),
          ("baseline modular, trained", by_method["modular"]["dirs_final"]),
          ("kernel init (Alg. 1, per-module)", by_method["ours"]["dirs_init"]),
          ("kernel init (joint objective)", by_method["ours_joint"]["dirs_init"])]
targets_t = by_method["modular"]["targets"][0, :, :, 0]
fig_t = tsne_panels([(title, dirs[0, 0, :, :, 0]) for title, dirs in panels], targets_t,
                    seed=cfg.seed, figsize=(14, 3.4))
glue("fig4_tsne", fig_t, display=False)
ch.export_figure(fig_t, "fig4_tsne", wall_time_s=wall_align)
plt.close(fig_t)

# %% [markdown]
# ```{glue:figure} fig4_tsne
# :name: fig-mod-tsne
# :alt: Four t-SNE maps of learned and target module directions: random initialisation, trained baseline, two kernel initialisations
# t-SNE of the 20 learned (red) and 10 target (blue) module directions, seed 0, on the
# calibrated task. A learned point on or next to a target point is a recovered module: the
# verdict counts recovered modules in the original space ($|\cos|\ge 0.9$, an angle of up to
# 26 degrees), and t-SNE draws such a pair as neighbours rather than on top of each other.
# ```
#
# ## The modular baseline's regime
#
# In the paper's Fig. 3a the random-projection modular network needs *more* samples than the
# monolithic MLP, and in its Fig. 4 its projections barely align during training (similarity
# 0.537 at iteration 0, 0.578 at 1,000). Here, in the set-up above, the baseline aligns to
# {glue:text}`mod_reg_today_1000` by iteration {glue:text}`mod_reg_end`. The two baselines live in different regimes,
# and the set-up that decides the regime is not the paper's text:
#
# ```{deviation} mod-regime
# ```
#
# **The study.** The Fig. 4 stacks run in every setting of
# {py:func}`modscale.experiments.modular_regime.settings` (one knob at a time from today's regime,
# and two pairs; {glue:text}`mod_reg_n_settings` settings, {glue:text}`mod_reg_seeds` seeds,
# {glue:text}`mod_reg_iters` iterations). The regime is **fitted only on the paper's two named level
# numbers**, the baseline's similarity at iterations 0 and 1,000; the setting with the smallest
# root-mean-square residual is *selected*. Everything else is **held out**: the baseline's
# intermediate points, the whole curve of the kernel initialiser, and the Fig. 3a claims on
# the architecture grid below.


# %% tags=["hide-input"]
from modscale.experiments import modular_regime

study = mod_plan.regime_study(cfg, cal_fig3a[0])
t0 = time.perf_counter()
study_runs = cached_map("modular_calibrated", [s for _, s in study], modular_calibrated.run_stack)
wall_regime = time.perf_counter() - t0
ch.record("regime study",
          models_trained=sum(len(s.seeds) for _, s in study), wall_time_s=wall_regime,
          seeds=cfg.regime_seeds)
traj = modular_regime.trajectories(study, study_runs)
fit = modular_regime.fit_residuals(traj)
selected = str(fit.setting.iloc[0])
reg_table = modular_regime.regime_table(traj, selected)
today_table = modular_regime.regime_table(traj, "today")
ch.export_table(reg_table, "modular_regime", wall_time_s=wall_regime)
chance_of = {name: chance_similarity(s.m, s.n_modules, s.k, n_trials=2000, seed=cfg.seed)
             for name, s in study if s.method == "modular"}
fig_reg = figs.modular_regime(traj, selected, paper_data.FIG4_SIMS)
glue("fig_modular_regime", fig_reg, display=False)
ch.export_figure(fig_reg, "modular_regime", wall_time_s=wall_regime)
plt.close(fig_reg)


# %% tags=["hide-input"]
sel_row = fit.iloc[0]
study_compute_s = sum(r["init_time_s"] + r["train_time_s"] for r in study_runs)
today_row = fit[fit.setting == "today"].iloc[0]
for key, val in {"mod_reg_selected": selected, "mod_reg_n_settings": str(fit.setting.nunique()),
                 "mod_reg_seeds": str(cfg.regime_seeds), "mod_reg_iters": f"{cfg.regime_iters:,}",
                 "mod_reg_sel_0": f"{sel_row.sim_0:.3f}", "mod_reg_sel_1000": f"{sel_row.sim_1000:.3f}",
                 "mod_reg_sel_rms": f"{sel_row.fit_rms:.3f}",
                 "mod_reg_today_0": f"{today_row.sim_0:.3f}",
                 "mod_reg_today_1000": f"{today_row.sim_1000:.3f}",
                 "mod_reg_today_rms": f"{today_row.fit_rms:.3f}",
                 "mod_reg_sel_chance": f"{chance_of[selected]:.3f}",
                 "mod_reg_sel_heldout_base": prose.held_out_rms(reg_table, "baseline"),
                 "mod_reg_sel_heldout_ours": prose.held_out_rms(reg_table, "ours"),
                 "mod_reg_today_heldout_ours": prose.held_out_rms(today_table, "ours"),
                 "mod_reg_wall": f"{wall_regime:.0f}",
                 "mod_reg_compute": f"{study_compute_s:,.0f}",
                 "mod_reg_end": f"{modular_regime.measured_iteration(traj, 1000):,}"}.items():
    glue_text(key, val)


# %% tags=["hide-input"]
ch.sensitivity("mod-regime", "regime study, fitted on the baseline at iterations 0 and 1,000",
               prose.regime_outcome(fit, cfg.regime_seeds))
if (task_axis := prose.task_axis_outcome(fit)) is not None:
    ch.sensitivity("fig4-similarity", "the Fig. 4 task's n and m in the regime study", task_axis)
show(fit.assign(chance=fit.setting.map(chance_of)).rename(columns={
    "sim_0": "baseline at 0", "sd_0": "seed sd (0)", "sim_1000": "baseline at 1,000",
    "sd_1000": "seed sd (1,000)", "fit_rms": "fit RMS residual"}).round(3))


# %% [markdown]
# ```{glue:figure} fig_modular_regime
# :name: fig-mod-regime
# :alt: Similarity over the first 1,000 training iterations for every regime setting, the selected one and today's highlighted, with the paper's curves
# The regime study: seed-mean similarity over the first iterations for every setting (grey),
# today's regime (orange) and the selected one (green), with the paper's Fig. 4 (red, dashed).
# Left: the random-projection baseline, fitted at iterations 0 and 1,000 only; right: the
# kernel initialiser (literal reading), held out.
# ```
#
# The setting closest to the paper's baseline is **{glue:text}`mod_reg_selected`**: similarity
# {glue:text}`mod_reg_sel_0` at iteration 0 and {glue:text}`mod_reg_sel_1000` at 1,000 (paper: 0.537
# and 0.578; fit RMS residual {glue:text}`mod_reg_sel_rms`, chance {glue:text}`mod_reg_sel_chance`),
# against {glue:text}`mod_reg_today_0` and {glue:text}`mod_reg_today_1000` in today's regime (RMS
# {glue:text}`mod_reg_today_rms`). Held out, the RMS residual of the baseline's intermediate
# points is {glue:text}`mod_reg_sel_heldout_base`, and that of the kernel initialiser's curve
# {glue:text}`mod_reg_sel_heldout_ours` (today's regime: {glue:text}`mod_reg_today_heldout_ours`). The
# table lists every setting, best fit first; `paper_figures/modular_regime.csv` holds the
# selected setting's fitted and held-out quantities. Computing the study took
# {glue:text}`mod_reg_compute` s (stored wall times of its runs); drawing it here took
# {glue:text}`mod_reg_wall` s.
#
# (fig3a-grid)=
# ### Fig. 3a over architectures, in both regimes
#
# Fig. 3a again, on the calibrated task at the paper's protocol, for every architecture of
# `grid_widths` x `grid_depths` ({glue:text}`mod_grid_archs`), m in {glue:text}`mod_grid_ms`,
# {glue:text}`mod_grid_seeds` seeds, in today's regime and in the selected one. Thin lines: one
# architecture (geometric mean over seeds); thick: the aggregate (per seed, the geometric mean
# over architectures; then over seeds). Where a seed never reaches the threshold on the grid its
# value is censored at the grid's largest n.
#
# ```{admonition} What is cut against the paper's grid, and why
# :class: warning
# The paper draws every width of {8, 32, 128} x depth of {3, 5, 7} at every m = 2-9, and this
# book's reading of its methods adds the joint objective. At the paper's protocol (10,000 Adam
# iterations) one stack of this grid ({glue:text}`mod_grid_seeds` seeds x
# {glue:text}`mod_grid_n_points` training-set sizes) took, as stored: {glue:text}`mod_grid_costs`.
# Wider and deeper modules cost more per step, so the full grid of 9 architectures at 8 m is
# far beyond this book's budget on a CPU. This profile runs
# {glue:text}`mod_grid_archs`, m in {glue:text}`mod_grid_ms`, {glue:text}`mod_grid_seeds` seeds and the
# methods {glue:text}`mod_grid_methods` (the joint reading is judged in {ref}`alg1-sample-complexity`);
# the `paper` profile runs the full grid ({doc}`reproducibility`, `tools/paper_run.py`).
# ```


# %% tags=["hide-input"]
regimes = mod_plan.regimes(cfg, cal_fig3a[0])
grid = mod_plan.grid(cfg, cal_fig3a[0], regimes)
t0 = time.perf_counter()
grid_runs = cached_map("fig3a_readings", [s for _, s in grid], fig3a_readings.run_stack)
wall_grid = time.perf_counter() - t0
ch.record("Fig. 3a grid",
          models_trained=sum(len(s.seeds) * len(s.n_values) for _, s in grid),
          wall_time_s=wall_grid, seeds=cfg.grid_seeds)
grid_n_max = float(max(cal_fig3a[0].n_values))
sn = regime_report.with_monolithic(
    regime_report.samples_needed(regime_report.grid_frame(grid, grid_runs), acfg.sc_threshold),
    list(regimes))
ch.export_table(sn, "fig3a_grid", wall_time_s=wall_grid)
grid_agg = regime_report.aggregate_table(sn, grid_n_max)
fig_grid = figs.fig3a_grid(sn, grid_agg, list(regimes), paper_data.FIG3A, n_max=grid_n_max,
                           labels=regime_report.GRID_LABELS)
glue("fig_fig3a_grid", fig_grid, display=False)
ch.export_figure(fig_grid, "fig3a_grid", wall_time_s=wall_grid)
plt.close(fig_grid)


# %% tags=["hide-input"]
widths_depths = ", ".join(f"width {w} x depth {d}" for w in cfg.grid_widths
                          for d in cfg.grid_depths)
glue_text("mod_grid_archs", widths_depths)
glue_text("mod_grid_ms", ", ".join(map(str, cfg.grid_m_values)))
glue_text("mod_grid_seeds", str(cfg.grid_seeds))
glue_text("mod_grid_wall", f"{wall_grid:.0f}")
glue_text("mod_grid_n_points", str(len(cal_fig3a[0].n_values)))
glue_text("mod_grid_methods", ", ".join(cfg.grid_methods))
glue_text("mod_grid_costs", prose.grid_costs(figs.grid_costs(grid, grid_runs),
                                             regime_report.GRID_LABELS))
show(figs.grid_table(grid_agg))


# %% [markdown]
# ```{glue:figure} fig_fig3a_grid
# :name: fig-mod-fig3a-grid
# :alt: Samples needed against input dimension for each method, thin lines per architecture and a thick aggregate, one panel per regime, with the paper's curves dashed
# Fig. 3a over the architecture grid on the calibrated task at the paper's protocol, one panel
# per regime: thin lines per architecture, thick lines the aggregate with its 95 % interval over
# seeds (shaded); dashed: the paper's aggregate (digitised).
# ```
#
# **Verdicts in both regimes.** The Fig. 3a claims and Fig. 4 through the same verdict functions
# as in {ref}`alg1-sample-complexity` (minimum effect 1.25x for sample ratios, 0.01 for
# similarities; reproduced needs a 95 % interval beyond it with at least 5 seeds). The Fig. 4
# row of the selected regime is judged on the runs its baseline was fitted on; only the
# difference *ours minus baseline* is judged, and the ours curve was not fitted. These rows
# complement the chapter verdicts below and do not replace them.


# %% tags=["hide-input"]
regime_rows = []
for regime in regimes:
    scale = (f"regime {regime}; {widths_depths}; m = {', '.join(map(str, cfg.grid_m_values))}; "
             f"{cfg.grid_seeds} seeds; profile {profile}")
    vs = regime_report.fig3a_verdicts(sn, regime, threshold=acfg.sc_threshold,
                                      n_min=float(min(cal_fig3a[0].n_values)),
                                      n_max=grid_n_max, min_effect=1.25)
    if regime in set(traj.setting):
        vs.append(regime_report.fig4_verdict(
            traj, regime, chance=chance_of[regime],
            scale=f"regime {regime}, {cfg.regime_seeds} seeds, profile {profile}"))
    regime_rows += [{"regime": regime, "claim_id": v.claim_id, **v.as_row()} for v in vs]
for key, text in prose.regime_verdict_glues(regime_rows, len(regimes)).items():
    glue_text(key, text)  # the selected regime's verdicts repeat today's if it is today's
regime_verdicts = pd.DataFrame(regime_rows)
for dev_id, run, outcome in prose.grid_verdict_outcomes(regime_rows, widths_depths):
    ch.sensitivity(dev_id, run, outcome)
verdicts.styled(regime_verdicts[["regime", "paper item", "claim", "paper", "this reproduction",
                                 "evidence", "verdict"]], short=["regime"])


# %% [markdown]
# (paper-regime)=
# ### The paper's method where the paper's baseline lives
#
# The Fig. 3a verdicts of {ref}`alg1-sample-complexity` are judged in today's regime, where the
# random-projection baseline aligns by itself, and with the literal reading of Algorithm 1 only.
# Here the claims are judged in the **paper-matched regime**: the setting the study above
# selected on the paper's two named Fig. 4 baseline numbers ({glue:text}`mod_pr_matched`),
# with today's regime as the sensitivity ({glue:text}`mod_pr_sens_seeds` seeds). Beside the
# paper's method as written (the literal reading) run the joint reading and two *aligned
# starts* that are **not** readings of Algorithm 1, because they use the task's true module
# directions, which no initialiser sees: the **oracle** (the first k projections set to the true
# directions, at a random start's norm: an upper bound on what any initialiser can buy) and the
# **mixed** start (those columns set to normalise((1 - alpha) random + alpha true): a dose of
# alignment between chance and the oracle). Both aligned starts share the baseline's random
# networks and mini-batches, seed for seed ({py:mod}`modscale.training.aligned_start`). Width
# {glue:text}`mod_pr_width` x depth {glue:text}`mod_pr_depth`, m in {glue:text}`mod_pr_ms`,
# {glue:text}`mod_pr_seeds` seeds, the calibrated task and the paper's protocol of
# {ref}`alg1-sample-complexity`; `paper_figures/fig3a_paper_regime.csv` holds every seed.


# %% tags=["hide-input"]
from modscale.experiments import paper_regime
from modscale.report import paper_regime as pr_report

pr_items = paper_regime.fig3a_specs(cfg, cal_fig3a[0], regimes)
pr_matched = paper_regime.matched_regime(regimes)
t0 = time.perf_counter()
pr_runs = cached_map("fig3a_readings", [s for _, s in pr_items], fig3a_readings.run_stack)
wall_pr = time.perf_counter() - t0
ch.record("Fig. 3a in the paper-matched regime",
          models_trained=sum(len(s.seeds) * len(s.n_values) for _, s in pr_items),
          wall_time_s=wall_pr, seeds=cfg.pr_seeds)
pr_tab = regime_report.with_monolithic(
    pr_report.stack_table(pr_items, pr_runs, acfg.sc_threshold), list(regimes))
ch.export_table(pr_tab, "fig3a_paper_regime", wall_time_s=wall_pr)
pr_sum = pr_report.summary_table(pr_tab, grid_n_max)
pr_gains = pr_report.gains_table(pr_tab, grid_n_max)
pr_compute = sum(r["train_time_s"] + r["init_time_s"] for r in pr_runs)
pr_order = [pr_matched] + [r for r in regimes if r != pr_matched]  # paper-matched first
fig_pr = figs.fig3a_paper_regime(pr_sum, pr_order, pr_matched, paper_data.FIG3A)
glue("fig_fig3a_paper_regime", fig_pr, display=False)
ch.export_figure(fig_pr, "fig3a_paper_regime", wall_time_s=wall_pr)
plt.close(fig_pr)


# %% tags=["hide-input"]
glue_text("mod_pr_matched", prose.matched_regime(pr_matched))
glue_text("mod_pr_sens_seeds", str(min(cfg.pr_sensitivity_seeds, cfg.grid_seeds)))
glue_text("mod_pr_width", ", ".join(map(str, cfg.pr_widths)))
glue_text("mod_pr_depth", str(cfg.grid_depths[0]))
glue_text("mod_pr_ms", ", ".join(map(str, cfg.pr_m_values)))
glue_text("mod_pr_seeds", str(cfg.pr_seeds))
glue_text("mod_pr_compute", f"{pr_compute / 60:.0f}")
pr_m = max(cfg.pr_m_values)
pr_g = {meth: pr_report.gain(pr_tab, pr_matched, meth, pr_m, grid_n_max)
        for meth in ("ours_literal", "ours_joint", "oracle", "monolithic")
        if meth in set(pr_tab.method)}
pr_geo = {r.method: r.samples_needed for r in pr_sum[(pr_sum.regime == pr_matched)
                                                    & (pr_sum.m == pr_m)].itertuples()}
glue_text("mod_pr_order", prose.samples_order(pr_geo, pr_report.SHORT))
glue_text("mod_pr_m", str(pr_m))
glue_text("mod_pr_takeaway", prose.paper_order_takeaway(pr_geo))
for meth, e in pr_g.items():
    glue_text(f"mod_pr_gain_{meth}", e.text(".2f"))
show(figs.paper_regime_table(pr_sum))


# %% [markdown]
# ```{glue:figure} fig_fig3a_paper_regime
# :name: fig-mod-fig3a-paper-regime
# :alt: Samples needed against input dimension for every reading, the oracle and the baselines, one panel per regime, with the paper's curves dashed
# **The paper's ordering at m = {glue:text}`mod_pr_m` in the paper-matched regime (ours <
# monolithic < modular): {glue:text}`mod_pr_takeaway` ({glue:text}`mod_pr_order` samples).**
# Fig. 3a in the paper-matched regime (left) and today's (right, the sensitivity): geometric
# mean over seeds with its 95 % interval (shaded); dashed: the paper's curves (digitised). The
# oracle start is an upper bound, not a reading of Algorithm 1.
# ```
#
# At m = {glue:text}`mod_pr_m` in the paper-matched regime the order is
# {glue:text}`mod_pr_order` samples (geometric means). Against the modular baseline, paired by
# seed (baseline samples over the method's), the literal reading buys
# {glue:text}`mod_pr_gain_ours_literal`, the joint reading {glue:text}`mod_pr_gain_ours_joint`
# and the oracle {glue:text}`mod_pr_gain_oracle`; the monolithic MLP
# {glue:text}`mod_pr_gain_monolithic`. Computing these stacks took
# {glue:text}`mod_pr_compute` core-minutes (stored wall times).
#
# **The alignment dose-response.** How much does alignment at initialisation buy? The mixed start
# at alpha in {glue:text}`mod_dose_alphas` at m = {glue:text}`mod_dose_ms`, in both regimes;
# `paper_figures/alignment_dose_response.csv` holds every seed. The paper's Fig. 4 puts its
# initialiser at similarity 0.556 against 0.537 for random projections: an excess of 0.019 over
# its random start. Since chance differs between settings, the excess is read over this
# setting's chance level ({glue:text}`mod_dose_chance` at the largest m), and its gain against the paper's Fig. 3a
# ratio of modular to ours at m = 9 (80,500 / 14,000 = 5.75x).


# %% tags=["hide-input"]
dose_curve = paper_regime.dose_curve(cfg, cal_fig3a[0], regimes)
t0 = time.perf_counter()
dose_runs = cached_map("fig3a_readings", [s for *_, s in dose_curve], fig3a_readings.run_stack)
wall_dose = time.perf_counter() - t0
dose_at_n = min(cal_fig3a[0].n_values, key=lambda n: abs(n - 1000))
dose = pr_report.dose_table(dose_curve, dose_runs, acfg.sc_threshold, dose_at_n)
ch.export_table(dose, "alignment_dose_response",
                wall_time_s=wall_dose)
dose_m = max(cfg.dose_m_values)
chance_of_m = {m_: chance_similarity(m_, cal_fig3a[0].n_modules, cal_fig3a[0].k)
               for m_ in cfg.dose_m_values}
paper_excess = paper_data.FIG4_SIMS["ours"][0] - paper_data.FIG4_SIMS["baseline"][0]
paper_ratio = (paper_data.FIG3A["modular"][list(paper_data.FIG3A["m"]).index(9)]
               / paper_data.FIG3A["ours"][list(paper_data.FIG3A["m"]).index(9)])
readoff_of = {(r, m_): pr_report.readoff(dose, r, m_, chance=chance_of_m[m_],
                                         excess=paper_excess, target_gain=paper_ratio,
                                         n_max=grid_n_max)
              for r in dict.fromkeys(dose.regime) for m_ in cfg.dose_m_values}
ro = readoff_of[(pr_matched, dose_m)]  # the paper-matched regime at the largest m
fig_dose = figs.alignment_dose(dose, cfg.dose_m_values, chance_of_m, paper_excess=paper_excess,
                               n_max=grid_n_max)
glue("fig_alignment_dose", fig_dose, display=False)
ch.export_figure(fig_dose, "alignment_dose_response",
                 wall_time_s=wall_dose)
plt.close(fig_dose)


# %% tags=["hide-input"]
glue_text("mod_dose_alphas", ", ".join(f"{a:g}" for a in cfg.dose_alphas))
glue_text("mod_dose_ms", ", ".join(map(str, cfg.dose_m_values)))
glue_text("mod_dose_chance", f"{chance_of_m[dose_m]:.3f}")
glue_text("mod_dose_gain_paper", prose.geo_text(ro["gain_at_excess"]))
glue_text("mod_dose_gain_oracle", prose.geo_text(ro["oracle_gain"]))
glue_text("mod_dose_reached", f"{ro['reached']} of {ro['seeds']}")
glue_text("mod_dose_excess_needed", prose.excess_needed(ro))
other_oracle = {r: pr_report.gain(pr_tab, r, "oracle", dose_m, grid_n_max).text(".2f")
                for r in regimes if r != pr_matched
                and "oracle" in set(pr_tab[(pr_tab.regime == r) & (pr_tab.m == dose_m)].method)}
glue_text("mod_dose_sentence", prose.dose_sentence(
    ro, m=dose_m, matched=pr_matched, paper_ratio=paper_ratio, other_oracle=other_oracle))
today_oracle = (pr_report.gain(pr_tab, "today", "oracle", pr_m, grid_n_max)
                if pr_matched != "today" and "oracle" in set(pr_tab[pr_tab.regime == "today"]
                                                            .method) else None)
fig3a_cause = prose.fig3a_cause(pr_g, today_oracle, m=pr_m, min_effect=1.25)
glue_text("mod_pr_cause", fig3a_cause)
glue_text("mod_dose_test_n", f"{dose_at_n:,}")
glue_text("mod_dose_conclusion", prose.dose_conclusion(ro["gain_at_excess"][2], paper_ratio))
show(figs.readoff_table(readoff_of, paper_ratio))


# %% [markdown]
# ```{glue:figure} fig_alignment_dose
# :name: fig-mod-alignment-dose
# :alt: Samples needed against the similarity at initialisation above chance for the mixed start in both regimes, with the paper's Fig. 4 excess marked
# The alignment dose-response, one panel per m: samples needed against the similarity at
# initialisation minus the chance level, for the mixed start from alpha = 0 (the random
# baseline) to 1 (the oracle); dots: seeds; lines: geometric means; dashed: the paper's Fig. 4
# excess at initialisation. The table above gives, per regime and m, what that excess buys and
# how many seeds' curves reach the paper's Fig. 3a ratio (chance: the similarity of random
# projections in that setting).
# ```
#
# {glue:text}`mod_dose_sentence` The paper's ratio needs a start
# {glue:text}`mod_dose_excess_needed`. {glue:text}`mod_dose_conclusion` The test loss at
# n = {glue:text}`mod_dose_test_n` of every dose is in the CSV.
#
# **Measured cause of the Fig. 3a method claims that are not reproduced** (minimum effect 1.25x,
# paired over seeds at m = {glue:text}`mod_pr_m`): {glue:text}`mod_pr_cause`. The literal
# reading stays the verdict of record ("ours" as the paper's text describes it); the joint
# reading and the oracle are shown beside it, never in its place.
#

# %% tags=["hide-input"]
# The Fig. 3a claims of record, judged in the paper-matched regime (the Algorithm 1 chapter's
# verdicts, in today's regime at width 32, are their sensitivity).
pr_setting = (f"paper-matched regime ({pr_matched}); width "
              f"{', '.join(map(str, cfg.pr_widths))} x depth {cfg.grid_depths[0]}; m = "
              f"{', '.join(map(str, cfg.pr_m_values))}; {cfg.pr_seeds} seeds; profile {profile}")
v_pr = [v for v in regime_report.fig3a_verdicts(
    pr_tab[pr_tab.method.isin(["monolithic", "modular", "ours_literal"])], pr_matched,
    threshold=acfg.sc_threshold, n_min=float(min(cal_fig3a[0].n_values)), n_max=grid_n_max,
    min_effect=1.25) if v.claim_id in ("fig3a_ours_lowest", "fig3a_modular_worse",
                                        "fig3a_ours_grows")]
for v in v_pr:  # a claim not reproduced records its measured cause (fig3a_cause: above)
    ch.judge(v, setting=pr_setting, cause=prose.record_cause(v.verdict, v.claim_id, fig3a_cause))
glue_verdicts("mod", v_pr)
glue_text("mod_pr_setting", pr_setting)
verdicts.table(v_pr)


# %% [markdown]
# **Verdicts of record for Fig. 3a** ({glue:text}`mod_pr_setting`; the summary page reports
# these, and {ref}`alg1-sample-complexity` keeps today's regime as their sensitivity):
#
# - Ours (the literal reading) needs the fewest samples for most m:
#   **{glue:text}`mod_fig3a_ours_lowest_verdict`** ({glue:text}`mod_fig3a_ours_lowest_measured`).
# - The random-projection modular network needs more samples than the monolithic one:
#   **{glue:text}`mod_fig3a_modular_worse_verdict`**
#   ({glue:text}`mod_fig3a_modular_worse_measured`).
# - Ours grows with m: **{glue:text}`mod_fig3a_ours_grows_verdict`**
#   ({glue:text}`mod_fig3a_ours_grows_measured`).


# %% [markdown]
# **Fig. 4 in the paper-matched regime.** The Fig. 4 stacks above (m = {glue:text}`mod_pr4_m`,
# n = {glue:text}`mod_pr4_n`, {glue:text}`mod_pr4_iters` iterations) again, in the
# paper-matched regime, for every reading and the oracle, {glue:text}`mod_pr4_seeds` seeds. The
# regime was selected on two of the baseline's numbers of this figure (iterations 0 and 1,000),
# so only *ours minus the baseline* is judged, never the baseline's own level.


# %% tags=["hide-input"]
pr_fig4 = paper_regime.fig4_specs(cfg, align_specs, regimes[pr_matched])
t0 = time.perf_counter()
pr_fig4_runs = cached_map("modular_calibrated", pr_fig4, modular_calibrated.run_stack)
wall_pr4 = time.perf_counter() - t0
pr4 = {s.method: r for s, r in zip(pr_fig4, pr_fig4_runs, strict=True)}
pr4_steps = pr4["modular"]["sim_steps"]
pr4_end = int(pr4_steps[pr4_steps <= paper_data.FIG4_SIMS["iteration"][-1]].max())
pr4_i = int(np.flatnonzero(pr4_steps == pr4_end)[0])
fig_pr4 = figs.fig4_paper_regime(pr4_steps, {m_: r["sim_history"] for m_, r in pr4.items()},
                                 paper_data.FIG4_SIMS, end=pr4_end, chance=chance,
                                 matched=pr_matched)
glue("fig_fig4_paper_regime", fig_pr4, display=False)
ch.export_figure(fig_pr4, "fig4_paper_regime", wall_time_s=wall_pr4)
plt.close(fig_pr4)


# %% tags=["hide-input"]
pr4_sim = {m_: r["sim_history"].mean(axis=2)[[0, pr4_i]] for m_, r in pr4.items()}
pr4_setting = (f"paper-matched regime ({pr_matched}, fitted on the baseline's similarity at "
               f"iterations 0 and 1,000; ours minus baseline held out); calibrated task, "
               f"{cfg.align_iters:,} Adam iterations, n = {cfg.align_n:,}, {cfg.pr_fig4_seeds} "
               f"seeds, profile {profile}")
v_pr4 = verdicts.fig4_alignment(pr4_sim["ours_literal"], pr4_sim["modular"],
                                pr4_sim["ours_joint"], paper=paper_data.FIG4_SIMS,
                                chance=chance, iterations=pr4_end, min_effect=0.01,
                                scale=pr4_setting)
pr4_diff = {m_: float((pr4_sim[m_][0] - pr4_sim["modular"][0]).mean())
            for m_ in ("ours_literal", "ours_joint", "oracle")}
fig4_cause = prose.fig4_cause(v_pr4.verdict, pr4_diff)
ch.judge(v_pr4, setting=pr4_setting, cause=fig4_cause)
glue_verdicts("mod_pr4", [v_pr4])
for key, val in {"m": cfg.align_m, "n": f"{cfg.align_n:,}", "iters": f"{cfg.align_iters:,}",
                 "seeds": cfg.pr_fig4_seeds,
                 "cause": prose.cause_text(fig4_cause)}.items():
    glue_text(f"mod_pr4_{key}", str(val))
show(figs.fig4_paper_regime_table(pr4, pr4_sim, pr4_end))


# %% [markdown]
# ```{glue:figure} fig_fig4_paper_regime
# :name: fig-mod-fig4-paper-regime
# :alt: Similarity score over training iterations in the paper-matched regime for the baseline, the two readings and the oracle, with the paper's two curves dashed
# Fig. 4 in the paper-matched regime: seed-mean similarity of the projections with the true
# module directions over training; dashed: the paper's curves (digitised); dotted: chance.
# ```
#
# Fig. 4 in the paper-matched regime (the verdict of record; today's regime, above, is its
# sensitivity): **{glue:text}`mod_pr4_fig4_alignment_verdict`**
# ({glue:text}`mod_pr4_fig4_alignment_measured`). Measured cause: {glue:text}`mod_pr4_cause`.


# %% [markdown]
# ```{admonition} What was not run here, and why
# :class: note
# The paper-matched regime is chosen by the protocol axis only (the projection learning rate the
# study selected). A task axis (the Fig. 3a task's frequency scale chosen on named paper numbers
# at the paper's own protocol), the greedy-residual reading, the paper's 3 x 3 architectures at
# every m = 2-9, the dose at m = 3 and 6 and in the paper's Fig. 4 setting, and Fig. 4 with
# every reading in the paper-matched regime are in the `paper` profile and
# `tools/paper_run.py`; they did not fit this book profile's CPU budget.
# ```


# %% [markdown]
# ## Nonlinear module projections (in place of Table 2)
#
# The content of the paper's Table 2 is not recovered (SPEC §5.4); a reviewer says the method
# "works well on other modular architectures beyond the one used for their theoretical
# results". We test the variant where each module's projection is itself nonlinear,
# $P_j(x)=W_{2j}^\top\tanh(W_{1j}^\top x+c_j)$, with the same methods, on the calibrated task at
# the paper's protocol: the networks, $n$ grid, seeds and threshold
# ({glue:text}`mod_t2_threshold`) of the Fig. 3a comparison in {ref}`alg1-sample-complexity`,
# whose linear-projection stacks give the table's linear column (same tasks and data).
#
# ```{deviation} table2-projection
# ```

# %%
t2_lin, t2_specs = modular_calibrated.table2_specs(cfg, cal_fig3a)
t0 = time.perf_counter()
t2_lin_runs = cached_map("fig3a_readings", t2_lin, fig3a_readings.run_stack)
t2_runs = cached_map("modular_calibrated", t2_specs, modular_calibrated.run_stack)
wall_t2 = time.perf_counter() - t0
ch.record("table2_nonlinear_projection",
          models_trained=sum(r["test"].size for r in t2_runs), wall_time_s=wall_t2,
          seeds=len(t2_specs[0].seeds))
table2 = figs.table2_nonlinear(t2_lin, t2_lin_runs, t2_specs, t2_runs, acfg.sc_threshold)
glue_text("mod_t2_threshold", f"{acfg.sc_threshold:g}")
glue_text("mod_t2_ratio", prose.nonlinear_ratio(table2["samples needed, nonlinear proj."],
                                                 table2["samples needed, linear proj."]))
ch.export_table(table2, "table2_nonlinear_projection",
                wall_time_s=wall_t2, extra={"threshold": acfg.sc_threshold,
                                         "knobs": dataclasses.asdict(cal_knobs)})
show(table2.assign(**{c: table2[c].map(lambda v: verdicts.fmt(v, ".0f"))
                      for c in ("samples needed, nonlinear proj.",
                                "samples needed, linear proj.")}))

# %% [markdown]
# Table 2's content is unknown, so this comparison is **{glue:text}`mod_table2_nonlinear_verdict`**
# as a reproduction; what it measured: {glue:text}`mod_table2_nonlinear_measured`. On the same
# tasks and data, the nonlinear projections need {glue:text}`mod_t2_ratio` the samples of the
# linear ones (the range over the table's rows: every method at every $m$).
#
# ## Ablations
#
# ### Number of modules $K$ against the task's $k$
#
# Reviewers asked how sensitive the method is to knowing $k$. At $m$ = `ablation_m` we train
# networks with $K = k, 2k, 5k$ modules (training-set sizes `ablation_n`, widest architecture)
# and report the test loss and the similarity after initialisation and after training.

# %%
abl_specs = modular_sweep.modules_ablation_specs(cfg, dev.type)
t0 = time.perf_counter()
abl_runs = cached_map("modular_stacks", abl_specs, modular_sweep.run_stack_from_config)
wall_abl = time.perf_counter() - t0
df_abl = modular_stacks_frame(abl_specs, abl_runs)
df_abl["K/k"] = df_abl["K"] // cfg.k
abl_tab = (df_abl.groupby(["K/k", "n", "method"])
           .agg(test_loss=("test", "mean"), sim_init=("sim_init", "mean"),
                sim_final=("sim_final", "mean")).reset_index())
abl_tab["method"] = abl_tab["method"].map(figs.LABELS)
ch.export_table(abl_tab, "ablation_num_modules",
                wall_time_s=wall_abl)
show(abl_tab.pivot_table(index=["K/k", "n"], columns="method", values="test_loss"), index=True)

# %%
show(abl_tab.pivot_table(index=["K/k", "n"], columns="method", values="sim_final"), index=True)

# %% [markdown]
# ### Compute-matched baseline
#
# The initialiser costs compute (reviewer request: count it). We estimate its FLOPs
# ({py:func}`modscale.training.kernel_init.kernel_init_flops`: Cholesky $B^3/3$ per module and step plus
# kernel and solve terms, x3 for the backward pass) and give the baseline modular network the
# same FLOPs as extra training iterations (6 x parameters x batch per iteration). The measured
# wall times are reported too: on a CPU the small Cholesky factorisations are less efficient than
# the FLOP count suggests.

# %%
from modscale.theory.sample_complexity import geometric_mean

cm_specs = modular_sweep.compute_matched_specs(cfg, dev.type)
t0 = time.perf_counter()
cm_runs = cached_map("modular_stacks", cm_specs, modular_sweep.run_stack_from_config)
wall_cm = time.perf_counter() - t0
ch.record("ablations",
          models_trained=len(df_abl) + sum(r["test"].size for r in cm_runs),
          wall_time_s=wall_abl + wall_cm)
df_cm = modular_stacks_frame(cm_specs, cm_runs)
sc_cm = sample_complexity_by_method(df_cm, (cfg.threshold,), rule=cfg.sc_rule)
cm_tab = figs.compute_matched(cm_specs, cm_runs, sc_cm, cfg.threshold)
ch.export_table(cm_tab, "ablation_compute_matched",
                wall_time_s=wall_cm)
cm_geo = {s: geometric_mean(g[f"samples to loss {cfg.threshold}"])
          for s, g in cm_tab.groupby("method")}
for meth in ("modular", "modular_matched", "ours"):
    glue(f"mod_cm_{meth}", verdicts.fmt(cm_geo[figs.LABELS[meth]], ".0f"), display=False)
init_ratio = (sum(r["init_time_s"] for r in cm_runs)
              / max(sum(r["train_time_s"] for r in cm_runs if r["init_time_s"] > 0), 1e-9))
glue("mod_cm_wall_ratio", f"{init_ratio:.2f}", display=False)
show(cm_tab)

# %% [markdown]
# Samples needed at $m$ = `ablation_m` (geometric mean over architectures): baseline modular
# {glue:text}`mod_cm_modular`, compute-matched baseline {glue:text}`mod_cm_modular_matched`,
# ours {glue:text}`mod_cm_ours` ("not reached": no architecture reached the threshold within
# the grid). These are this chapter's uncalibrated runs, shown for comparison and not judged:
# the matched-compute claim is judged, with per-seed intervals, on the calibrated task at the
# paper's protocol in {ref}`alg1-sample-complexity`. Measured on this machine, the
# initialiser took {glue:text}`mod_cm_wall_ratio` times
# the wall time of the subsequent end-to-end training of the same networks.

# %% [markdown]
# ## Summary
#
# - The kernel objective, its batched Cholesky solve and its closed-form gradient are checked
#   against a direct solve and finite differences (this page) and against loops, autograd and
#   `gradcheck` (unit tests).
# - Fig. 3a: judged in {ref}`alg1-sample-complexity` on the calibrated task at the paper's
#   protocol (this page's uncalibrated Fig. 3a is shown for comparison, not judged).
# - Fig. 4: alignment **{glue:text}`mod_fig4_alignment_verdict`** (after initialisation: literal
#   Algorithm 1 {glue:text}`mod_sim0_ours`, joint objective {glue:text}`mod_sim0_ours_joint`,
#   random {glue:text}`mod_sim0_modular`, chance {glue:text}`mod_chance`); t-SNE
#   **{glue:text}`mod_fig4_tsne_verdict`** ({glue:text}`mod_fig4_tsne_measured`).
# - The modular baseline's regime: the study selects **{glue:text}`mod_reg_selected`** (Fig. 4
#   baseline {glue:text}`mod_reg_sel_0` -> {glue:text}`mod_reg_sel_1000`, paper 0.537 -> 0.578). Fig. 4,
#   the t-SNE figure and Table 2 above are in today's regime; {ref}`fig3a-grid` shows Fig. 3a in
#   both, where ours is lowest: {glue:text}`mod_reg_v_today_fig3a_ours_lowest` (today's) and
#   {glue:text}`mod_reg_v_sel_fig3a_ours_lowest` (selected); the modular baseline is worse than
#   the monolithic MLP: {glue:text}`mod_reg_v_today_fig3a_modular_worse` and
#   {glue:text}`mod_reg_v_sel_fig3a_modular_worse`.
# - Fig. 4, the t-SNE figure and the nonlinear projections run on the calibrated task at the
#   paper's protocol ({glue:text}`mod_cal_iters` iterations); Fig. 3a and the two ablations on
#   this page on the uncalibrated task at {glue:text}`mod_iters` iterations (Fig. 3a in the
#   paper's regime: {ref}`alg1-sample-complexity`). Everything is measured at the `profile` =
#   {glue:text}`mod_profile` scale; the tables give every number next to the paper's.
#
# ```{deviation} mod-end-to-end
# ```

# %% [markdown]
# ## Verdicts
#
# One function of `modscale.report.verdicts` per claim (unit-tested; each criterion is generated from the
# thresholds passed in below). The sentences of the summary above are glued from these records.
# The Fig. 4, t-SNE and Table 2 rows are judged on the calibrated task
# ({glue:text}`mod_cal_iters` iterations); the Fig. 3a claims in {ref}`alg1-sample-complexity`.

# %% tags=["hide-input"]
v_mod = []
# Fig. 4: similarity at (init, the paper's last plotted iteration paper_end) per seed, paired
# by seed, on the calibrated task.
cal_scale = (f"calibrated task, {cfg.align_iters:,} Adam iterations, n = {cfg.align_n:,}, "
             f"profile {profile}")
sim_ps = {meth: r["sim_history"].mean(axis=2)[[0, i_pe]]
          for meth, r in by_method.items()}  # (2, seeds)
v_mod.append(verdicts.fig4_alignment(sim_ps["ours"], sim_ps["modular"], sim_ps["ours_joint"],
                                     paper=paper_data.FIG4_SIMS, chance=chance,
                                     iterations=paper_end, min_effect=0.01,
                                     scale=cal_scale))
# Fig. 4, t-SNE: fraction of target modules recovered (|cos| >= 0.9 with a learned direction).
tg = torch.as_tensor(by_method["modular"]["targets"])[:, None]  # (S, 1, k, m, b)


def recovered(dirs, cos=0.9):
    best = pairwise_similarity(torch.as_tensor(dirs), tg).max(dim=-1).values  # (S, G, k)
    return float((best >= cos).double().mean())


rec = {"random": recovered(by_method["modular"]["dirs_init"]),
       "ours": recovered(by_method["ours"]["dirs_init"]),
       "joint": recovered(by_method["ours_joint"]["dirs_init"]),
       "trained baseline": recovered(by_method["modular"]["dirs_final"]),
       "ours, trained": recovered(by_method["ours"]["dirs_final"])}
v_mod.append(verdicts.fig4_tsne(rec, k=cfg.align_k, n_learned=paper_data.FIG4_TSNE["n_learned"],
                                n_target=paper_data.FIG4_TSNE["n_target"], cos_threshold=0.9,
                                scale=cal_scale))

# %% tags=["hide-input"]
# Table 2 (content unknown): what was measured.
short = {label: meth for meth, label in figs.LABELS.items()}
t2_at = {}
for _, row in table2.iterrows():
    t2_at.setdefault(short[row["method"]], {})[int(row["m"])] = row[
        "samples needed, nonlinear proj."]
v_mod.append(verdicts.table2_nonlinear(
    t2_at, list(cfg.table2_m_values), threshold=acfg.sc_threshold,
    scale=f"calibrated task, {acfg.sc_iters:,} Adam iterations, "
          f"{len(t2_lin[0].seeds)} seeds, profile {profile}"))
for v in v_mod:  # Fig. 4 in today's regime: the sensitivity of the paper-matched verdict
    ch.judge(v, of_record=v.claim_id != "fig4_alignment",
             setting="today's regime; " + cal_scale)
glue_verdicts("mod", v_mod)
verdicts.table(v_mod)

# %% [markdown]
# **Calibration sensitivity of the Fig. 4 verdict.** The calibrated task is the argmin of a grid
# whose runner-up is close; the same Fig. 4 runs on the runner-up point
# ({glue:text}`mod_sens_knobs`) give: {glue:text}`mod_sens_sentence`.

# %% tags=["hide-input"]
if cfg.align_sensitivity:
    ru_task = calibration.comparison_task(scfg, dataclasses.replace(acfg, sc_task="runner_up"))
    ru_align = [s for s in modular_calibrated.fig4_specs(
        cfg, fig3a_readings.specs(acfg, ru_task[1])[0]) if s.method != "ours_joint"]  # cost
    ru_runs = cached_map("modular_calibrated", ru_align, modular_calibrated.run_stack)
    ru_by = {figs.CAL[s.method]: r for s, r in zip(ru_align, ru_runs, strict=True)}
    ru_ps = {meth: r["sim_history"].mean(axis=2)[[0, i_pe]] for meth, r in ru_by.items()}
    v_ru = verdicts.fig4_alignment(ru_ps["ours"], ru_ps["modular"], None,
                                   paper=paper_data.FIG4_SIMS, chance=chance,
                                   iterations=paper_end, min_effect=0.01,
                                   scale=cal_scale + ", runner-up calibration point")
    v_fit = next(v for v in v_mod if v.claim_id == "fig4_alignment")
    ch.sensitivity("sine-calibration", "Fig. 4 on the runner-up point", (
        f"verdict {v_ru.verdict} ({v_ru.measured}), against {v_fit.verdict} on the argmin"))
    glue_text("mod_sens_knobs", f"noise variance {ru_task[0].noise_var:g}, frequency scale "
              f"{ru_task[0].freq_scale:g}, target variance {ru_task[0].target_var:g}")
    glue_text("mod_sens_sentence",
              prose.calibration_sensitivity(v_ru.verdict, v_ru.measured, v_fit.verdict))
else:
    glue_text("mod_sens_knobs", "not used at this profile")
    glue_text("mod_sens_sentence", "not run at this profile (align_sensitivity is off)")

# %%
wall_page = time.perf_counter() - t_page
glue("mod_wall", f"{wall_page:.0f}", display=False)
print(f"page wall time: {wall_page:.0f} s on {dev}")
