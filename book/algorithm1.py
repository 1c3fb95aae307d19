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
# (algorithm1)=
# # Algorithm 1 under the microscope
#
# ```{admonition} Inputs from other chapters
# :class: note
# This page's Fig. 3a comparison trains on the sine task as calibrated by
# {ref}`sine-regression`, read as that chapter last ran at this profile
# ({py:func}`modscale.infra.profiles.upstream_config`): if you override its parameters with
# `-p`, run it before this page.
# ```
#
# The {ref}`modular-networks` chapter measures how well the literal reading of the paper's
# Algorithm 1 -- $K$ independent restarts of the single-module kernel objective -- aligns the
# projections with the task's modules (its Fig. 4 section). This chapter asks *why* it aligns as
# it does, and whether another reading of the algorithm's one ambiguous sentence recovers the
# modules:
#
# - the **stay test**: restarts placed exactly *on* the true module directions -- do they stay?
# - the **objective** at the directions the restarts end on, at the true directions and at
#   random ones;
# - four **readings** of "we repeat this procedure $K$ times with different random
#   initializations", compared on the same tasks with three metrics;
# - the **early-stopping** hypothesis for the paper's Fig. 4: a similarity slightly above chance
#   after few steps, with almost no module recovered.
#
# ```{deviation} alg1-readings
# ```
#
# **Metrics.** For each network: the paper-style **similarity** score (mean over true modules of
# the best $|\cos|$ with a learned direction) next to its **chance** level (random directions,
# Monte Carlo), the number of true modules **recovered** (some learned direction within
# $|\cos| > 0.9$), and the number of **distinct directions** among the $K$ learned ones (not within
# $|\cos| > 0.9$ of an earlier one). The similarity rewards directions that mix several modules;
# the two counts do not.

# %% tags=["parameters"]
profile: str = "smoke"  # profile: smoke, book or paper (every other parameter defaults to its value in this profile)
device: str = "auto"  # auto (CUDA if available, else CPU), cpu, cuda or cuda:N
seed: int = None  # seed of the random initial projections and mini-batches [smoke: 0; book: 0]
n_tasks: int = None  # task seeds (one network per task seed) [smoke: 2; book: 6]
k: int = None  # modules of the sine task [smoke: 4; book: 4]
n: int = None  # training points per task [smoke: 300; book: 1000]
m_values: tuple = None  # input dimensions m of the readings table [smoke: (5,); book: (5, 9, 15)]
modules_factors: tuple = None  # network modules K ＝ factor * k of the readings table [smoke: (1,); book: (1, 2)]
readings: tuple = None  # readings of 'repeat K times' compared [smoke: ('literal', 'greedy_residual', 'greedy_fixed', 'joint'); book: ('literal', 'greedy_residual', 'greedy_fixed', 'joint')]
init_steps: int = None  # Adam steps per projection (greedy: per module) [smoke: 20; book: 200]
init_batch_size: int = None  # kernel mini-batch size [smoke: 128; book: 256]
init_lr: float = None  # Adam learning rate of Algorithm 1 [smoke: 0.05; book: 0.05]
init_ridge: float = None  # ridge, relative to the mean kernel diagonal [smoke: 0.1; book: 0.1]
record_every: int = None  # steps between recorded objectives and similarities [smoke: 10; book: 10]
stay_m: int = None  # input dimension of the stay test [smoke: 5; book: 9]
stay_steps: int = None  # steps of the stay test [smoke: 20; book: 200]
lr_grid: tuple = None  # learning rates of the literal reading's sensitivity table [smoke: (0.05,); book: (0.005, 0.05, 0.2)]
batch_grid: tuple = None  # mini-batch sizes of the sensitivity table [smoke: (128,); book: (64, 256, 1000)]
ridge_grid: tuple = None  # ridges of the sensitivity table [smoke: (0.1,); book: (0.01, 0.1, 1.0)]
kernels: tuple = None  # kernels compared for the best reading [smoke: ('rbf',); book: ('rbf', 'laplace')]
b_check: int = None  # module input dimension b of the best reading's b > 1 check [smoke: 1; book: 2]
traj_m: int = None  # input dimension of the early-stopping trajectory (the modular chapter's Fig. 4 setting) [smoke: 6; book: 15]
traj_k: int = None  # task modules of the trajectory (paper's t-SNE: 10) [smoke: 3; book: 10]
traj_modules: int = None  # network modules K of the trajectory (paper's t-SNE: 20) [smoke: 6; book: 20]
traj_steps: int = None  # Algorithm 1 steps of the trajectory [smoke: 20; book: 300]
sc_methods: tuple = None  # methods of the sample-complexity comparison (ours_<reading>: projections set by that reading) [smoke: ('monolithic', 'modular', 'modular_matched', 'ours_literal', 'ours_greedy_residual'); book: ('monolithic', 'modular', 'modular_matched', 'ours_literal', 'ours_greedy_residual', 'ours_joint')]
sc_m_values: tuple = None  # input dimensions m of the comparison [smoke: (3,); book: (3, 6, 9)]
sc_width: int = None  # hidden width of the MLP and of each module MLP [smoke: 32; book: 32]
sc_depth: int = None  # linear layers of the MLP and of each module MLP [smoke: 3; book: 3]
sc_modules_factor: int = None  # network modules K ＝ factor * k [smoke: 2; book: 2]
sc_seeds: int = None  # seeds (task + data + initialisation) [smoke: 1; book: 5]
sc_first_stack_seeds: int = None  # seeds of the first stack of each (method, m); further seeds train as a second stack, so that raising sc_seeds reuses the stored first stacks [smoke: 2; book: 2]
sc_few_seed_methods: tuple = None  # methods trained at the first stack's seeds only (cost); their rows say how many seeds they have [smoke: ('ours_greedy_residual',); book: ('ours_greedy_residual',)]
sc_n_min: int = None  # smallest n of the geometric n grid [smoke: 100; book: 100]
sc_n_max: int = None  # largest n of the geometric n grid [smoke: 1000; book: 100000]
sc_n_points: int = None  # points of the n grid [smoke: 3; book: 7]
sc_n_test: int = None  # test points per network [smoke: 500; book: 2000]
sc_iters: int = None  # Adam iterations of end-to-end training (paper: 10,000) [smoke: 100; book: 10000]
sc_lr: float = None  # Adam learning rate (paper: 0.01) [smoke: 0.01; book: 0.01]
sc_batch_size: int = None  # training mini-batch size [smoke: 256; book: 256]
sc_threshold: float = None  # test loss defining the sample complexity (paper's Fig. 3a: 1.5) [smoke: 1.5; book: 1.5]
sc_ablation_factors: tuple = None  # network modules K ＝ factor * k of the K-vs-k ablation (at the largest m; modular and ours_literal; must include sc_modules_factor) [smoke: (1, 2); book: (1, 2, 5)]
sc_task: str = None  # task knobs: the sine chapter's calibration argmin (fitted), its second-best point (runner_up) or sc_noise_var / sc_target_var / sc_freq_scale (manual) [smoke: 'manual'; book: 'fitted']
sc_sensitivity: bool = None  # also run the Fig. 3a comparison at the largest m on the runner-up calibration point (calibration sensitivity) [smoke: False; book: True]
sc_noise_var: float = None  # label-noise variance if sc_task is manual [smoke: 0.8; book: 0.8]
sc_target_var: float = None  # clean target variance if sc_task is manual [smoke: 4.0; book: 4.0]
sc_freq_scale: float = None  # frequency scale if sc_task is manual [smoke: 1.0; book: 1.0]

# %%
# Validate the parameters before any heavy import or computation: a misspelled or unknown
# name, or a bad value, fails here with a message listing the valid ones.
from modscale.infra.profiles import upstream_config
from modscale.report.chapter import chapter

ch = chapter("algorithm1", globals())  # validates, publishes, device, style, seed
cfg = ch.cfg

# %%
import dataclasses
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

from modscale import paper_data
from modscale.experiments import alg1_diagnostics, calibration, fig3a_readings
from modscale.experiments.fig3a_ablation import ablation_specs
from modscale.infra.cache import cached_map
from modscale.plans import algorithm1 as alg1_plan
from modscale.report import verdicts
from modscale.report.analysis import per_seed_samples_by_method, seed_n_frame, stack_samples_needed
from modscale.report.figures import algorithm1 as figs
from modscale.report.notebook import glue, glue_text, glue_verdicts, show
from modscale.report.prose import algorithm1 as prose
from modscale.report.verdicts import fmt
from modscale.training import alg1

t_page = time.perf_counter()
glue_text("alg1_profile", profile)
glue_text("alg1_k", cfg.k)
glue_text("alg1_n_tasks", cfg.n_tasks)
glue_text("alg1_steps", cfg.init_steps)

# %% [markdown]
# ## Do the true modules stay put? (the stay test)
#
# If the true module directions were minima of the per-module objective, restarts of the literal
# reading placed exactly on them would stay there. We place the $K = k$ restarts of each of
# {glue:text}`alg1_n_tasks` networks on the $k$ = {glue:text}`alg1_k` true directions of its task
# ($m$ = `stay_m`) and run the literal reading, with full-batch kernels (all $n$ points) and with
# the mini-batches used elsewhere.

# %%
stay_specs = alg1_diagnostics.stay_specs(cfg)
t0 = time.perf_counter()
stay_runs = cached_map("alg1_stay", stay_specs, alg1.run_stay)
wall_stay = time.perf_counter() - t0
stay_tab = alg1_diagnostics.stay_table(stay_specs, stay_runs)
fig_stay = figs.alg1_stay(stay_tab, n=cfg.n, m=cfg.stay_m, k=cfg.k)
glue("fig_alg1_stay", fig_stay, display=False)
plt.close(fig_stay)
ch.export_table(stay_tab, "alg1_stay_test", wall_time_s=wall_stay)
end = stay_tab[stay_tab["step"] == stay_tab["step"].max()].set_index("batch")["staying"]
glue_text("alg1_stay_full", fmt(100 * end.get(cfg.n, np.nan), ".0f"))
glue_text("alg1_stay_mini", fmt(100 * end.get(cfg.init_batch_size, np.nan), ".0f"))
glue_text("alg1_stay_steps", cfg.stay_steps)
ch.record("stay test", models_trained=0,
          wall_time_s=wall_stay, seeds=cfg.n_tasks)
show(stay_tab[stay_tab["step"] == stay_tab["step"].max()])

# %% [markdown]
# ```{glue:figure} fig_alg1_stay
# :name: fig-alg1-stay
# :alt: Fraction of literal-reading restarts that stay within |cos| > 0.9 of the true module they started on, against the step, for full-batch and mini-batch kernels
# The stay test: fraction of restarts, started exactly on a true module direction, still within
# $|\cos| > 0.9$ of it after each step of the literal reading (mean over networks, band: one
# standard deviation).
# ```
#
# After {glue:text}`alg1_stay_steps` steps, {glue:text}`alg1_stay_full` % of the restarts are
# still on their module with full-batch kernels and {glue:text}`alg1_stay_mini` % with
# mini-batches. A true module direction is a stable point of the per-module objective only where
# this fraction stays near 100 %.
#
# ## Readings compared
#
# Each reading initialises $K$ = `modules_factors` $\times k$ projections of one network per task
# seed, for several input dimensions $m$. The table gives the metrics of the directions each
# reading ends on (mean over networks), the chance level of the similarity, and the wall time.

# %%
read_specs = alg1_diagnostics.reading_specs(cfg)
t0 = time.perf_counter()
read_runs = cached_map("alg1_readings", read_specs, alg1.run_reading)
wall_read = time.perf_counter() - t0
readings = alg1_diagnostics.readings_table(read_specs, read_runs)
ch.export_table(readings, "alg1_readings", wall_time_s=wall_read)
ch.record("readings", models_trained=0,
          wall_time_s=wall_read, seeds=cfg.n_tasks)
show(readings[["reading", "m", "K", "similarity", "similarity_sd", "chance", "modules_recovered",
               "distinct_directions"]]
     .rename(columns={"similarity_sd": "sd", "modules_recovered": "modules found",
                      "distinct_directions": "distinct directions"}))

# %%
fig_read = figs.alg1_readings(readings, paper_data.FIG4_SIMS, order=cfg.readings, k=cfg.k,
                              K=cfg.k * cfg.modules_factors[0])
glue("fig_alg1_readings", fig_read, display=False)
plt.close(fig_read)
lit = readings[readings["reading"] == "literal"]
best = (readings.groupby("reading")["modules_recovered"].mean().sort_values(ascending=False))
best_reading = best.index[0]
glue_text("alg1_best_reading", best_reading)
glue_text("alg1_lit_recovered", f"{lit['modules_recovered'].mean():.1f}")
glue_text("alg1_best_recovered", f"{best.iloc[0]:.1f}")
glue_text("alg1_lit_sim", f"{lit['similarity'].mean():.3f}")
glue_text("alg1_lit_chance", f"{lit['chance'].mean():.3f}")
glue_text("alg1_best_sim",
          f"{readings[readings['reading'] == best_reading]['similarity'].mean():.3f}")
glue_text("alg1_lit_distinct", f"{lit['distinct_directions'].mean():.1f}")
ch.sensitivity("alg1-readings", "module recovery of every reading",
               prose.readings_outcome(readings, k=cfg.k, best=best_reading))
glue_text("alg1_lit_K", f"{lit['K'].mean():.1f}")

# %% [markdown]
# ```{glue:figure} fig_alg1_readings
# :name: fig-alg1-readings
# :alt: Similarity minus chance and fraction of modules recovered against m for the four readings of Algorithm 1
# Left: similarity score minus its chance level for each reading (dashed red: the gap the
# paper's Fig. 4 shows between its initialiser and random projections at iteration 0). Right:
# fraction of the $k$ true modules recovered.
# ```
#
# Averaged over the table, the literal reading recovers {glue:text}`alg1_lit_recovered` of the
# $k$ = {glue:text}`alg1_k` modules (similarity {glue:text}`alg1_lit_sim` against a chance level
# of {glue:text}`alg1_lit_chance`), with {glue:text}`alg1_lit_distinct` distinct directions
# among its {glue:text}`alg1_lit_K` restarts on average; the reading that recovers the most,
# **{glue:text}`alg1_best_reading`**, recovers {glue:text}`alg1_best_recovered` (similarity
# {glue:text}`alg1_best_sim`).
#
# ### The objective where the restarts end
#
# Per point, on 512 held-out points of each task: the single-module objective at the directions
# the restarts end on, at the best of the true module directions, and at random directions. If
# the restarts end *below* the best true direction, the per-module objective itself prefers
# something other than a module, and no tuning of the optimiser can fix the literal reading.

# %%
obj_tab = readings[["reading", "m", "K", "objective_end", "objective_best_true",
                    "objective_random"]]
lit_obj = obj_tab[obj_tab["reading"] == "literal"]
below = int((lit_obj["objective_end"] < lit_obj["objective_best_true"]).sum())
glue_text("alg1_obj_below", f"{below} of {len(lit_obj)}")
glue_text("alg1_obj_end", f"{lit_obj['objective_end'].mean():.1f}")
glue_text("alg1_obj_true", f"{lit_obj['objective_best_true'].mean():.1f}")
glue_text("alg1_obj_rand", f"{lit_obj['objective_random'].mean():.1f}")
show(obj_tab)

# %% [markdown]
# For the literal reading the end points have a lower held-out objective than the best true
# direction in {glue:text}`alg1_obj_below` settings (mean per point: end points
# {glue:text}`alg1_obj_end`, best true direction {glue:text}`alg1_obj_true`, random directions
# {glue:text}`alg1_obj_rand`).
#
# ## Is the literal reading's failure a tuning accident?
#
# The literal reading at $m$ = `stay_m`, $K = k$, varying one setting at a time (learning rate,
# mini-batch size, ridge):

# %%
sens_specs = alg1_diagnostics.sensitivity_specs(cfg)
t0 = time.perf_counter()
sens_runs = cached_map("alg1_readings", sens_specs, alg1.run_reading)
wall_sens = time.perf_counter() - t0
sens = alg1_diagnostics.sensitivity_table(sens_specs, sens_runs)
glue_text("alg1_sens_max", f"{sens['modules_recovered'].max():.1f}")
ch.sensitivity("alg1-kernel", "literal reading over learning rate, mini-batch and ridge",
               prose.kernel_outcome(sens, m=cfg.stay_m, k=cfg.k))
show(sens)

# %% [markdown]
# Over these settings the literal reading recovers at most {glue:text}`alg1_sens_max` of the
# {glue:text}`alg1_k` modules on average.
#
# ## Another kernel and wider modules for the best reading
#
# The reading that recovered the most modules above, with the Laplace kernel instead of the RBF
# kernel, and with module input dimension $b$ = `b_check` (tasks and networks), at
# $m$ = `stay_m`, $K = k$:

# %%
check_specs = alg1_diagnostics.check_specs(cfg, best_reading)
check_runs = cached_map("alg1_readings", check_specs, alg1.run_reading)
check_tab = alg1_diagnostics.check_table(check_specs, check_runs)
show(check_tab)

# %% [markdown]
# ## The early-stopping hypothesis (paper Fig. 4)
#
# The paper's initialiser starts training at similarity 0.556 against 0.537 for random
# projections (its Fig. 4), a gain of 0.019. If the paper's Algorithm 1 is the literal reading
# stopped after a few steps, its similarity should pass through that level early. We follow the
# literal reading step by step in the Fig. 4 setting of {ref}`modular-networks`
# ($m$ = `traj_m`, $k$ = `traj_k`, $K$ = `traj_modules`).

# %%
traj_spec = alg1_diagnostics.trajectory_spec(cfg)
t0 = time.perf_counter()
(traj,) = cached_map("alg1_trajectory", [traj_spec], alg1.run_trajectory)
wall_traj = time.perf_counter() - t0
sim = traj["similarity"].numpy()  # (T, M)
steps_t = traj["steps"].numpy()
p4 = paper_data.FIG4_SIMS
fig_traj = figs.alg1_trajectory(steps_t, sim, traj["chance"], p4, m=cfg.traj_m, k=cfg.traj_k,
                                K=cfg.traj_modules)
glue("fig_alg1_trajectory", fig_traj, display=False)
plt.close(fig_traj)
gain = sim.mean(1) - traj["chance"]
i_max = int(np.argmax(gain))
glue_text("alg1_traj_gain_max", f"{gain[i_max]:+.3f}")
glue_text("alg1_traj_step_max", int(steps_t[i_max]))
glue_text("alg1_traj_gain_end", f"{gain[-1]:+.3f}")
glue_text("alg1_traj_paper_gain", f"{p4['ours'][0] - p4['baseline'][0]:+.3f}")
show(pd.DataFrame({"step": steps_t, "similarity": sim.mean(1), "minus chance": gain}).iloc[::3])

# %% [markdown]
# ```{glue:figure} fig_alg1_trajectory
# :name: fig-alg1-trajectory
# :alt: Similarity score of the literal reading against Algorithm 1 steps, with the chance level and the paper's values at iteration 0
# Similarity of the literal reading's directions with the true modules over its steps (mean over
# networks, band: one standard deviation), against the chance level and the paper's Fig. 4
# values at the start of training.
# ```
#
# The largest gain over chance along the way is {glue:text}`alg1_traj_gain_max` (at step
# {glue:text}`alg1_traj_step_max`), and {glue:text}`alg1_traj_gain_end` at the last step; the
# paper's gain at iteration 0 is {glue:text}`alg1_traj_paper_gain`. A gain of the paper's size
# with almost no module recovered (previous sections) is what the early-stopping hypothesis
# predicts.
#
# ### The same test for the paper's t-SNE figure
#
# The paper's t-SNE figure (learned and target directions, {ref}`modular-networks`) shows
# learned points on top of the target points after its initialiser. If that initialiser were the
# literal reading stopped early, the stopped directions would have to recover the targets. We stop
# the literal reading at the step of its largest gain above (same setting, every network) and
# after all its steps, count the recovered modules (a learned direction within $|\cos| > 0.9$),
# and draw one network's directions with the t-SNE of the modular chapter.

# %%
stop_at = max(int(steps_t[i_max]), 1)  # the early-stopping step (at least one step)
stops = {"early-stopped": stop_at, "all steps": cfg.traj_steps}
es_specs = alg1_diagnostics.stopped_specs(cfg, list(stops.values()))
t0 = time.perf_counter()
es_runs = cached_map("alg1_readings", es_specs, alg1.run_reading)
es = alg1_diagnostics.stopped_table(list(stops), es_specs, es_runs)
# One network (task seed 0) for the t-SNE: random directions, early-stopped, all steps.
tsne_spec = alg1_diagnostics.tsne_spec(cfg, stop_at)
(tsne_dirs,) = cached_map("alg1_stopped_directions", [tsne_spec], alg1.run_stopped_directions)
wall_es = time.perf_counter() - t0
fig_es = figs.alg1_tsne_early_stop(tsne_dirs["directions"], tsne_dirs["targets"],
                                   stop_at=stop_at, steps=cfg.traj_steps, seed=cfg.seed)
glue("fig_alg1_tsne_stop", fig_es, display=False)
ch.export_figure(fig_es, "alg1_tsne_early_stop", wall_time_s=wall_es)
plt.close(fig_es)
rec_stop = es["modules recovered"].iloc[0]
glue_text("alg1_es_step", stop_at)
glue_text("alg1_es_rec", f"{rec_stop:.2f}")
glue_text("alg1_es_rec_full", f"{es['modules recovered'].iloc[1]:.2f}")
glue_text("alg1_es_k", cfg.traj_k)
glue_text("alg1_es_sim", f"{es['similarity'].iloc[0]:.3f}")
glue_text("alg1_es_chance", f"{es['chance'].iloc[0]:.3f}")
# The criterion of the sentence below: the t-SNE picture needs most targets recovered.
glue_text("alg1_es_conclusion", prose.early_stop_conclusion(rec_stop, cfg.traj_k))
show(es)

# %% [markdown]
# ```{glue:figure} fig_alg1_tsne_stop
# :name: fig-alg1-tsne-stop
# :alt: Three t-SNE maps of learned and target directions: random, literal reading stopped early, literal reading after all steps
# t-SNE of the learned (red) and target (blue) module directions of one network (task seed 0):
# random directions, the literal reading stopped at its step of largest similarity gain, and
# after all its steps. A learned point on top of a target point is a recovered module.
# ```
#
# Stopped at step {glue:text}`alg1_es_step`, the literal reading recovers
# {glue:text}`alg1_es_rec` of the {glue:text}`alg1_es_k` modules per network on average
# (similarity {glue:text}`alg1_es_sim`, chance {glue:text}`alg1_es_chance`), and
# {glue:text}`alg1_es_rec_full` after all its steps, {glue:text}`alg1_es_conclusion`
# ({numref}`fig-alg1-tsne-stop`).

# %% [markdown]
# (alg1-sample-complexity)=
# ## Does alignment buy samples? (paper Fig. 3a on the calibrated task)
#
# The paper's Fig. 3a is its claim that the modular learning rule buys samples: the training-set
# size at which the test loss reaches 1.5 grows more slowly with the input dimension m for the
# kernel-initialised modular network than for a monolithic MLP or a modular network with random
# projections. We measure it for every reading on the calibrated sine task of
# {ref}`sine-regression`, with the paper's training protocol. We also train the random-projection
# baseline at matched compute: it gets extra training iterations worth the FLOPs of the most
# expensive initialiser.
#
# ```{deviation} fig3a-comparison
# ```

# %% tags=["hide-input"]
scfg, _ = upstream_config("sine_regression", profile)  # as the sine chapter last ran
sc_knobs, sc_task = calibration.comparison_task(scfg, cfg)
sc_specs = alg1_plan.comparison(cfg, scfg)  # the chapter's plan: modscale.plans.algorithm1
t0 = time.perf_counter()
sc_runs = cached_map("fig3a_readings", sc_specs, fig3a_readings.run_stack)
wall_sc = time.perf_counter() - t0
ch.record("Fig. 3a on the calibrated task",
          models_trained=sum(len(s.seeds) * len(s.n_values) for s in sc_specs),
          wall_time_s=wall_sc)
sc_stacks = sc_specs  # as computed (one per seed chunk); below: one per (method, m)
sc_specs, sc_runs = fig3a_readings.merge_seed_chunks(sc_stacks, sc_runs)
SC_LABELS = figs.SC_LABELS  # the methods' names in figures, tables and text
# One row per network: method, m, seed, n, losses, similarities, iterations.
sc_df = seed_n_frame([({"method": spec.method, "m": spec.m, "iters": r["iters"]}, spec.seeds,
                       spec.n_values, r) for spec, r in zip(sc_specs, sc_runs, strict=True)],
                     ("train", "test", "test_clean", "sim_init", "sim_final"))
sc_df = sc_df[["method", "m", "seed", "n", "train", "test", "test_clean", "sim_init",
               "sim_final", "iters"]]
grid = sc_specs[0].n_values


def samples_needed(spec, run: dict) -> dict:
    """Samples to reach ``sc_threshold`` for one stack (seed mean and single-seed range)."""
    return stack_samples_needed(spec.n_values, run["test"], cfg.sc_threshold)


# %% tags=["hide-input"]
sc_tab = pd.DataFrame([{"method": spec.method, "m": spec.m, **samples_needed(spec, r),
                        "sim_init": float(np.asarray(r["sim_init"], dtype=np.float64).mean())
                        if "sim_init" in r
                        else np.nan, "iters": int(r["iters"])}
                       for spec, r in zip(sc_specs, sc_runs, strict=True)])
ch.export_table(sc_df, "fig3a_calibrated_readings",
                extra={"threshold": cfg.sc_threshold, "knobs": dataclasses.asdict(sc_knobs),
                    "iters": cfg.sc_iters, "sample_complexity": sc_tab.to_dict("records")})
ms_sc = list(cfg.sc_m_values)
m_hi = max(ms_sc)
fig_sc = figs.fig3a_calibrated_readings(sc_tab, sc_df, paper_data.FIG3A,
                                        methods=cfg.sc_methods, threshold=cfg.sc_threshold,
                                        m_hi=m_hi)
glue("fig_alg1_fig3a", fig_sc, display=False)
ch.export_figure(fig_sc, "fig3a_calibrated_readings", wall_time_s=wall_sc)
plt.close(fig_sc)
view = sc_tab.pivot(index="method", columns="m", values="n_required").reindex(
    list(cfg.sc_methods))
view.index = [SC_LABELS[m_] for m_ in view.index]
show(view.map(lambda v: fmt(v, ".0f") if np.isfinite(v) else "not reached"), index=True)

# %% [markdown]
# ```{glue:figure} fig_alg1_fig3a
# :name: fig-alg1-fig3a
# :alt: Left, samples needed to reach test loss 1.5 against the input dimension for every method with the paper's points; right, test loss against training samples at the largest m
#
# Left: the samples needed to reach test loss {glue:text}`alg1_sc_threshold` against m
# (seed-mean curve; bars: the range of the single seeds' values), next to the paper's Fig. 3a
# (dotted). A method that never reaches the threshold on the grid has no point. Right: the
# seed-mean test loss against n at m = {glue:text}`alg1_sc_m_hi` (dotted: the threshold). The
# table gives the samples needed per method and m. Data: `paper_figures/fig3a_calibrated_readings.csv`.
# ```

# %% tags=["hide-input"]
sim_tab = sc_tab[sc_tab["method"] != "monolithic"].pivot(index="method", columns="m",
                                                          values="sim_init")
sim_tab.index = [SC_LABELS[m_] for m_ in sim_tab.index]
display(show(sim_tab.round(3), index=True))
n_at_sc = {meth: dict(zip(g["m"], g["n_required"], strict=True))
           for meth, g in sc_tab.groupby("method")}
n_at_sc["ours"] = n_at_sc["ours_literal"]
readings_run = [r for r in alg1.READINGS if f"ours_{r}" in cfg.sc_methods]


def geo(meth: str) -> float:
    v = np.array([n_at_sc[meth][m_] for m_ in ms_sc], dtype=float)
    return float(np.exp(np.mean(np.log(v)))) if np.isfinite(v).all() else float("inf")


best_reading = min(readings_run, key=lambda r: geo(f"ours_{r}"))
ref = "modular_matched" if "modular_matched" in cfg.sc_methods else "modular"
sim_best = float(sc_tab[(sc_tab["method"] == f"ours_{best_reading}")]["sim_init"].mean())
sim_rand = float(sc_tab[(sc_tab["method"] == "modular")]["sim_init"].mean())

# %% tags=["hide-input"]
for key, val in {"alg1_sc_task": cfg.sc_task, "alg1_sc_noise": f"{sc_knobs.noise_var:g}",
                 "alg1_sc_tvar": f"{sc_knobs.target_var:g}",
                 "alg1_sc_freq": f"{sc_knobs.freq_scale:g}", "alg1_sc_width": cfg.sc_width,
                 "alg1_sc_depth": cfg.sc_depth, "alg1_sc_K": cfg.sc_modules_factor * cfg.k,
                 "alg1_sc_lr": f"{cfg.sc_lr:g}", "alg1_sc_iters": f"{cfg.sc_iters:,}",
                 "alg1_sc_batch": cfg.sc_batch_size,
                 "alg1_sc_grid": ", ".join(f"{n_:,}" for n_ in grid),
                 "alg1_sc_seeds": len(sc_specs[0].seeds),
                 "alg1_sc_threshold": f"{cfg.sc_threshold:g}",
                 "alg1_sc_m_hi": m_hi, "alg1_sc_ms": ", ".join(map(str, ms_sc)),
                 "alg1_sc_extra": f"{fig3a_readings.matched_iters(sc_specs[-1]):,}",
                 "alg1_sc_best": best_reading,
                 "alg1_sc_best_geo": fmt(geo(f"ours_{best_reading}"), ".0f"),
                 "alg1_sc_ref_geo": fmt(geo(ref), ".0f"), "alg1_sc_ref": SC_LABELS[ref],
                 "alg1_sc_lit_geo": fmt(geo("ours_literal"), ".0f"),
                 "alg1_sc_mono_geo": fmt(geo("monolithic"), ".0f"),
                 "alg1_sc_wall": f"{wall_sc:.0f}"}.items():
    glue_text(key, val)
glue_text("alg1_sc_sim_best", f"{sim_best:.3f}")
glue_text("alg1_sc_sim_rand", f"{sim_rand:.3f}")

# %% [markdown]
# The table above gives the similarity of the projections with the task's module directions at
# the start of training (mean over seeds and n): {glue:text}`alg1_sc_sim_best` for the reading
# that needs the fewest samples (**{glue:text}`alg1_sc_best`**) against
# {glue:text}`alg1_sc_sim_rand` for random projections. Over m in {glue:text}`alg1_sc_ms`, the
# geometric mean of the samples needed is {glue:text}`alg1_sc_best_geo` for that reading,
# {glue:text}`alg1_sc_lit_geo` for the literal one, {glue:text}`alg1_sc_ref_geo` for the
# {glue:text}`alg1_sc_ref` baseline and {glue:text}`alg1_sc_mono_geo` for the monolithic MLP
# ("not reached" where some m never reached the threshold). This page judges the four Fig. 3a claims on
# these runs, with the literal reading as *ours* (the paper's text), in **today's regime**,
# where the random-projection baseline aligns by itself. The first three are judged *of record*
# in the regime that fits the paper's Fig. 4 baseline ({ref}`paper-regime`); here they are
# their sensitivity, the compute-matched claim stays of record here. The
# {ref}`modular-networks` chapter shows the same comparison on its uncalibrated task, with
# 1,000 iterations and a threshold of 0.3.

# %% tags=["hide-input"]
# Per-seed samples needed (a seed fixes the task and data of every method: paired comparisons).
per_seed_sc = per_seed_samples_by_method(sc_specs, sc_runs, cfg.sc_threshold)
n_max_sc = float(max(grid))
MIN_RATIO = 1.25  # the minimum sample ratio of every comparison (and the K ablation sentence)
v_sc = [verdicts.fig3a_ours_lowest(per_seed_sc, ms_sc, paper=paper_data.FIG3A,
                                   threshold=cfg.sc_threshold, n_max=n_max_sc,
                                   min_effect=MIN_RATIO),
        verdicts.fig3a_modular_worse(per_seed_sc, ms_sc, paper=paper_data.FIG3A,
                                     threshold=cfg.sc_threshold, n_max=n_max_sc,
                                     min_effect=MIN_RATIO),
        verdicts.fig3a_ours_grows(np.array(ms_sc),
                                  np.array([n_at_sc["ours"][m_] for m_ in ms_sc]),
                                  paper_m=paper_data.FIG3A["m"],
                                  paper_ours=paper_data.FIG3A["ours"], min_slope=0.05)]
if "modular_matched" in cfg.sc_methods:
    v_sc.append(verdicts.fig3a_compute_matched(
        per_seed_sc["ours"][m_hi], per_seed_sc["modular_matched"][m_hi],
        per_seed_sc["modular"][m_hi], m=m_hi, threshold=cfg.sc_threshold, n_max=n_max_sc,
        min_effect=MIN_RATIO))

# %% tags=["hide-input"]
# How much of the matched-compute comparison is seed noise: the single seeds' range at m_hi.
rng_txt = {meth: prose.seed_range(sc_tab[(sc_tab["method"] == meth)
                                         & (sc_tab["m"] == m_hi)].iloc[0])
           for meth in ("ours_literal", "modular", "modular_matched")}
glue_text("alg1_sc_matched_caveat", prose.matched_caveat(
    n_at_sc["modular_matched"][m_hi], n_at_sc["modular"][m_hi], m_hi))
glue_text("alg1_sc_rng_ours", rng_txt["ours_literal"])
glue_text("alg1_sc_rng_mod", rng_txt["modular"])
glue_text("alg1_sc_rng_matched", rng_txt["modular_matched"])
# The first three claims are judged of record in the paper-matched regime (modular chapter,
# {ref}`paper-regime`); here, in today's regime at width 32, they are its sensitivity.
SENSITIVITY_HERE = ("fig3a_ours_lowest", "fig3a_modular_worse", "fig3a_ours_grows")
for v in v_sc:
    ch.judge(v, of_record=v.claim_id not in SENSITIVITY_HERE,
             setting=f"today's regime; width {cfg.sc_width} x depth {cfg.sc_depth}; "
             f"m = {', '.join(map(str, ms_sc))}; {cfg.sc_seeds} seeds; profile {profile}")
glue_verdicts("alg1", v_sc)
verdicts.table(v_sc)

# %% [markdown]
# - Ours (literal reading) needs the fewest samples for most m:
#   **{glue:text}`alg1_fig3a_ours_lowest_verdict`** ({glue:text}`alg1_fig3a_ours_lowest_measured`;
#   paper: {glue:text}`alg1_fig3a_ours_lowest_paper`).
# - The random-projection modular network needs more samples than the monolithic one:
#   **{glue:text}`alg1_fig3a_modular_worse_verdict`**
#   ({glue:text}`alg1_fig3a_modular_worse_measured`).
# - Ours grows with m: **{glue:text}`alg1_fig3a_ours_grows_verdict`**
#   ({glue:text}`alg1_fig3a_ours_grows_measured`).
# - Against the matched-compute baseline: **{glue:text}`alg1_fig3a_compute_matched_verdict`**
#   ({glue:text}`alg1_fig3a_compute_matched_measured`). {glue:text}`alg1_sc_matched_caveat`: the
#   single seeds needed {glue:text}`alg1_sc_rng_ours` (ours), {glue:text}`alg1_sc_rng_mod`
#   (modular) and {glue:text}`alg1_sc_rng_matched` (matched) samples.
#
# Computing or drawing these runs took {glue:text}`alg1_sc_wall` s in this build.
#
# ### Calibration sensitivity
#
# Every verdict above uses the calibrated task, and the calibration's argmin is close to its
# runner-up (the sine chapter's grid table). We therefore rerun the comparisons behind the
# first two Fig. 3a claims at the largest m, m = {glue:text}`alg1_sc_m_hi`, for the monolithic
# MLP, the modular baseline and ours on the **runner-up** calibration point
# ({glue:text}`alg1_sens_knobs`, against {glue:text}`alg1_sens_fitted` for the argmin), with the
# same seeds and protocol, and judge both tasks by the same functions (restricted to that m):
# {glue:text}`alg1_sens_sentence`.

# %% tags=["hide-input"]
if cfg.sc_sensitivity:
    ru_knobs, _ = calibration.comparison_task(scfg, dataclasses.replace(cfg, sc_task="runner_up"))
    ru_stacks = alg1_plan.sensitivity(cfg, scfg)
    t0 = time.perf_counter()
    ru_runs = cached_map("fig3a_readings", ru_stacks, fig3a_readings.run_stack)
    wall_ru = time.perf_counter() - t0
    ru_specs, ru_runs = fig3a_readings.merge_seed_chunks(ru_stacks, ru_runs)
    per_seed_ru = per_seed_samples_by_method(ru_specs, ru_runs, cfg.sc_threshold)
    sens_rows = []
    for task, per in (("argmin (the verdicts above)", per_seed_sc), ("runner-up", per_seed_ru)):
        for fn in (verdicts.fig3a_ours_lowest, verdicts.fig3a_modular_worse):
            v = fn(per, [m_hi], paper=paper_data.FIG3A, threshold=cfg.sc_threshold,
                   n_max=n_max_sc, min_effect=MIN_RATIO)
            sens_rows.append({"claim": v.claim_id, "task": task, "verdict": v.verdict,
                              "effect [95 % CI]": v.effect.text(".2f") if v.effect else ""})
    sens = pd.DataFrame(sens_rows)
    ch.export_table(sens, "calibration_sensitivity", wall_time_s=wall_ru,
                    extra={"fitted": dataclasses.asdict(sc_knobs),
                           "runner_up": dataclasses.asdict(ru_knobs), "m": m_hi})
    ch.sensitivity("sine-calibration", "Fig. 3a at the largest m on the runner-up point",
                   prose.calibration_outcome(sens_rows, m_hi))
    display(show(sens))
glue_text("alg1_sens_sentence", prose.calibration_sentence(sens if cfg.sc_sensitivity else None))
glue_text("alg1_sens_knobs", prose.knobs_text(ru_knobs if cfg.sc_sensitivity else None))
glue_text("alg1_sens_fitted", prose.knobs_text(sc_knobs))

# %% [markdown]
# ### How many modules? K against k on the calibrated task
#
# Reviewers asked whether the method needs the number of network modules K matched to the
# task's k, which is unknown in practice. We retrain the random-projection baseline and the
# literal reading at m = {glue:text}`alg1_sc_m_hi` with K = factor x k network modules, for the
# factors `sc_ablation_factors` = {glue:text}`alg1_abl_factors` (k = {glue:text}`alg1_k`; the
# comparison above uses factor {glue:text}`alg1_abl_base`), with everything else as above.

# %% tags=["hide-input"]
abl_specs = ablation_specs(cfg, sc_stacks)
t0 = time.perf_counter()
abl_runs = cached_map("fig3a_readings", abl_specs, fig3a_readings.run_stack)
wall_abl = time.perf_counter() - t0
abl_rows = []
for spec, r in zip(abl_specs, abl_runs, strict=True):
    curve = np.asarray(r["test"], dtype=np.float64).mean(0)  # seed mean over the n grid
    need = samples_needed(spec, r)
    abl_rows.append({"method": SC_LABELS[spec.method], "K": spec.n_modules,
                     "K / k": spec.n_modules // spec.k, "samples needed": need["n_required"],
                     "seed range": prose.seed_range(need),
                     "similarity at init": float(r["sim_init"].mean()),
                     "similarity at end": float(r["sim_final"].mean()),
                     "test loss at n = 1000": float(np.interp(np.log(1000),
                                                              np.log(spec.n_values), curve))})
abl = pd.DataFrame(abl_rows).sort_values(["method", "K"])
ch.export_table(abl, "alg1_modules_ablation",
                extra={"m": m_hi, "k": cfg.k, "threshold": cfg.sc_threshold})
show(abl, digits=3).set_properties(subset=["K", "K / k", "samples needed", "seed range"],
                                   **{"white-space": "nowrap"})  # numbers kept whole

# %% tags=["hide-input"]
glue_text("alg1_abl_factors", ", ".join(map(str, cfg.sc_ablation_factors)))
glue_text("alg1_abl_base", cfg.sc_modules_factor)
glue_text("alg1_abl_wall", f"{wall_abl:.0f}")
abl_n = {(row["method"], row["K / k"]): row["samples needed"] for _, row in abl.iterrows()}
lab_mod, lab_lit = SC_LABELS["modular"], SC_LABELS["ours_literal"]
glue_text("alg1_abl_text", prose.ablation_text(abl_n, [lab_mod, lab_lit],
                                               cfg.sc_ablation_factors, cfg.k))
# Criterion of the sentence below: the literal reading needs at most MIN_RATIO x the samples of
# the baseline at every K (the threshold of the matched-compute verdict, in the other direction).
ratios = [abl_n[(lab_lit, f)] / abl_n[(lab_mod, f)] for f in cfg.sc_ablation_factors]
glue_text("alg1_abl_ratio", ", ".join(fmt(v, ".2f") for v in ratios))
glue_text("alg1_abl_conclusion", prose.ablation_conclusion(ratios, MIN_RATIO))

# %% [markdown]
# Samples needed to reach test loss {glue:text}`alg1_sc_threshold` at m =
# {glue:text}`alg1_sc_m_hi`: {glue:text}`alg1_abl_text`. The literal reading needs
# {glue:text}`alg1_abl_ratio` times the baseline's samples at these K, so
# {glue:text}`alg1_abl_conclusion` (data: `paper_figures/alg1_modules_ablation.csv`; these runs
# took {glue:text}`alg1_abl_wall` s to compute or draw in this build). The modular chapter's K
# ablation runs on its uncalibrated task.

# %%
wall_page = time.perf_counter() - t_page
glue_text("alg1_wall", f"{wall_page:.0f}")
print(f"page wall time: {wall_page:.0f} s; readings: {', '.join(alg1.READINGS)}")

# %%
# NBVAL_CHECK_OUTPUT
print("readings compared:", sorted(readings["reading"].unique()))
print("metrics within range:", bool(readings["similarity"].between(0, 1).all()
                                    and (readings["modules_recovered"] <= cfg.k).all()))
