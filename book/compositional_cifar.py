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
# (compositional-cifar)=
# # Compositional CIFAR-10
#
# The paper's second empirical test of the modular learning rule is a high-dimensional modular
# *classification* task built from CIFAR-10 {cite}`krizhevsky2009cifar`: "combinations of k
# CIFAR-10 images are concatenated together and the model is asked to predict the class of all
# component images simultaneously", a task "inspired by the Compositional MNIST dataset of
# (Jarvis et al., 2023)" {cite}`jarvis2023specialization,boopathy2025breaking`. The input of a
# sample is a 32 x 32k x 3 image, so its dimension grows linearly with k while the task stays a
# sum of k independent 10-way problems: a modular task in the sense of the paper.
#
# This chapter builds the dataset, trains a monolithic MLP, a modular network with random
# projections and a modular network whose projections are initialised by the kernel objective
# (Algorithm 1), and redraws paper Fig. 3b (accuracy against k), Fig. 5 (an example input),
# Fig. 12 (a learned projection) and Table 1 (combinatorial out-of-distribution accuracy and
# accuracy under noise), each next to the paper's numbers.

# %% tags=["parameters"]
profile: str = "smoke"  # profile: smoke, book or paper (every other parameter defaults to its value in this profile)
device: str = "auto"  # auto (CUDA if available, else CPU), cpu, cuda or cuda:N
seed: int = None  # base seed (data streams, initialisations, noise) [smoke: 0; book: 0]
data_path: str = None  # CIFAR-10 source (JPEG .tar.xz, python .tar.gz or folder); '' ＝ $MODSCALE_CIFAR10 or the shared data folder [smoke: ''; book: '']
download: bool = None  # download the original CIFAR-10 from the authors' site if no copy is found (needs internet) [smoke: False; book: False]
max_per_class: int = None  # decode only this many images per class and split (0 ＝ all 5,000 / 1,000) [smoke: 220; book: 0]
val_per_class: int = None  # training images per class held out for validation (learning-rate choice) [smoke: 20; book: 500]
ks: tuple = None  # numbers of images k (Fig. 3b x axis) [smoke: (1, 2); book: (1, 2, 3, 4, 5, 6, 7, 8)]
methods: tuple = None  # methods to train [smoke: ('monolithic', 'modular', 'ours'); book: ('monolithic', 'modular', 'ours')]
n_seeds: int = None  # seeds per method and k (paper: 5) [smoke: 2; book: 2]
seeds_per_run: int = None  # seeds trained together as one stacked model [smoke: 2; book: 2]
n_train: int = None  # training combinations (one epoch; paper: 10^6) [smoke: 2000; book: 40000]
n_test: int = None  # test combinations (paper: 10,000) [smoke: 500; book: 2000]
n_val: int = None  # validation combinations (from held-out training images) [smoke: 500; book: 2000]
epochs: int = None  # passes over the training combinations (paper: 1) [smoke: 1; book: 1]
batch_size: int = None  # mini-batch size [smoke: 128; book: 128]
lr_grid: tuple = None  # Adam learning rates tried on the validation set (one value ＝ no sweep) [smoke: (0.001,); book: (0.0003, 0.001, 0.003)]
sweep_k: int = None  # k at which the learning rate is chosen [smoke: 2; book: 2]
sweep_n_train: int = None  # training combinations of a sweep run [smoke: 1000; book: 10000]
mono_width: int = None  # monolithic MLP hidden width [smoke: 64; book: 256]
mono_depth: int = None  # monolithic MLP linear layers [smoke: 2; book: 3]
modules_per_image: int = None  # modules K per image (K ＝ modules_per_image * k) [smoke: 2; book: 2]
module_dim: int = None  # module input dimension b (paper: 512) [smoke: 8; book: 32]
module_width: int = None  # module MLP hidden width [smoke: 16; book: 64]
module_depth: int = None  # module MLP linear layers [smoke: 2; book: 2]
init_steps: int = None  # kernel-objective steps per projection (Algorithm 1) [smoke: 10; book: 30]
init_batch_size: int = None  # mini-batch of the kernel objective [smoke: 64; book: 256]
init_lr: float = None  # Adam learning rate of the kernel objective [smoke: 0.0001; book: 0.0001]
init_ridge: float = None  # ridge of the kernel objective (x mean diagonal) [smoke: 0.1; book: 0.1]
init_pool: int = None  # training combinations per network that Algorithm 1 draws its mini-batches from [smoke: 256; book: 1024]
init_bandwidth_grad: bool = None  # differentiate Algorithm 1's median bandwidth too (default: held constant in the gradient) [smoke: False; book: False]
init_heldout: int = None  # combinations beyond the pool whose kernel objective Algorithm 1 records at every recorded step (0 ＝ none) [smoke: 0; book: 0]
ood_fraction: float = None  # fraction of class tuples held out from training (k ≥ 2) [smoke: 0.1; book: 0.1]
table_k: int = None  # k of Table 1 (unknown in the paper) [smoke: 2; book: 4]
noise_std: float = None  # Gaussian noise std on normalised inputs (Table 1) [smoke: 1.0; book: 1.0]
noise_levels: tuple = None  # noise stds of the accuracy-vs-noise curve [smoke: (0.0, 0.5, 1.0); book: (0.0, 0.25, 0.5, 1.0, 2.0)]
epochs_curve: tuple = None  # epochs compared beyond the paper (at epochs_k) [smoke: (1, 2); book: (1, 2)]
epochs_curve_seeds: int = None  # seeds of the epochs comparison [smoke: 1; book: 1]
epochs_k: int = None  # k of the epochs comparison [smoke: 2; book: 2]
scale_ks: tuple = None  # k of the paper-data-scale runs (Fig. 3b and Table 1 at scale_n_train) [smoke: (1, 2); book: (1, 2, 4, 8)]
scale_n_train: int = None  # training combinations of the paper-data-scale runs (one epoch; paper: 10^6) [smoke: 2000; book: 1000000]
scale_study_ks: tuple = None  # k of the scale study [smoke: (2,); book: (4, 8)]
scale_study_n_trains: tuple = None  # training combinations of the scale study [smoke: (1000, 2000); book: (40000, 200000, 1000000)]
scale_module_dims: tuple = None  # module input dimensions b of the scale study (the first one is used at scale) [smoke: (8, 16); book: (32, 128, 512)]
scale_dim_n_train: int = None  # training combinations at which module dimensions beyond the first are compared [smoke: 1000; book: 200000]
scale_n_seeds: int = None  # seeds of every scale run (trained together) [smoke: 2; book: 2]
scale_n_test: int = None  # test (and OOD) combinations of the scale runs (paper: 10,000) [smoke: 500; book: 10000]
scale_batch_size: int = None  # mini-batch size of the scale runs [smoke: 128; book: 1024]
scale_sweep_k: int = None  # k at which the scale runs choose their learning rate (validation set) [smoke: 2; book: 4]
scale_sweep_n_train: int = None  # training combinations of the scale runs' learning-rate sweep [smoke: 1000; book: 200000]
paper_dim: int = None  # module input dimension b of the paper-dimension runs (paper: 512) [smoke: 16; book: 512]
paper_dim_ks: tuple = None  # k of the paper-dimension runs (Fig. 3b and Table 1 at module dimension paper_dim) [smoke: (2,); book: (1, 2, 3, 4)]
paper_dim_n_train: int = None  # training combinations of the paper-dimension runs (paper: 10^6) [smoke: 2000; book: 200000]
paper_dim_n_seeds: int = None  # seeds of the paper-dimension runs (paper: 5) [smoke: 2; book: 5]
paper_dim_seeds_per_run: int = None  # seeds of a paper-dimension run trained together [smoke: 2; book: 2]
paper_dim_lr_grid: tuple = None  # Adam learning rates of the paper-dimension sweep (validation set, at scale_sweep_k and scale_sweep_n_train) [smoke: (0.001,); book: (0.0001, 0.0003, 0.001)]
paper_dim_init: str = None  # how the paper-dimension runs' 'ours' runs Algorithm 1: a variant of modscale.experiments.cifar_alg1.VARIANTS (literal reading, chosen on the held-out objective) [smoke: 'as_run'; book: 'bandwidth_grad']
scale_amp: str = None  # matmul precision of the scale runs (as amp) [smoke: 'auto'; book: 'auto']
amp: str = None  # matmul precision: auto (bf16 autocast where bf16 matmuls are faster than fp32 on this device), bf16 (any device; fp32 weights and Adam) or fp32 [smoke: 'auto'; book: 'auto']

# %%
# Validate the parameters before any heavy import or computation: a misspelled or unknown
# name, or a bad value, fails here with a message listing the valid ones.
from modscale.report.chapter import chapter

ch = chapter("compositional_cifar", globals())  # validates, publishes, device, style, seed
cfg = ch.cfg

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from IPython.display import display

from modscale.experiments import cifar_alg1 as ca
from modscale.experiments import cifar_runs as cr
from modscale.experiments import cifar_scale as cs
from modscale.infra import cache
from modscale.infra.device import resolve_precision
from modscale.paper_data import FIG3B, TABLE1
from modscale.plans import compositional_cifar as cifar_plan
from modscale.report import cifar_tables as csr
from modscale.report import verdicts
from modscale.report.figures import compositional_cifar as figs
from modscale.report.notebook import glue, glue_text, glue_verdicts, show
from modscale.report.prose import compositional_cifar as prose
from modscale.tasks.cifar import CLASSES
from modscale.tasks.compositional import concat_images, held_out_mask, make_set
from modscale.training.cifar_models import METHOD_LABELS, Architecture, param_count

dev = ch.device
t_start = time.perf_counter()
glue("cifar_profile", profile, display=False)
glue("cifar_device", str(dev), display=False)

# %% [markdown]
# ## The data
#
# CIFAR-10 is read from the copy shipped with this project, decoded once and cached
# ({py:func}`modscale.tasks.cifar.load_cifar10`). Training combinations draw their images from the
# CIFAR-10 training images, except {glue:text}`cifar_val_per_class` images per class kept apart
# as a validation set (used only to choose learning rates); test combinations draw their images
# from the CIFAR-10 test images.
#
# ```{deviation} cifar-jpeg
# ```

# %% tags=["hide-input"]
data = cifar_plan.data(cfg, dev)  # the plan's items are keyed on these data (checksum, device)
glue_text("cifar_amp_resolved", resolve_precision(cfg.amp, dev))
glue_text("cifar_scale_amp_resolved", resolve_precision(cfg.scale_amp, dev))
glue("cifar_source_kind", prose.source_kind(data.is_jpeg), display=False)
glue("cifar_source", data.source.split("/")[-1], display=False)
glue("cifar_val_per_class", f"{cfg.val_per_class:,}", display=False)
glue("cifar_n_train_images", f"{data.n_images['train']:,}", display=False)
glue("cifar_n_test_images", f"{data.n_images['test']:,}", display=False)
counts = {split: torch.bincount(getattr(data, split).y.cpu(), minlength=10).tolist()
          for split in ("train", "val", "test")}
show(pd.DataFrame(counts, index=CLASSES).T, index=True)

# %%
# NBVAL_CHECK_OUTPUT
print("classes balanced in every split:",
      all(len(set(c)) == 1 for c in counts.values()))

# %% [markdown]
# A sample of k images is a row of k indices into the image pool; the input is the k images
# concatenated along the width (a 32 x 32k x 3 image), normalised per colour channel with the
# training images' mean and standard deviation and flattened. Whole batches are assembled on
# the device from index tensors ({py:func}`modscale.tasks.compositional.assemble`). {numref}`fig-cifar-example`
# shows one, the counterpart of the paper's Fig. 5.

# %%
k_show = max(cfg.ks)
ex = make_set(data.test, 1, k_show, seed=cfg.seed + 5)
img = concat_images(data.test, ex.idx)[0].cpu().numpy()
fig5 = figs.fig5_compositional_example(img, [CLASSES[int(c)] for c in ex.labels[0]])
glue("fig5_compositional_example", fig5, display=False)
ch.export_figure(fig5, "fig5_compositional_example")
plt.close(fig5)

# %% [markdown]
# ```{glue:figure} fig5_compositional_example
# :name: fig-cifar-example
# :alt: A Compositional CIFAR-10 input: k CIFAR-10 images side by side with their class labels
#
# A Compositional CIFAR-10 input drawn from this run's test set (paper Fig. 5 shows k = 4 images:
# deer, horse, truck, airplane). The labels under the image are the k targets.
# ```
#
# ### The combinatorial out-of-distribution split
#
# An ordered class tuple $(c_1, \dots, c_k)$ is *held out* when a fixed keyed hash of the tuple
# falls below `ood_fraction` = {glue:text}`cifar_ood_fraction`
# ({py:func}`modscale.tasks.compositional.held_out_mask`). Every training set redraws held-out tuples,
# so no network ever sees one; the OOD test set contains only held-out tuples, built from test
# images. The hash does not depend on the seed or the method, and every class stays equally
# frequent at every position.
#
# ```{deviation} cifar-ood-noise
# ```

# %% tags=["hide-input"]
glue("cifar_ood_fraction", f"{cfg.ood_fraction:g}", display=False)
glue("cifar_noise_std", f"{cfg.noise_std:g}", display=False)
glue("cifar_table_k", str(cfg.table_k), display=False)
check = make_set(data.train, 20_000, cfg.table_k, seed=1, mode="seen",
                 fraction=cfg.ood_fraction)
ood_check = make_set(data.test, 2_000, cfg.table_k, seed=2, mode="held_out",
                     fraction=cfg.ood_fraction)
all_tuples = torch.cartesian_prod(*[torch.arange(10)] * cfg.table_k).reshape(-1, cfg.table_k)
frac_held = float(held_out_mask(all_tuples, cfg.ood_fraction).float().mean())
glue("cifar_frac_held", f"{100 * frac_held:.1f}%", display=False)

# %%
# NBVAL_CHECK_OUTPUT
print("held-out tuples in a training set:", int(held_out_mask(check.labels, cfg.ood_fraction).sum()))
print("OOD test samples that are held-out tuples:",
      bool(held_out_mask(ood_check.labels, cfg.ood_fraction).all()))

# %% [markdown]
# At k = {glue:text}`cifar_table_k`, {glue:text}`cifar_frac_held` of the class tuples are held out.
#
# ## The three methods
#
# ```{deviation} cifar-architectures
# ```

# %%
arch = Architecture.from_config(cfg)
for key, val in {"cifar_mono_width": cfg.mono_width, "cifar_mono_depth": cfg.mono_depth,
                 "cifar_mpi": cfg.modules_per_image, "cifar_b": cfg.module_dim,
                 "cifar_mod_width": cfg.module_width, "cifar_init_steps": cfg.init_steps,
                 "cifar_init_lr": f"{cfg.init_lr:g}", "cifar_init_batch_size": cfg.init_batch_size,
                 "cifar_init_pool": f"{cfg.init_pool:,}", "cifar_init_ridge": f"{cfg.init_ridge:g}",
                 "cifar_batch": cfg.batch_size, "cifar_epochs": cfg.epochs,
                 "cifar_n_train": f"{cfg.n_train:,}", "cifar_n_test": f"{cfg.n_test:,}",
                 "cifar_n_seeds": cfg.n_seeds}.items():
    glue(key, str(val), display=False)
pd.DataFrame([{"k": k, **{METHOD_LABELS[m]: f"{param_count(m, k, arch):,}"
                          for m in cfg.methods}} for k in cfg.ks]).set_index("k")

# %% [markdown]
# The table gives the parameters per network (the modular networks' projections dominate:
# $K \times 3072k \times b$). The two modular methods have identical architectures and, for a given seed,
# identical initial module MLPs; they differ only in the projections.
#
# ### Learning rates (validation set)

# %%
t0 = time.perf_counter()
# the chapter's plan (modscale.plans.compositional_cifar): its items, drawn or computed here
sweep = cr.sweep_frame(cfg, cifar_plan.results(data, cifar_plan.lr_sweep(cfg, data), "lr sweep"))
lrs = cr.best_lrs(sweep)
t_sweep = time.perf_counter() - t0
sweep_table = sweep.pivot(index="lr", columns="method", values="val_acc")[list(cfg.methods)]
sweep_table.columns = [METHOD_LABELS[m] for m in sweep_table.columns]
show(sweep_table, index=True)

# %% [markdown]
# Validation accuracy at k = {glue:text}`cifar_sweep_k` after one epoch over
# {glue:text}`cifar_sweep_n` combinations (seed 0). Chosen learning rates:
# {glue:text}`cifar_lrs`. (With a single value in `lr_grid` there is no sweep.)

# %%
glue("cifar_sweep_k", str(cfg.sweep_k), display=False)
glue("cifar_sweep_n", f"{cfg.sweep_n_train:,}", display=False)
glue("cifar_lrs", "; ".join(f"{METHOD_LABELS[m]} {lr:g}" for m, lr in lrs.items()),
     display=False)

# %% [markdown]
# ## Accuracy against the number of images (paper Fig. 3b)

# %%
t0 = time.perf_counter()
results = cifar_plan.results(data, cifar_plan.main(cfg, data, lrs), "fig3b runs")
t_main = time.perf_counter() - t0
df = cr.accuracy_frame(results)
ch.record("fig3b", models_trained=len(df),
          wall_time_s=t_main, seeds=cfg.n_seeds)
acc = csr.summary(df, "acc")
paper = csr.paper_fig3b_frame()

fig3b = figs.fig3b_compositional_cifar(acc, paper, cfg.methods)
glue("fig3b_compositional_cifar", fig3b, display=False)
ch.export_figure(fig3b, "fig3b_compositional_cifar",
                 wall_time_s=t_main)
plt.close(fig3b)

# %% [markdown]
# ```{glue:figure} fig3b_compositional_cifar
# :name: fig-cifar-fig3b
# :alt: Line plot of test accuracy against the number of images k for the three methods, with the paper's curves
#
# Test accuracy (per image position, averaged over the k positions) against the number of
# images k, mean and standard error over {glue:text}`cifar_n_seeds` seeds (coloured), next to
# the paper's Fig. 3b (red dashed, digitised: 5 seeds, $10^6$ training combinations, module
# dimension 512). Dotted: chance (0.1).
# ```

# %%
tab = acc.pivot(index="k", columns="method", values="mean")[list(cfg.methods)]
tab.columns = [METHOD_LABELS[m] for m in tab.columns]
ptab = pd.DataFrame({f"paper: {METHOD_LABELS[m]}": FIG3B[m] for m in cfg.methods},
                    index=pd.Index(FIG3B["k"], name="k"))
fig3b_table = tab.join(ptab).round(3)
show(fig3b_table, index=True)

# %% tags=["hide-input"]
k_lo, k_hi = min(cfg.ks), max(cfg.ks)
drop = {m: float(tab.loc[k_lo, METHOD_LABELS[m]] - tab.loc[k_hi, METHOD_LABELS[m]])
        for m in cfg.methods}
paper_drop = {m: FIG3B[m][k_lo - 1] - FIG3B[m][k_hi - 1] for m in cfg.methods}
gap_hi = {m: float(tab.loc[k_hi, METHOD_LABELS["ours"]] - tab.loc[k_hi, METHOD_LABELS[m]])
          for m in cfg.methods}
for m in cfg.methods:
    glue(f"cifar_drop_{m}", f"{100 * drop[m]:.1f}", display=False)
    glue(f"cifar_paper_drop_{m}", f"{100 * paper_drop[m]:.1f}", display=False)
    glue(f"cifar_gap_{m}", f"{100 * gap_hi[m]:+.1f}", display=False)
glue("cifar_k_lo", str(k_lo), display=False)
glue("cifar_k_hi", str(k_hi), display=False)
glue("cifar_paper_gap_mod", f"{100 * (FIG3B['ours'][k_hi - 1] - FIG3B['modular'][k_hi - 1]):+.1f}",
     display=False)
glue("cifar_paper_gap_mono",
     f"{100 * (FIG3B['ours'][k_hi - 1] - FIG3B['monolithic'][k_hi - 1]):+.1f}", display=False)

# %%
# NBVAL_CHECK_OUTPUT
print("runs x seeds:", len(df), "| all accuracies in [0, 1]:",
      bool(df["acc"].between(0, 1).all()))

# %% [markdown]
# The accuracy drop from k = {glue:text}`cifar_k_lo` to k = {glue:text}`cifar_k_hi` (accuracy at
# the smaller k minus at the larger; negative: a rise) is
# {glue:text}`cifar_drop_monolithic` points for the monolithic baseline,
# {glue:text}`cifar_drop_modular` for the modular baseline and {glue:text}`cifar_drop_ours`
# for our method (paper over the same range: {glue:text}`cifar_paper_drop_monolithic`,
# {glue:text}`cifar_paper_drop_modular`, {glue:text}`cifar_paper_drop_ours`). At
# k = {glue:text}`cifar_k_hi` our method is {glue:text}`cifar_gap_modular` points from the
# modular baseline and {glue:text}`cifar_gap_monolithic` from the monolithic one (paper:
# {glue:text}`cifar_paper_gap_mod` and {glue:text}`cifar_paper_gap_mono`).
#
# ```{admonition} Scale of this run
# :class: warning
# The **{glue:text}`cifar_profile`** profile trains on {glue:text}`cifar_n_train` combinations
# (paper: $10^6$), with module dimension b = {glue:text}`cifar_b` (paper: 512) and
# {glue:text}`cifar_n_seeds` seeds (paper: 5), on {glue:text}`cifar_device`. Absolute
# accuracies are therefore not expected to match the paper's; the comparison is about the trend
# with k and the ordering of the methods. The `paper` profile runs the paper's scale on a GPU.
# ```

# %% [markdown]
# ## Robustness (paper Table 1)

# %%
t1 = csr.table1_frame(df, cfg.table_k, cfg.noise_std)
t1_view = pd.DataFrame({
    "Method": t1["method"],
    "OOD acc. (this book)": [f"{a:.2f} ± {s:.2f}" for a, s in zip(t1["ood_acc"], t1["ood_se"], strict=True)],
    "OOD acc. (paper)": [f"{a:.2f}" for a in t1["paper_ood_acc"]],
    "Noise acc. (this book)": [f"{a:.2f} ± {s:.2f}"
                               for a, s in zip(t1["noise_acc"], t1["noise_se"], strict=True)],
    "Noise acc. (paper)": [f"{a:.2f}" for a in t1["paper_noise_acc"]],
    "Clean acc. (this book)": [f"{a:.2f} ± {s:.2f}"
                               for a, s in zip(t1["clean_acc"], t1["clean_se"], strict=True)],
})
ch.export_table(t1, "table1_robustness",
                extra={"table_k": cfg.table_k, "noise_std": cfg.noise_std,
                    "ood_fraction": cfg.ood_fraction})
show(t1_view)

# %% [markdown]
# Accuracy in percent at k = {glue:text}`cifar_table_k` (mean ± standard error over seeds):
# on test combinations whose class tuple was held out from training (OOD), on the in-distribution
# test set with Gaussian noise of std {glue:text}`cifar_noise_std` on the normalised inputs, and
# clean. The paper's k, split and noise level are unknown (reproduction note above), so only the
# ordering of the methods and the size of the drops can be compared.
# {numref}`fig-cifar-noise` shows the whole accuracy-against-noise curve (beyond the paper).

# %%
sub = df[df["k"] == cfg.table_k]
fign = figs.noise_curve(sub, cfg.methods, cfg.noise_std)
best_at = csr.best_per_noise(sub, cfg.methods)
if best_at:
    ch.sensitivity("cifar-ood-noise", "the accuracy-against-noise curve",
                   prose.noise_sensitivity(cfg.table_k, best_at))
glue("fig_cifar_noise", fign, display=False)
plt.close(fign)

# %% [markdown]
# ```{glue:figure} fig_cifar_noise
# :name: fig-cifar-noise
# :alt: Accuracy of the three methods against the standard deviation of added input noise
#
# Test accuracy at k = {glue:text}`cifar_table_k` against the standard deviation of Gaussian
# noise added to the normalised inputs (dotted: the Table 1 level). Mean ± s.e. over seeds.
# ```
#
# ## What the projections learn (paper Fig. 12)
#
# The authors show a slice of a learned projection $\hat U$ (one of its b columns, reshaped to
# 32 x 32k x 3) and describe the module trained with their rule as "visibly sensitive to only
# one component image while the baseline is not". {numref}`fig-cifar-fig12` shows the same
# slice (column 0) for every module of network 0 at k = {glue:text}`cifar_table_k`, after
# training, for both modular methods. Each slice is shown as an RGB image normalised on its own:
# divided by its largest absolute value and mapped from [-1, 1] to [0, 1] (grey = 0).

# %%
by = {(r["spec"]["method"], r["spec"]["k"], r["spec"]["seeds"][0]): r for r in results}
kt = cfg.table_k
mods = [m for m in ("modular", "ours") if m in cfg.methods]
fig12 = figs.fig12_projection_slice({m: by[(m, kt, 0)] for m in mods}, kt,
                                    n_show=min(4, arch.n_modules(kt)))
glue("fig12_projection_slice", fig12, display=False)
ch.export_figure(fig12, "fig12_projection_slice")
plt.close(fig12)

# %% [markdown]
# ```{glue:figure} fig12_projection_slice
# :name: fig-cifar-fig12
# :alt: Heat maps of a learned projection over the k image positions for our method and the baseline
#
# Column 0 of the learned projection of the first modules of network 0 at
# k = {glue:text}`cifar_table_k`, reshaped to 32 x 32k x 3 (each image normalised on its own;
# grey is zero). Below each: the fraction of the module's projection (all b columns, squared
# norm) that falls on each image position; 1/k = {glue:text}`cifar_uniform_share` each for a
# projection spread evenly, 1 on one image for a module that looks at that image only.
# ```
#
# The share of a projection on its most-weighted image position measures the position
# selectivity the paper's Fig. 12 shows qualitatively; the table averages it over all modules
# and seeds, at random initialisation, after Algorithm 1 and after training.

# %%
glue("cifar_uniform_share", f"{1 / kt:.2f}", display=False)
sel = csr.selectivity_frame(results, mods, cfg.ks)
sel_table = csr.selectivity_table(sel, mods)
show(sel_table, index=True)

# %%
sel_k = sel[sel["k"] == kt].set_index(["method", "stage"])["mean max share"]
ours_final = float(sel_k.get((METHOD_LABELS["ours"], "after training"), np.nan))
mod_final = float(sel_k.get((METHOD_LABELS["modular"], "after training"), np.nan))
glue("cifar_share_ours", f"{ours_final:.3f}", display=False)
glue("cifar_share_mod", f"{mod_final:.3f}", display=False)

# %% [markdown]
# At k = {glue:text}`cifar_table_k` the mean largest share is {glue:text}`cifar_share_ours` for
# our method and {glue:text}`cifar_share_mod` for the baseline, against
# {glue:text}`cifar_uniform_share` for a projection spread evenly over the images.
#
# ### Does the kernel objective prefer position-selective projections? (beyond the paper)
#
# Fig. 12 suggests that the rule finds projections that read a single image. A direct check of
# the objective itself: its value (per sample) for random projections spread over all k images
# and for random projections restricted to image 1, on the same mini-batches of training
# combinations, with the targets of all positions and with the targets of position 1 only. If
# the objective favoured position-selective projections, the restricted ones would score
# lower.

# %%
obj_check = pd.DataFrame([row for k in cfg.ks if k >= 2
                          for row in ca.position_objective(data, k, module_dim=cfg.module_dim,
                                                           ridge=cfg.init_ridge)])
obj_table = obj_check.pivot_table(index=["k", "targets"], columns="projection",
                                  values="objective", sort=False).round(3)
show(obj_table, index=True)

# %%
oc = obj_check.set_index(["k", "projection", "targets"])["objective"]
prefers = [bool(oc[(k, "image 1 only", "all positions")] < oc[(k, "spread over all images",
                                                                  "all positions")])
           for k in sorted(set(obj_check["k"]))]
glue("cifar_obj_prefers", prose.objective_preference(prefers), display=False)

# %% [markdown]
# With all positions as targets (what Algorithm 1 minimises here), the objective
# **{glue:text}`cifar_obj_prefers`** the image-1-only projections. The objective also records
# how Algorithm 1 itself progressed (per-sample objective, averaged over modules and networks,
# at k = {glue:text}`cifar_table_k`):

# %% tags=["hide-input"]
if "ours" in cfg.methods:
    init_hist = by[("ours", kt, 0)]["init"]
    ih = pd.DataFrame({"step": init_hist["steps"].numpy(),
                       "objective": init_hist["objective"].mean(dim=(1, 2)).numpy()})
    glue("cifar_init_first", f"{ih['objective'].iloc[0]:.3f}", display=False)
    glue("cifar_init_last", f"{ih['objective'].iloc[-1]:.3f}", display=False)
    glue("cifar_init_time", f"{by[('ours', kt, 0)]['init_time_s']:.0f}", display=False)
    glue("cifar_K_table", str(arch.n_modules(kt)), display=False)
    glue("cifar_seeds_per_run", str(len(by[("ours", kt, 0)]["spec"]["seeds"])), display=False)
    display(show(ih.set_index("step").T, index=True))

# %% [markdown]
# Over its {glue:text}`cifar_init_steps` steps Algorithm 1 moved the mean per-sample objective
# from {glue:text}`cifar_init_first` to {glue:text}`cifar_init_last` (each entry is measured on
# a fresh mini-batch); it took {glue:text}`cifar_init_time` s for the
# {glue:text}`cifar_K_table` modules of {glue:text}`cifar_seeds_per_run` networks. Whether that
# change is sampling noise or Algorithm 1 failing to lower its own objective is measured on a
# fixed held-out batch in {ref}`cifar-paper-dim`.
#
# ## Beyond the paper: seen vs unseen class permutations, more epochs
#
# A reviewer asked for the test accuracy split into "input class permutations present in the
# training data vs. not present". Each test combination is *seen* if its ordered class tuple
# occurs among the network's training combinations; held-out tuples are always unseen.

# %%
seen = df.groupby(["method", "k"], sort=False)[["acc_seen", "acc_unseen", "frac_seen",
                                                "acc_ood"]].mean().reset_index()
seen["method"] = seen["method"].map(METHOD_LABELS)
show(seen.rename(columns={"acc_seen": "acc. seen tuples", "acc_unseen": "acc. unseen tuples",
                          "frac_seen": "fraction seen", "acc_ood": "acc. OOD set"}))

# %%
k2 = min([k for k in cfg.ks if k >= 2], default=None)
if k2 is not None:
    sk = df[df["k"] == k2].groupby("method")[["acc_seen", "acc_unseen"]].mean()
    glue("cifar_unseen_gap", ", ".join(
        f"{100 * (sk.loc[m, 'acc_unseen'] - sk.loc[m, 'acc_seen']):+.1f}"
        for m in cfg.methods), display=False)
    glue("cifar_k2", str(k2), display=False)

# %% [markdown]
# At small k every tuple (except the held-out ones) is seen many times; at larger k most test
# tuples are unseen (the paper: with $10^6$ training combinations the chance that a test
# combination repeats a training permutation is at most $10^6 / 10^k$). A network that solves the
# task position by position has the same accuracy on both groups. At k = {glue:text}`cifar_k2`,
# where the unseen tuples are exactly the held-out ones, the accuracy on unseen minus seen tuples
# is {glue:text}`cifar_unseen_gap` points (monolithic, modular, ours).
#
# The reviewers also asked whether training longer than one epoch helps. The next table trains
# for {glue:text}`cifar_epochs_max` epochs at k = {glue:text}`cifar_epochs_k` (the same
# training combinations in a new order every epoch) and evaluates after the listed epochs.

# %%
t0 = time.perf_counter()
ep = cifar_plan.results(data, cifar_plan.epochs(cfg, data, lrs), "epochs runs")
t_ep = time.perf_counter() - t0
glue("cifar_epochs_max", str(max(cfg.epochs_curve)), display=False)
glue("cifar_epochs_k", str(cfg.epochs_k), display=False)
ep_table = csr.epochs_table(ep, cfg.methods)
show(ep_table, index=True)

# %% [markdown]
# (cifar-data-scale)=
# ## At the paper's data scale: $10^6$ combinations
#
# Everything above trains on {glue:text}`cifar_n_train` combinations. The paper trains on
# $10^6$, and at the book's scale the networks are far from trained. This section trains at the
# paper's data scale on this book's CPU: one epoch over
# `scale_n_train` = {glue:text}`cifar_scale_n` combinations at k in {glue:text}`cifar_scale_ks`,
# all three methods and {glue:text}`cifar_scale_seeds` seeds. A **scale study** goes with it:
# k in {glue:text}`cifar_study_ks` with {glue:text}`cifar_study_ns` combinations, and module
# dimension b in {glue:text}`cifar_scale_dims` at {glue:text}`cifar_dim_n` combinations.
# These runs take longer than a book build. They were computed once
# (`python tools/precompute.py cifar_scale --profile book`), committed to the results store
# `results/cifar_scale/`, and are drawn from there ({py:mod}`modscale.experiments.cifar_scale`).
#
# ```{deviation} cifar-scale
# ```

# %% tags=["hide-input"]
t0 = time.perf_counter()
scale_sweep = cifar_plan.results(data, cifar_plan.scale_sweep(cfg, data), "scale lr sweep")
scale_lrs = cs.scale_lrs(scale_sweep, cfg)
scale_runs = cifar_plan.results(data, cifar_plan.scale(cfg, data, scale_lrs), "scale runs")
t_scale = time.perf_counter() - t0
sdf = csr.scale_frame(scale_runs)
b0 = cfg.scale_module_dims[0]
for key, val in {"cifar_scale_n": f"{cfg.scale_n_train:,}",
                 "cifar_scale_ks": ", ".join(map(str, cfg.scale_ks)),
                 "cifar_scale_seeds": str(cfg.scale_n_seeds),
                 "cifar_study_ks": ", ".join(map(str, cfg.scale_study_ks)),
                 "cifar_study_ns": ", ".join(f"{n:,}" for n in cfg.scale_study_n_trains),
                 "cifar_scale_dims": ", ".join(map(str, cfg.scale_module_dims)),
                 "cifar_dim_n": f"{cfg.scale_dim_n_train:,}", "cifar_scale_b": str(b0),
                 "cifar_scale_batch": f"{cfg.scale_batch_size:,}",
                 "cifar_scale_ntest": f"{cfg.scale_n_test:,}",
                 "cifar_scale_sweep_k": str(cfg.scale_sweep_k),
                 "cifar_scale_sweep_n": f"{cfg.scale_sweep_n_train:,}",
                 "cifar_scale_lrs": "; ".join(f"{METHOD_LABELS[m]} {lr:g}"
                                              for m, lr in scale_lrs.items())}.items():
    glue(key, val, display=False)

# %% tags=["hide-input"]
store_rows = pd.DataFrame(cache.store_status(cs.EXPERIMENT))
n_stored = len(store_rows)
n_changed = int(store_rows["code_changed"].sum()) if n_stored else 0
run_cost = sum(r["wall_time_s"] for r in scale_sweep + scale_runs)
glue("cifar_scale_runs", str(len(scale_sweep) + len(scale_runs)), display=False)
glue("cifar_scale_cost_min", f"{run_cost / 60:.0f}", display=False)
glue("cifar_scale_stored", str(n_stored), display=False)
glue("cifar_scale_changed", str(n_changed), display=False)
glue("cifar_scale_load_s", f"{t_scale:.0f}", display=False)
if n_stored:
    display(show(csr.store_provenance(store_rows)))
else:
    print("no stored scale runs: all", len(scale_sweep) + len(scale_runs),
          "runs were computed in this build")

# %% [markdown]
# The table lists the {glue:text}`cifar_scale_stored` committed entries of `results/cifar_scale/`
# for the whole repository (every profile; this page uses {glue:text}`cifar_scale_runs` of them).
# For each group it gives the commit and device that computed it, the experiment version it was
# keyed under, whether the code it depends on has changed since
# ({glue:text}`cifar_scale_changed` entries; advisory), the day and the compute time. This page's runs cost {glue:text}`cifar_scale_cost_min` minutes to
# compute; this build drew or computed them in {glue:text}`cifar_scale_load_s` s.
#
# Learning rates chosen for the scale runs: {glue:text}`cifar_scale_lrs`.

# %% tags=["hide-input"]
if scale_sweep:
    display(show(csr.sweep_table(scale_sweep), index=True))

# %% [markdown]
# ### Fig. 3b at the paper's data scale

# %% tags=["hide-input"]
full = csr.as_accuracy_frame(sdf[(sdf["n_train"] == cfg.scale_n_train)
                                 & (sdf["module_dim"] == b0) & sdf["k"].isin(cfg.scale_ks)])
acc_s = csr.summary(full, "acc")
fig3s = figs.fig3b_scale([(acc_s, f"{cfg.scale_n_train:,} combinations (this book)"),
                          (acc, f"{cfg.n_train:,} combinations (this book)")], paper, cfg.methods)
glue("fig3b_cifar_scale", fig3s, display=False)
ch.export_figure(fig3s, "fig3b_compositional_cifar_scale")
plt.close(fig3s)
tab_s = acc_s.pivot(index="k", columns="method", values="mean")[list(cfg.methods)]
tab_s.columns = [METHOD_LABELS[m] for m in tab_s.columns]
src_scale, src_book = f"n = {cfg.scale_n_train:,}", f"chapter, n = {cfg.n_train:,}"
cmp = csr.scale_comparison({src_scale: acc_s, src_book: acc}, cfg.methods)
show(cmp.round(3), index=True)

# %% [markdown]
# ```{glue:figure} fig3b_cifar_scale
# :name: fig-cifar-fig3b-scale
# :alt: Two panels of test accuracy against k for the three methods, at the paper's data scale and at the book's, with the paper's curves
#
# Fig. 3b redrawn. Left: one epoch over {glue:text}`cifar_scale_n` combinations (the paper's
# data scale at the book and paper profiles), b = {glue:text}`cifar_scale_b`, mean ± s.e. over {glue:text}`cifar_scale_seeds`
# seeds. Right: the chapter's runs at {glue:text}`cifar_n_train` combinations (as in
# {numref}`fig-cifar-fig3b`). Red dashed: the paper's digitised curves. The table gives the
# means of both runs next to the paper's numbers.
# ```

# %% tags=["hide-input"]
ks_s = list(tab_s.index)
ks_lo_s, ks_hi_s = min(ks_s), max(ks_s)
for m in cfg.methods:
    lab = METHOD_LABELS[m]
    glue(f"cifar_s_drop_{m}", f"{100 * (tab_s.loc[ks_lo_s, lab] - tab_s.loc[ks_hi_s, lab]):.1f}",
         display=False)
    glue(f"cifar_s_acc_hi_{m}", f"{100 * tab_s.loc[ks_hi_s, lab]:.1f}", display=False)
    glue(f"cifar_s_acc_lo_{m}", f"{100 * tab_s.loc[ks_lo_s, lab]:.1f}", display=False)
    glue(f"cifar_s_paper_hi_{m}", f"{100 * FIG3B[m][ks_hi_s - 1]:.1f}", display=False)
    glue(f"cifar_s_paper_lo_{m}", f"{100 * FIG3B[m][ks_lo_s - 1]:.1f}", display=False)
glue("cifar_s_k_lo", str(ks_lo_s), display=False)
glue("cifar_s_k_hi", str(ks_hi_s), display=False)
gain_mono = float(tab_s.loc[ks_lo_s, METHOD_LABELS["monolithic"]]
                  - tab.loc[ks_lo_s, METHOD_LABELS["monolithic"]]) if ks_lo_s in tab.index \
    else float("nan")
glue("cifar_s_gain_lo", f"{100 * gain_mono:+.1f}", display=False)

# %% [markdown]
# With {glue:text}`cifar_scale_n` combinations, the accuracy at k = {glue:text}`cifar_s_k_lo`
# is {glue:text}`cifar_s_acc_lo_monolithic` % (monolithic), {glue:text}`cifar_s_acc_lo_modular` %
# (modular) and {glue:text}`cifar_s_acc_lo_ours` % (ours); the paper has
# {glue:text}`cifar_s_paper_lo_monolithic`, {glue:text}`cifar_s_paper_lo_modular` and
# {glue:text}`cifar_s_paper_lo_ours` %. The monolithic network gains
# {glue:text}`cifar_s_gain_lo` points over the book-scale run at that k. At
# k = {glue:text}`cifar_s_k_hi` the accuracies are {glue:text}`cifar_s_acc_hi_monolithic`,
# {glue:text}`cifar_s_acc_hi_modular` and {glue:text}`cifar_s_acc_hi_ours` % (paper:
# {glue:text}`cifar_s_paper_hi_monolithic`, {glue:text}`cifar_s_paper_hi_modular`,
# {glue:text}`cifar_s_paper_hi_ours` %). The drops from k = {glue:text}`cifar_s_k_lo` to
# k = {glue:text}`cifar_s_k_hi` are {glue:text}`cifar_s_drop_monolithic`,
# {glue:text}`cifar_s_drop_modular` and {glue:text}`cifar_s_drop_ours` points.
#
# ### Table 1 at the paper's data scale

# %% tags=["hide-input"]
table_k_s = cfg.table_k
t1s = csr.table1_frame(full, table_k_s, cfg.noise_std)
t1s_view = pd.DataFrame({
    ("", "Method"): t1s["method"].to_numpy(),
    ("OOD acc.", src_scale): [f"{a:.2f} ± {s:.2f}" for a, s in
                              zip(t1s["ood_acc"], t1s["ood_se"], strict=True)],
    ("OOD acc.", "chapter"): [f"{a:.2f}" for a in t1["ood_acc"]],
    ("OOD acc.", "paper"): [f"{a:.2f}" for a in t1s["paper_ood_acc"]],
    ("noise acc.", src_scale): [f"{a:.2f} ± {s:.2f}" for a, s in
                                zip(t1s["noise_acc"], t1s["noise_se"], strict=True)],
    ("noise acc.", "chapter"): [f"{a:.2f}" for a in t1["noise_acc"]],
    ("noise acc.", "paper"): [f"{a:.2f}" for a in t1s["paper_noise_acc"]],
})
ch.export_table(t1s, "table1_robustness_scale",
                extra={"table_k": table_k_s, "noise_std": cfg.noise_std,
                    "n_train": cfg.scale_n_train, "module_dim": b0})
show(t1s_view)

# %% [markdown]
# Accuracy in percent at k = {glue:text}`cifar_table_k`: on held-out class tuples (OOD) and under
# input noise of std {glue:text}`cifar_noise_std`, at the paper's data scale (mean ± s.e. over
# seeds), at the book's scale, and the paper's. These b = {glue:text}`cifar_scale_b` runs are
# the sensitivity of the Fig. 3b and Table 1 verdicts, which are judged at the paper's module
# dimension ({ref}`cifar-paper-dim`).
#
# ### The scale study: does the paper's ordering appear as the data grow?

# %% tags=["hide-input"]
study = sdf[sdf["k"].isin(cfg.scale_study_ks)]
ch.export_table(study[list(csr.SCALE_COLUMNS) + ["lr", "params", "train_time_s", "init_time_s",
                                              "wall_time_s"]].sort_values(
                 ["k", "module_dim", "n_train", "method", "seed"]),
                "cifar_scale",
                extra={"scale_n_seeds": cfg.scale_n_seeds, "batch_size": cfg.scale_batch_size,
                    "amp": resolve_precision(cfg.scale_amp, dev), "lrs": scale_lrs})
figsc = figs.cifar_scale(study, cfg.methods, cfg.scale_study_ks, cfg.scale_module_dims, FIG3B)
glue("fig_cifar_scale", figsc, display=False)
ch.export_figure(figsc, "cifar_scale")
plt.close(figsc)

# %% [markdown]
# ```{glue:figure} fig_cifar_scale
# :name: fig-cifar-scale
# :alt: Test accuracy of the three methods against the number of training combinations on a log axis, one panel per k
#
# The scale study: test accuracy against the number of training combinations (one epoch each),
# mean ± s.e. over {glue:text}`cifar_scale_seeds` seeds, module dimension b =
# {glue:text}`cifar_scale_b`. Open markers: the modular methods with a larger module dimension
# (legend). Dashed: the paper's
# accuracy at that k ($10^6$ combinations, b = 512). Data: `paper_figures/cifar_scale.csv`.
# ```

# %% tags=["hide-input"]
order_tab = csr.ordering_table(study)
trends = csr.scale_trends(order_tab)
display(show(csr.ordering_view(order_tab, cfg.methods)).set_properties(  # numbers whole on narrow screens
    subset=["k", "b", "n", "ours - modular (points)", "ours - mono (points)"],
    **{"white-space": "nowrap"}))
glue("cifar_scale_trends", "; ".join(f"at k = {k} it {t}" for (k, b), t in trends.items()
                                     if b == b0), display=False)
n_hold = int(order_tab["paper ordering"].sum())
glue("cifar_scale_hold", f"{n_hold} of {len(order_tab)}", display=False)
# The module-dimension comparison: modular methods at scale_dim_n_train, first study k.
k_dim = cfg.scale_study_ks[0]
dim_acc = csr.dim_accuracy(study, k_dim, cfg.scale_dim_n_train)
dim_ran = len(cfg.scale_module_dims) > 1 and len(dim_acc) > 0
dim_outcome = prose.dim_outcome(k_dim, cfg.scale_dim_n_train, prose.dim_accuracies(dim_acc))
glue("cifar_dim_text", prose.dim_sentence(dim_outcome if dim_ran else None), display=False)
if dim_ran:
    for dev_id in ("cifar-architectures", "cifar-scale"):
        ch.sensitivity(dev_id, "module dimension b", dim_outcome)

# %% [markdown]
# The paper's ordering (ours > modular > monolithic) holds in {glue:text}`cifar_scale_hold`
# settings of the table. Along the number of training combinations (b = {glue:text}`cifar_scale_b`),
# {glue:text}`cifar_scale_trends` (criterion: the ordering of the mean accuracies over seeds at
# each scale, {py:func}`modscale.report.cifar_tables.ordering_trend`; the differences and their
# paired standard errors are in the table). The runs at the paper's data scale use b =
# {glue:text}`cifar_scale_b`; a larger module dimension was tried at a smaller data scale:
# {glue:text}`cifar_dim_text`.

# %% [markdown]
# (cifar-paper-dim)=
# ## At the paper's module dimension
#
# The Fig. 3b and Table 1 runs above use a module dimension of b = {glue:text}`cifar_scale_b`
# (the scale study also tries larger b); the paper states b = 512, which this section uses
# (b = {glue:text}`cifar_pd_b` at this build's profile). It first asks whether Algorithm 1 does
# on CIFAR what its name says (lower
# its kernel objective, and so find projections that read the component images), then trains the
# three methods at b = {glue:text}`cifar_pd_b` with learning rates swept there and
# {glue:text}`cifar_pd_seeds` seeds, and judges Fig. 3b, Table 1 and Fig. 12 on those runs.
#
# ### Does Algorithm 1 lower its own objective?
#
# Algorithm 1 takes Adam steps on the kernel objective of a mini-batch drawn from a pool of each
# network's training combinations. The objective is recorded on that mini-batch **and** on a fixed
# held-out batch of {glue:text}`cifar_a1_heldout` further training combinations that Algorithm 1
# never sees ({py:mod}`modscale.experiments.cifar_alg1`). Variants: the chapter's settings
# (`as_run`), a 16x larger pool with 4x larger mini-batches (`large_pool`, run at b =
# {glue:text}`cifar_b` only, for cost), early stopping on the held-out batch (`early_stop`), the
# gradient of the objective actually evaluated -- the median bandwidth is otherwise held
# constant in the gradient although it is re-estimated at every step --
# with fresh mini-batches from a large pool and a 10x smaller step (`bandwidth_grad`), and the
# joint reading with the chapter's settings and with the bandwidth gradient. Each variant runs on
# {glue:text}`cifar_a1_networks` networks at k = {glue:text}`cifar_a1_k` and K = 2k.

# %% tags=["hide-input"]
t0 = time.perf_counter()
# every variant at both b, but large_pool at the paper's b (left out for cost: see the step)
a1_runs = cifar_plan.results(data, cifar_plan.alg1(cfg, data))
t_a1 = time.perf_counter() - t0
a1 = csr.alg1_table(a1_runs)
ch.export_table(a1, "cifar_alg1_heldout",
                extra={"k": int(a1_runs[0]["spec"]["k"]), "min_drop": ca.MIN_DROP})
display(show(csr.alg1_view(a1)))
glue("cifar_a1_heldout", f"{a1_runs[0]['spec']['n_heldout']:,}", display=False)
glue("cifar_a1_networks", str(a1_runs[0]["spec"]["n_models"]), display=False)
glue("cifar_a1_k", str(a1_runs[0]["spec"]["k"]), display=False)
glue("cifar_pd_b", str(cfg.paper_dim), display=False)
glue("cifar_pd_seeds", str(cfg.paper_dim_n_seeds), display=False)

# %% tags=["hide-input"]
dims_a1 = sorted(a1["b"].unique())
fig_a1 = figs.cifar_alg1_heldout(a1_runs, dims_a1)
glue("fig_cifar_alg1", fig_a1, display=False)
ch.export_figure(fig_a1, "cifar_alg1_heldout")
plt.close(fig_a1)

# %% [markdown]
# ```{glue:figure} fig_cifar_alg1
# :name: fig-cifar-alg1
# :alt: Relative change of Algorithm 1's objective against its step, per variant, on the held-out batch (markers) and on the mini-batches (thin lines), one panel per module dimension
#
# Algorithm 1 on CIFAR: change of the per-point kernel objective from step 0, on the fixed
# held-out batch (markers) and on the step's own mini-batch (thin lines), mean over networks.
# Data: `paper_figures/cifar_alg1_heldout.csv`.
# ```

# %% tags=["hide-input"]
orc = csr.oracle_table(a1_runs)
ch.export_table(orc, "cifar_alg1_oracle")
display(show(csr.oracle_view(orc)))
chosen = ca.choose({r["spec"]["variant"]: r for r in a1_runs
                    if r["spec"]["module_dim"] == cfg.paper_dim})
by_var = {(r["spec"]["module_dim"], r["spec"]["variant"]): r for r in a1_runs}


def a1_change(b: int, variant: str) -> str:
    """The mean held-out change of ``variant`` at module dimension ``b``, as the page writes it."""
    return prose.objective_change(csr.alg1_mean_change(by_var[(b, variant)]))


pd_b, b32 = cfg.paper_dim, cfg.module_dim
glue("cifar_a1_asrun", f"{a1_change(b32, 'as_run')} at b = {b32} and "
     f"{a1_change(pd_b, 'as_run')} at b = {pd_b}", display=False)
glue("cifar_a1_pool", f"{a1_change(b32, 'large_pool')} at b = {b32}", display=False)
glue("cifar_a1_bw", f"{a1_change(b32, 'bandwidth_grad')} (b = {b32}), "
     f"{a1_change(pd_b, 'bandwidth_grad')} (b = {pd_b})", display=False)
glue("cifar_a1_joint", f"{a1_change(b32, 'joint')} and {a1_change(b32, 'joint_bandwidth_grad')} "
     f"at b = {b32}, {a1_change(pd_b, 'joint')} and {a1_change(pd_b, 'joint_bandwidth_grad')} "
     f"at b = {pd_b}", display=False)

# %% tags=["hide-input"]
share_after = a1.set_index(["b", "variant"])["share after"]
glue("cifar_a1_share", f"{share_after.min():.4f}-{share_after.max():.4f}", display=False)
glue("cifar_a1_share_uniform", f"{1 / a1_runs[0]['spec']['k']:.2f}", display=False)
orc_i = orc.set_index(["b", "reading"])["aligned - random %"]
glue("cifar_a1_oracle_literal", ", ".join(f"{orc_i[(b, 'literal')]:+.1f} % (b = {b})"
                                          for b in dims_a1), display=False)
glue("cifar_a1_oracle_joint", ", ".join(f"{orc_i[(b, 'joint')]:+.1f} % (b = {b})"
                                        for b in dims_a1), display=False)
glue_text("cifar_a1_literal_points", prose.points_at([orc_i[(b, "literal")] for b in dims_a1]))
glue_text("cifar_a1_joint_points", prose.points_at([orc_i[(b, "joint")] for b in dims_a1]))
glue_text("cifar_a1_chosen", prose.chosen_variant(chosen))
glue_text("cifar_a1_configured", cfg.paper_dim_init)
glue("cifar_a1_min_drop", f"{100 * ca.MIN_DROP:g} %", display=False)
glue("cifar_a1_time", f"{t_a1:.0f}", display=False)

# %% [markdown]
# Held-out objective of the image-aligned oracle: every module's projection restricted to the
# pixels of one component image (module j reads image j mod k), against the same random start,
# for the objective of each reading.
#
# **What the diagnosis shows.**
# - As the chapter runs it, Algorithm 1 *raises* its held-out objective:
#   {glue:text}`cifar_a1_asrun`. The mini-batch objective rises too, so this is not only
#   overfitting the pool; with a 16x larger pool and 4x larger mini-batches the held-out change
#   is {glue:text}`cifar_a1_pool`.
# - The cause is the gradient: with the median bandwidth held constant in the gradient, a step is
#   not a descent direction of the objective that is evaluated after the bandwidth is
#   re-estimated. With the bandwidth differentiated and a 10x smaller step, the held-out objective
#   falls, but barely: {glue:text}`cifar_a1_bw`. The joint reading behaves the same way:
#   {glue:text}`cifar_a1_joint` (chapter settings, then bandwidth gradient).
# - No variant changes what the projections read: the mean largest per-image share after
#   Algorithm 1 is {glue:text}`cifar_a1_share` in every run, against
#   {glue:text}`cifar_a1_share_uniform` for a projection that mixes the images evenly.
# - The objective itself: against a random start, an image-aligned projection changes the
#   literal reading's objective by {glue:text}`cifar_a1_oracle_literal` and the joint reading's
#   by {glue:text}`cifar_a1_oracle_joint` (negative: the objective prefers the aligned one). So
#   on raw CIFAR pixels the literal objective {glue:text}`cifar_a1_literal_points` the component
#   images, and the joint one {glue:text}`cifar_a1_joint_points` them.
#
# Chosen on the held-out objective alone (the literal variant with the largest fall, at least
# {glue:text}`cifar_a1_min_drop` in every network, {py:func}`modscale.experiments.cifar_alg1.choose`):
# **{glue:text}`cifar_a1_chosen`**. The paper-dimension runs' "ours" uses
# `paper_dim_init` = {glue:text}`cifar_a1_configured`. The diagnosis took
# {glue:text}`cifar_a1_time` s on this build (stored runs are drawn).

# %% tags=["hide-input"]
if chosen is not None and chosen != cfg.paper_dim_init:
    print(f"warning: the held-out objective chooses {chosen!r}, the paper-dimension runs use "
          f"{cfg.paper_dim_init!r} (parameter paper_dim_init)")

# %% [markdown]
# ### Learning rates, Fig. 3b, Table 1 and Fig. 12 at the paper's module dimension

# %% tags=["hide-input"]
t0 = time.perf_counter()
pd_sweep = cifar_plan.results(data, cifar_plan.paper_dim_sweep(cfg, data))
pd_lrs = cs.paper_dim_lrs(pd_sweep, cfg)
pd_runs = cifar_plan.results(data, cifar_plan.paper_dim(cfg, data, pd_lrs))
t_pd = time.perf_counter() - t0
pdf = csr.scale_frame(pd_runs)
if pd_sweep:
    display(show(csr.sweep_table(pd_sweep), index=True))
glue("cifar_pd_lrs", "; ".join(f"{METHOD_LABELS[m]} {lr:g}" for m, lr in pd_lrs.items()),
     display=False)
glue("cifar_pd_n", f"{cfg.paper_dim_n_train:,}", display=False)
glue("cifar_pd_ks", ", ".join(map(str, cfg.paper_dim_ks)), display=False)
glue("cifar_pd_cost_min", f"{sum(r['wall_time_s'] for r in pd_sweep + pd_runs) / 60:.0f}",
     display=False)
glue("cifar_pd_load_s", f"{t_pd:.0f}", display=False)
glue("cifar_pd_edge", prose.lowest_rate(pd_lrs, min(cfg.paper_dim_lr_grid)), display=False)
glue_text("cifar_pd_lr_differ", prose.lr_differences(scale_lrs, pd_lrs))

# %% [markdown]
# Validation accuracy of the learning-rate sweep at b = {glue:text}`cifar_pd_b` (k =
# {glue:text}`cifar_scale_sweep_k`, {glue:text}`cifar_scale_sweep_n` combinations, seed 0).
# Chosen: {glue:text}`cifar_pd_lrs`. Chosen at the lowest rate of the grid (the best rate may lie
# below it): {glue:text}`cifar_pd_edge`. The scale study's b = 512 runs above train at the rates
# chosen at b = {glue:text}`cifar_scale_b`, so where a method's rate differs its accuracy there
# is not comparable with this section's ({glue:text}`cifar_pd_lr_differ`).
# The runs below train one epoch over {glue:text}`cifar_pd_n` combinations at k =
# {glue:text}`cifar_pd_ks` with {glue:text}`cifar_pd_seeds` seeds each (seeds in chunks trained
# together); they cost {glue:text}`cifar_pd_cost_min` minutes to compute, and this build drew them
# in {glue:text}`cifar_pd_load_s` s.

# %% tags=["hide-input"]
pd_full = csr.as_accuracy_frame(pdf)
acc_pd = csr.summary(pd_full)
fig3p = figs.fig3b_paper_dim(acc_pd, FIG3B, cfg.methods, cfg.paper_dim)
glue("fig3b_paper_dim", fig3p, display=False)
ch.export_figure(fig3p, "fig3b_paper_dim")
plt.close(fig3p)
pd_ks = sorted(pd_full["k"].unique())

# %% [markdown]
# ```{glue:figure} fig3b_paper_dim
# :name: fig-cifar-fig3b-paper-dim
# :alt: Test accuracy against k of the three methods at module dimension 512, with the paper's curves dashed
#
# Fig. 3b at b = {glue:text}`cifar_pd_b`, {glue:text}`cifar_pd_n` combinations, k =
# {glue:text}`cifar_pd_ks`: mean ± s.e. over {glue:text}`cifar_pd_seeds` seeds; dashed: the
# paper's curves ($10^6$ combinations).
# ```

# %% tags=["hide-input"]
pd_tab = csr.paper_dim_summary(pdf, cfg.methods, cfg.table_k, cfg.noise_std, pd_lrs)
ch.export_table(pdf[list(csr.SCALE_COLUMNS) + [c for c in pdf.columns if c.startswith("acc_noise_")]
                 + ["lr", "params", "train_time_s", "init_time_s", "wall_time_s"]],
                "cifar_paper_dim",
                extra={"module_dim": cfg.paper_dim, "n_train": cfg.paper_dim_n_train,
                    "lrs": pd_lrs, "init_variant": cfg.paper_dim_init})
show(pd_tab)

# %% tags=["hide-input"]
fig_t1 = figs.table1_paper_dim(pd_full[pd_full["k"] == cfg.table_k], cfg.methods, cfg.noise_std,
                               TABLE1)
glue("fig_table1_paper_dim", fig_t1, display=False)
ch.export_figure(fig_t1, "table1_paper_dim")
plt.close(fig_t1)

# %% [markdown]
# Test, OOD and noisy-input accuracy (percent, mean ± s.e. over seeds) at k =
# {glue:text}`cifar_table_k`, b = {glue:text}`cifar_pd_b`, {glue:text}`cifar_pd_n` combinations;
# the last column is the paper's Fig. 3b accuracy at that k ($10^6$ combinations).
#
# ```{glue:figure} fig_table1_paper_dim
# :name: fig-cifar-table1-paper-dim
# :alt: Per-seed OOD and noisy-input accuracy of the three methods at b = 512, with the means and the paper's Table 1 values as red dashes
#
# Table 1 at b = {glue:text}`cifar_pd_b`: per-seed accuracy (dots), mean ± s.e. (circles) and
# the paper's Table 1 value (red dashes; the paper's k and data scale: $10^6$ combinations).
# ```

# %% tags=["hide-input"]
pd_slices = {r["spec"]["method"]: r for r in pd_runs
             if r["spec"].get("keep_slices") and "slice_final" in r}
if pd_slices:
    kk = cfg.table_k
    fig12p = figs.fig12_paper_dim({m: r["slice_final"] for m, r in pd_slices.items()}, kk)
    glue("fig12_paper_dim", fig12p, display=False)
    ch.export_figure(fig12p, "fig12_projection_slice_paper_dim")
    plt.close(fig12p)
    shares_pd = {m: np.concatenate([r["energy_max_final"].numpy() for r in pd_runs
                                    if r["spec"]["method"] == m and r["spec"]["k"] == kk])
                 for m in ("modular", "ours")}
    glue("cifar_pd_share", ", ".join(f"{METHOD_LABELS[m]} {v.mean():.4f}"
                                     for m, v in shares_pd.items()), display=False)

# %% [markdown]
# ```{glue:figure} fig12_paper_dim
# :name: fig-cifar-fig12-paper-dim
# :alt: Projection slices of four modules of the modular baseline and of ours at b = 512, each drawn as k images side by side
#
# Fig. 12 at b = {glue:text}`cifar_pd_b`: column 0 of the projection of the first modules of
# network 0 after training, drawn as the k component images (as in {numref}`fig-cifar-fig12`).
# Mean largest per-image share after training over all modules and seeds:
# {glue:text}`cifar_pd_share` (1/k = {glue:text}`cifar_uniform_share`).
# ```

# %% [markdown]
# ## Summary: this reproduction against the paper

# %%
wall = time.perf_counter() - t_start
glue("cifar_wall", f"{wall / 60:.1f}", display=False)
# Everything but the Fig. 3b runs (already recorded): the learning-rate sweep and the epochs study.
ch.record("lr sweep, epochs, data",
          models_trained=sum(len(r["spec"]["seeds"]) for r in ep) + len(sweep),
          wall_time_s=wall - t_main)

# %% [markdown]
# One function of `modscale.report.verdicts` per claim (unit-tested; each criterion is generated from
# the thresholds passed in below); the sentences after the table are glued from these records.

# %% tags=["hide-input"]
# Table 1 and Fig. 12 are judged on the runs at the paper's module dimension (section above),
# Fig. 3b too where they cover several k; the b = 32 runs at the paper's data scale are then their
# sensitivity.
scale_txt = f"{cfg.scale_n_train:,} combinations, b = {b0}"
pd_txt = f"{cfg.paper_dim_n_train:,} combinations, b = {cfg.paper_dim}"
pd_setting = prose.run_setting(cfg.paper_dim, cfg.paper_dim_n_train, cfg.paper_dim_n_seeds)
b32_setting = prose.run_setting(b0, cfg.scale_n_train, cfg.scale_n_seeds)
cause_init = prose.init_cause({b: orc_i[(b, "literal")] for b in dims_a1},
                              {b: orc_i[(b, "joint")] for b in dims_a1},
                              share_after.mean(), a1_runs[0]["spec"]["k"])
paper_3b = {m: FIG3B[m] for m in ("ours", "modular", "monolithic")}

# %% tags=["hide-input"]
# Fig. 3b
k_max_s = int(max(tab_s.index))
fig3b_v = verdicts.fig3b_cifar(
    {m: tab_s[METHOD_LABELS[m]].to_numpy() for m in cfg.methods}, list(tab_s.index),
    paper=paper_3b, paper_ks=FIG3B["k"], min_effect=0.01, scale=scale_txt,
    per_seed_at_k_max=csr.per_seed_at(full, "acc", k_max_s, cfg.methods))
if len(pd_ks) >= 2:  # judged at the paper's module dimension, b = 32 its sensitivity
    tab_pd = acc_pd.pivot(index="k", columns="method", values="mean")
    fig3b_pd = verdicts.fig3b_cifar(
        {m: tab_pd[m].to_numpy() for m in cfg.methods}, list(tab_pd.index),
        paper=paper_3b, paper_ks=FIG3B["k"], min_effect=0.01, scale=pd_txt,
        per_seed_at_k_max=csr.per_seed_at(pd_full, "acc", int(max(pd_ks)), cfg.methods))
    v_cifar = [fig3b_pd]
    records = [(fig3b_pd, {"setting": prose.paper_dim_fig3b_setting(
        cfg.paper_dim, cfg.paper_dim_n_train, cfg.paper_dim_n_seeds, pd_ks), "cause": cause_init}),
        (fig3b_v, {"setting": b32_setting, "of_record": False})]
else:
    v_cifar = [fig3b_v]
    records = [(fig3b_v, {"setting": prose.scale_only_fig3b_setting(
        b32_setting, cfg.paper_dim, cfg.paper_dim_ks), "cause": cause_init})]
glue_text("cifar_fig3b_where", records[0][1]["setting"])

# %% tags=["hide-input"]
# Table 1
SHORT = {label: m for m, label in METHOD_LABELS.items()}
paper_t1 = {SHORT[lab]: i for i, lab in enumerate(METHOD_LABELS.values())}
for cid, col, paper_col, noise in (
        ("table1_ood", "acc_ood", "combinatorial_ood_accuracy", None),
        ("table1_noise", f"acc_noise_{cfg.noise_std:g}", "accuracy_under_noise", cfg.noise_std)):
    paper_row = {m: TABLE1[paper_col][i] for m, i in paper_t1.items()}
    if cfg.table_k in cfg.paper_dim_ks:
        v_pd = verdicts.table1_cifar(
            cid, csr.per_seed_at(pd_full, col, cfg.table_k, cfg.methods, 100.0), paper=paper_row,
            k=cfg.table_k, noise_std=noise, min_effect=1.0, scale=pd_txt)
        v_cifar.append(v_pd)
        records.append((v_pd, {"setting": f"{pd_setting} (paper: 10⁶)", "cause": cause_init}))
    v_32 = verdicts.table1_cifar(
        cid, csr.per_seed_at(full, col, table_k_s, cfg.methods, 100.0), paper=paper_row,
        k=table_k_s, noise_std=noise, min_effect=1.0, scale=scale_txt)
    records.append((v_32, {"setting": b32_setting, "of_record": False}))
    if cfg.table_k not in cfg.paper_dim_ks:
        v_cifar.append(v_32)
        records[-1][1]["of_record"] = True

# %% tags=["hide-input"]
# Fig. 5: the drawn input is the k source images side by side, labelled with their classes.
blocks_ok = all(
    np.array_equal(img[:, 32 * i:32 * (i + 1)], data.test.x[int(ex.idx[0, i])].cpu().numpy())
    for i in range(k_show))
labels_ok = bool((data.test.y[ex.idx[0].to(data.test.y.device)].cpu()
                  == ex.labels[0].cpu()).all())
v5 = verdicts.fig5_input(img.shape, k_show, blocks_ok, labels_ok,
                         [CLASSES[int(c)] for c in ex.labels[0]])
v_cifar.append(v5)
records.append((v5, {}))

# %% tags=["hide-input"]
# Fig. 12: our projections read one image, the baseline's do not.
ours_ai = float(sel_k.get((METHOD_LABELS["ours"], "after Algorithm 1"), np.nan))
v12_32 = verdicts.fig12_selectivity(csr.final_share_per_seed(results, "ours", kt),
                                    csr.final_share_per_seed(results, "modular", kt),
                                    ours_ai, k=kt, min_effect=0.05)
pd_ours = csr.paper_dim_share(pd_runs, "ours", cfg.table_k)
if cfg.table_k in cfg.paper_dim_ks and len(pd_ours):
    ai = csr.paper_dim_share(pd_runs, "ours", cfg.table_k, "energy_max_after_init")
    v12 = verdicts.fig12_selectivity(pd_ours, csr.paper_dim_share(pd_runs, "modular", cfg.table_k),
                                     float(ai.mean()) if len(ai) else float("nan"),
                                     k=cfg.table_k, min_effect=0.05)
    v_cifar.append(v12)
    records += [(v12, {"setting": pd_setting, "cause": cause_init}),
                (v12_32, {"setting": f"b = {cfg.module_dim}, chapter runs",
                          "of_record": False})]
else:
    v_cifar.append(v12_32)
    records.append((v12_32, {"cause": cause_init}))

# %% tags=["hide-input"]
for v, how in records:
    ch.judge(v, **how)
glue_verdicts("cifar", v_cifar)
verdicts.table(v_cifar)

# %% [markdown]
# - **Fig. 3b** (**{glue:text}`cifar_fig3b_cifar_verdict`**, judged at
#   {glue:text}`cifar_fig3b_where`; {numref}`fig-cifar-fig3b-paper-dim` and
#   {numref}`fig-cifar-fig3b-scale`): accuracy drop from the smallest to the largest k and
#   accuracy at the largest k, {glue:text}`cifar_fig3b_cifar_measured` (paper:
#   {glue:text}`cifar_fig3b_cifar_paper`). At the book's scale, at the largest k ours minus each
#   method: {glue:text}`cifar_gap_monolithic` (monolithic), {glue:text}`cifar_gap_modular`
#   (modular) points (paper: {glue:text}`cifar_paper_gap_mono` and
#   {glue:text}`cifar_paper_gap_mod`).
# - **Fig. 5** (**{glue:text}`cifar_fig5_input_verdict`**): {glue:text}`cifar_fig5_input_measured`.
# - **Table 1** (judged at b = {glue:text}`cifar_pd_b`, {glue:text}`cifar_pd_n` combinations,
#   {glue:text}`cifar_pd_seeds` seeds; the b = {glue:text}`cifar_scale_b` runs at the paper's
#   data scale are its sensitivity), combinatorial OOD
#   (**{glue:text}`cifar_table1_ood_verdict`**):
#   {glue:text}`cifar_table1_ood_measured` (paper: {glue:text}`cifar_table1_ood_paper`); under
#   noise (**{glue:text}`cifar_table1_noise_verdict`**): {glue:text}`cifar_table1_noise_measured`.
# - **Fig. 12** (**{glue:text}`cifar_fig12_selectivity_verdict`**, judged at b =
#   {glue:text}`cifar_pd_b`): {glue:text}`cifar_fig12_selectivity_measured`. The paper's learned
#   module reads one image. At the chapter's b = {glue:text}`cifar_b`, the share is
#   {glue:text}`cifar_share_ours`
#   for ours and {glue:text}`cifar_share_mod` for the baseline (1/k =
#   {glue:text}`cifar_uniform_share`). Measured cause: on raw pixels Algorithm 1's literal
#   objective {glue:text}`cifar_a1_literal_points` the component images ({ref}`cifar-paper-dim`:
#   literal reading
#   {glue:text}`cifar_a1_oracle_literal`, joint {glue:text}`cifar_a1_oracle_joint` against a
#   random start). The paper's kernel, targets or preprocessing may differ from this
#   reconstruction (SPEC §8 lists them as unknown).
# - **Beyond the paper.** Unseen minus seen class permutations at k = {glue:text}`cifar_k2`:
#   {glue:text}`cifar_unseen_gap` points (monolithic, modular, ours); more epochs: table above.
# - **Scale study.** The paper's ordering holds in {glue:text}`cifar_scale_hold` settings;
#   along the data scale {glue:text}`cifar_scale_trends`.
#
# This page ran in {glue:text}`cifar_wall` minutes (profile {glue:text}`cifar_profile`).
