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
# (theory)=
# # The theory of monolithic generalization
#
# Section 3 of the paper {cite}`boopathy2025breaking` models how a neural network generalises
# with a linear model in the neural-tangent-kernel (NTK) limit {cite}`jacot2018ntk`. In the words of
# the authors' project page, it considers "regression tasks where outputs depend linearly on a
# large set of random features drawn from a Gaussian distribution", and studies "how a neural
# network approximates this function using a limited number of parameters (p) [...] given
# training data (n samples)". Its conclusion: the number of samples needed to generalise grows
# **exponentially** with the task's intrinsic dimension $m$.
#
# This page rebuilds that theory from scratch. It derives the expected train and test loss,
# implements them (`modscale.theory.monolithic`), checks every formula against a Monte-Carlo
# simulation of the model, draws the double descent of the test loss in $p$ and in $n$, and
# computes the number of samples required to reach a target loss as a function of $m$, next to
# the paper's "theoretical $m$ vs $n$" figure.
#
# ```{admonition} What is the paper's and what is ours
# :class: important
# The statement of the paper's Theorem 1, its normalisation and its eigenvalue law could not be
# recovered. The model, the derivation and the formulas below are a **reconstruction** that is
# consistent with what is known (the project page, reviewers' descriptions, third-party notes
# that the analysis "directly follows" {cite}`hastie2022surprises`). Only the quoted sentences
# and the digitised curves labelled *paper* are the paper's.
# ```

# %% tags=["parameters"]
profile: str = "smoke"  # profile: smoke, book or paper (every other parameter defaults to its value in this profile)
device: str = "auto"  # auto (CUDA if available, else CPU), cpu, cuda or cuda:N
seed: int = None  # seed of the Monte-Carlo simulations [smoke: 0; book: 0]
spectrum_kind: str = None  # feature spectrum tied to m [smoke: 'telescoping'; book: 'telescoping']
c: float = None  # total task variance Tr(Lambda) (loss units) [smoke: 1.0; book: 1.0]
omega: float = None  # telescoping spectrum: exponent a ＝ omega^-m [smoke: 1.5; book: 1.5]
s: float = None  # power-law spectrum: smoothness s in lam_i ~ i^-(1+2s/m) [smoke: 1.0; book: 1.0]
d: int = None  # number of outputs (N ＝ d n equations) [smoke: 1; book: 1]
method: str = None  # overparameterised formula [smoke: 'auto'; book: 'auto']
target_ratio: float = None  # required-n target loss, in units of d*c (1 ＝ the loss of the zero predictor) [smoke: 1.0; book: 1.0]
branch: str = None  # where required n is searched [smoke: 'underparameterised'; book: 'underparameterised']
mc_trials: int = None  # Monte-Carlo trials per grid point [smoke: 40; book: 1000]
mc_features: int = None  # explicit task features in the simulation (the spectrum's remaining variance is added as noise) [smoke: 160; book: 400]
mc_m: float = None  # task dimension m of the validation spectra [smoke: 3.0; book: 3.0]
mc_n: tuple = None  # sample counts n of the validation grid [smoke: (24,); book: (25, 60)]
mc_p: tuple = None  # parameter counts p of the validation grid [smoke: (8, 40, 80); book: (10, 40, 100, 200)]
mc_d: tuple = None  # output counts d of the validation grid [smoke: (1, 2); book: (1, 2)]
mc_spectra: tuple = None  # spectra of the validation grid [smoke: ('telescoping', 'power_law', 'isotropic'); book: ('telescoping', 'power_law', 'isotropic')]
dd_small_n: int = None  # n of the small-scale p-sweep [smoke: 40; book: 40]
dd_small_p: int = None  # p of the small-scale n-sweep [smoke: 40; book: 40]
dd_small_points: int = None  # Monte-Carlo points per small-scale sweep [smoke: 6; book: 14]
dd_paper_n: int = None  # n of the paper-scale p-sweep [smoke: 1000; book: 1000]
dd_paper_p: int = None  # p of the paper-scale n-sweep [smoke: 1000; book: 1000]
dd_m: tuple = None  # task dimensions of the double-descent curves [smoke: (2.0, 5.0, 9.0); book: (2.0, 5.0, 9.0)]
curve_points: int = None  # points of each theory curve [smoke: 60; book: 200]
m_values: tuple = None  # task dimensions m [smoke: (2, 3, 4, 5, 6, 7, 8, 9); book: (2, 3, 4, 5, 6, 7, 8, 9)]
widths: tuple = None  # MLP widths giving p [smoke: (8, 32, 128); book: (8, 32, 128)]
depths: tuple = None  # MLP depths (linear layers) giving p [smoke: (3, 5, 7); book: (3, 5, 7)]
calib_omegas: tuple = None  # omega grid of the calibration table [smoke: (1.4, 1.5, 1.6); book: (1.3, 1.4, 1.45, 1.5, 1.55, 1.6, 1.7)]
calib_ratios: tuple = None  # target-ratio grid of the calibration table [smoke: (0.95, 1.0, 1.05); book: (0.9, 0.95, 1.0, 1.02, 1.05, 1.1, 1.2)]

# %%
# Validate the parameters before any heavy import or computation: a misspelled or unknown
# name, or a bad value, fails here with a message listing the valid ones.
from modscale.report.chapter import chapter

ch = chapter("theory", globals())  # validates, publishes, device, style, seed
cfg = ch.cfg

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from modscale import paper_data
from modscale.experiments import theory_checks as tc
from modscale.infra.cache import cached, cached_map
from modscale.infra.profiles import config_dict
from modscale.report import verdicts
from modscale.report.figures import theory as figs
from modscale.report.notebook import glue, glue_verdicts, show
from modscale.report.prose import theory as prose
from modscale.theory.monolithic import architecture_param_counts, spectrum_tail

t_start = time.perf_counter()
spec_kw = {"kind": cfg.spectrum_kind, "c": cfg.c, "omega": cfg.omega, "s": cfg.s}
glue("th_profile", profile, display=False)
glue("th_omega", cfg.omega, display=False)
glue("th_c", cfg.c, display=False)
glue("th_kind", cfg.spectrum_kind, display=False)
glue("th_target_ratio", cfg.target_ratio, display=False)

# %% [markdown]
# ## The model
#
# **Task.** An input $x$ is mapped to $d$ outputs through $P$ random features,
#
# $$
# y(x) = \phi(x)^\top w, \qquad \phi(x) \in \mathbb{R}^{P\times d},\quad w \sim \mathcal N(0, I_P),
# $$ (theory-task)
#
# where the $d$ columns of $\phi(x)$ are independent $\mathcal N(0, \Lambda)$ vectors with
# $\Lambda = \operatorname{diag}(\lambda_1 \ge \lambda_2 \ge \dots)$. The feature *matrix* (one
# column per output) is what a network's per-input Jacobian looks like in the NTK picture, which
# is how reviewers describe the paper's formulation.
#
# **Network.** A network with $p$ parameters, linearised around its initialisation, is a linear
# model $\hat y(x) = \hat\phi(x)^\top \theta$ in $p$ features. We let it see the $p$ leading task
# features: $\Lambda = \operatorname{blockdiag}(\Lambda_1, \Lambda_2)$ with $\Lambda_1$ the
# $p\times p$ block it can represent and $\Lambda_2$ the rest, which it cannot.
#
# **Training.** The $n$ training samples give $N = dn$ scalar equations, stacked into a design
# matrix $\Phi_1 \in \mathbb R^{N\times p}$ (rows i.i.d. $\mathcal N(0,\Lambda_1)$) and targets
# $Y = \Phi_1 w_1 + \varepsilon$, where $\varepsilon = \Phi_2 w_2$ collects the unrepresentable
# part. Gradient descent from zero on the squared loss converges to the minimum-norm solution
# $\hat\theta = \Phi_1^{+} Y$. Losses are summed over the $d$ outputs and averaged over samples;
# the test loss is the population loss on fresh inputs.
#
# ### Derivation
#
# Given $w_2$, the rows of $\varepsilon$ are independent of $\Phi_1$ (the blocks of $\Lambda$ are
# independent) and i.i.d. $\mathcal N(0, \sigma^2)$ with $\sigma^2 = w_2^\top\Lambda_2 w_2$, whose
# mean is $\operatorname{Tr}\Lambda_2$: **the features the network cannot represent act as label
# noise.** For a fresh input the error of each output is $\phi_1^\top(w_1-\hat\theta) +
# \phi_2^\top w_2$, so
#
# $$
# \begin{aligned}
# \mathcal L_\text{test} &= d\,\big[\sigma^2 + (\hat\theta - w_1)^\top \Lambda_1 (\hat\theta - w_1)\big],\\
# \mathcal L_\text{train} &= \tfrac1n \lVert (I - \Phi_1\Phi_1^{+}) Y\rVert^2 .
# \end{aligned}
# $$
#
# *Underparameterised* ($N > p$): $\hat\theta = w_1 + \Phi_1^{+}\varepsilon$, the residual is the
# noise projected on the $N-p$ dimensional complement of the column space, and writing
# $\Phi_1 = R\Lambda_1^{1/2}$ with $R$ standard Gaussian,
# $\mathbb E[(\hat\theta-w_1)^\top\Lambda_1(\hat\theta-w_1)] = \sigma^2\,\mathbb E\operatorname{Tr}
# (R^\top R)^{-1}$ - the spectrum $\Lambda_1$ cancels. With the inverse-Wishart mean,
#
# $$
# \begin{aligned}
# \mathbb E\,\mathcal L_\text{train} &= d\operatorname{Tr}(\Lambda_2)\Big(1-\frac{p}{N}\Big),\\
# \mathbb E\,\mathcal L_\text{test} &= d\operatorname{Tr}(\Lambda_2)\big(1+F(N,p)\big),\\
# F(N,p) &= \mathbb E\lVert R^+\rVert_F^2 = \frac{p}{N-p-1}.
# \end{aligned}
# $$ (theory-under)
#
# *Overparameterised* ($N < p$): the fit interpolates ($\mathcal L_\text{train}=0$) and
# $\hat\theta - w_1 = -(I-\Pi)w_1 + \Phi_1^{+}\varepsilon$ with $\Pi$ the projection on the row
# space of $\Phi_1$. Averaging over $w_1$ gives a **bias** (the part of the task the data have not
# pinned down) and a **variance** (the noise fitted exactly):
#
# $$
# \begin{aligned}
# \mathbb E\,\mathcal L_\text{test} &= d\Big[\operatorname{Tr}\Lambda_2\,(1 + V) + B\Big],\\
# B &= \operatorname{Tr}\Lambda_1 - \mathbb E\operatorname{Tr}\big[(R\Lambda_1R^\top)^{-1}R\Lambda_1^2R^\top\big],\\
# V &= \mathbb E\operatorname{Tr}\big[\Lambda_1\,\Phi_1^{+}\Phi_1^{+\top}\big].
# \end{aligned}
# $$ (theory-over)
#
# For an isotropic $\Lambda_1 = \lambda I$ both are exact: $\Pi$ is a uniformly random rank-$N$
# projection, so $B = \operatorname{Tr}\Lambda_1 (1-N/p)$, and $V = F(N,p) = N/(p-N-1)$. For any
# other spectrum we use the **deterministic equivalent** of ridgeless least squares
# {cite}`hastie2022surprises`: with $\kappa>0$ solving
# $\sum_i \lambda_i/(\lambda_i+\kappa) = N$ and
# $\gamma = \frac1N\sum_i \lambda_i^2/(\lambda_i+\kappa)^2$,
#
# $$
# B \approx \frac{\kappa^2}{1-\gamma}\sum_{i\le p} \frac{\lambda_i}{(\lambda_i+\kappa)^2},
# \qquad V \approx \frac{\gamma}{1-\gamma}.
# $$ (theory-det)
#
# It reproduces the isotropic bias exactly and the isotropic variance as $N/(p-N)$ instead of
# $N/(p-N-1)$, an asymptotic (large $N$, $p$) approximation. At $|p-N|\le 1$ the expected test
# loss is infinite: the interpolation peak of double descent {cite}`belkin2019reconciling`.
#
# ```{admonition} Which formula is exact
# :class: note
# | case | train | test |
# |---|---|---|
# | $N \ge p+2$ (underparameterised) | exact | exact, any spectrum: eq. {eq}`theory-under` |
# | $p \ge N+2$, isotropic $\Lambda_1$ | exact ($=0$) | exact |
# | $p \ge N+2$, other spectra | exact ($=0$) | deterministic equivalent, eq. {eq}`theory-det` |
#
# `expected_losses(..., method="auto")` uses the exact form where one exists and the
# deterministic equivalent otherwise; `loss_components` also returns a flag `exact` per value.
# ```

# %% [markdown]
# ## A spectrum tied to the task dimension
#
# The dimension $m$ enters only through the eigenvalues $\lambda_i$. Third-party notes on the
# paper give a "telescoping" law, which we adopt by default:
#
# $$
# \begin{aligned}
# \lambda_i &= c\,\big[i^{-\alpha} - (i+1)^{-\alpha}\big],\quad \alpha = \Omega^{-m},\\
# \operatorname{Tr}\Lambda &= c,\qquad
# \operatorname{Tr}\Lambda_2 = \sum_{i>p}\lambda_i = c\,(p+1)^{-\alpha}.
# \end{aligned}
# $$ (theory-telescoping)
#
# A larger $m$ flattens the spectrum, so a model with $p$ features leaves more variance
# unexplained. As an alternative (`spectrum_kind="power_law"`) we provide the classical kernel
# spectrum of a function of smoothness $s$ on an $m$-dimensional manifold,
# $\lambda_i = c\, i^{-(1+2s/m)}/\zeta(1+2s/m)$, for which $\operatorname{Tr}\Lambda_2 \sim
# p^{-2s/m}$: the textbook curse of dimensionality
# {cite}`mcrae2020sample,sharma2022scaling,bahri2021explaining`.
#
# ```{deviation} theory-spectrum
# ```

# %%
fig = figs.theory_spectra(
    figs.spectrum_curves((2, 5, 9), c=cfg.c, omega=cfg.omega, s=cfg.s), c=cfg.c)
glue("fig_theory_spectra", fig, display=False)
plt.close(fig)

# %% [markdown]
# ```{glue:figure} fig_theory_spectra
# :name: fig-theory-spectra
# :alt: Eigenvalue spectra of the task for m = 2, 5 and 9 under the telescoping and power-law laws
# The two spectra for $m = 2, 5, 9$ (solid: telescoping, dashed: power law). Right: the
# variance left outside the top $p$ features, $\operatorname{Tr}\Lambda_2$, which is the
# large-$n$ limit of both the train and the test loss (per output).
# ```

# %% [markdown]
# ## Formulas against simulation
#
# The simulator (`modscale.theory.monolithic.monte_carlo_losses`) draws, for each of
# `mc_trials` independent trials, a task $w$, an $N\times P$ feature matrix and the targets,
# fits $\hat\theta = \Phi_1^{+}Y$ in float64 (all trials batched in one `torch.linalg.pinv`
# call per chunk), and records the train loss and the exact population test loss given
# $(\hat\theta, w)$. We compare over a grid of sample counts $n$, parameter counts $p$, output
# counts $d$ and three spectra (telescoping and power law at $m$ = `mc_m`, and an isotropic one
# on which every formula is exact), keeping $|p - N| \ge 5$: the loss has a finite variance
# only for $|p - N| > 3$ (like the trace of an inverse Wishart matrix), so closer to the peak a
# Monte-Carlo mean is not a reliable reference.

# %%
t0 = time.perf_counter()
mc_table = pd.DataFrame(cached_map("theory_mc_validation", tc.mc_cases(config_dict(cfg)),
                                   tc.run_mc_case))
mc_wall = time.perf_counter() - t0
mc = tc.mc_summary(mc_table)
exact_rows, det_rows = mc["exact_rows"], mc["det_rows"]
max_rel_exact, max_z_exact, max_rel_det = mc["max_rel_exact"], mc["max_z_exact"], mc["max_rel_det"]
glue("th_n_cases", len(mc_table), display=False)
glue("th_max_rel_exact", f"{100 * max_rel_exact:.2f} %", display=False)
glue("th_max_z_exact", f"{max_z_exact:.1f}", display=False)
glue("th_max_rel_det", f"{100 * max_rel_det:.1f} %", display=False)
glue("th_max_rel_train", f"{100 * mc['max_rel_train']:.2f} %", display=False)
glue("th_n_det", len(det_rows), display=False)
glue("th_det_below", mc["det_below"], display=False)
glue("th_det_phrase", prose.det_phrase(mc["max_z_det"]), display=False)
glue("th_mc_trials", cfg.mc_trials, display=False)
mc_view = mc_table[["spectrum", "d", "n", "p", "regime", "formula", "test_formula", "test_mc",
                    "test_se", "rel_err_test", "z_test", "train_formula", "train_mc"]]
ch.export_table(mc_view, "theory_mc_relative_errors",
                wall_time_s=mc_wall, extra={"config": config_dict(cfg)})
figs.mc_error_table(mc_view)  # shown narrower than exported; the standard error is in z

# %%
# NBVAL_CHECK_OUTPUT
# Robust facts: exact formulas agree with simulation within 4 standard errors everywhere.
print("exact formulas within 4 SE:", bool(max_z_exact < 4.0))
print("deterministic equivalent within 10 %:", bool(len(det_rows) == 0 or max_rel_det < 0.10))

# %% [markdown]
# Over the {glue:text}`th_n_cases` grid points ({glue:text}`th_mc_trials` trials each), the
# **exact** formulas differ from the simulated means by at most
# {glue:text}`th_max_rel_exact` (relative), never more than {glue:text}`th_max_z_exact`
# standard errors; the train-loss formula differs by at most {glue:text}`th_max_rel_train`
# (relative, on small losses; within the same standard-error bound). The **deterministic
# equivalent** (overparameterised, anisotropic spectra) is off by up to
# {glue:text}`th_max_rel_det`, and it lies *below* the simulated mean in
# {glue:text}`th_det_below` of its {glue:text}`th_n_det` cases, {glue:text}`th_det_phrase`. The
# equivalent is asymptotic: in the isotropic case it gives $N/(p-N)$ for the exact
# $N/(p-N-1)$, an error that shrinks as $N$ and $p$ grow.

# %% [markdown]
# ## Double descent
#
# The paper's Fig. 2 (lower panels) shows the predicted test loss diverging at the
# interpolation threshold, both as the parameter count $p$ and as the sample count $n$ grows,
# with the measured loss of trained networks showing a smaller spike (a discrepancy the authors
# acknowledge, SPEC §9). The curves below are the theory; the upper row adds Monte-Carlo points at
# a small scale, the lower row shows the paper's scale ($n$ or $p$ = 1000, $d$ =
# {glue:text}`th_d`) for several task dimensions.

# %%
glue("th_d", cfg.d, display=False)
P_mc, p_pts, n_pts = tc.dd_mc_points(config_dict(cfg))
mc_p = cached_map("theory_dd_mc_p", [{"n": cfg.dd_small_n, "p": p, "P": P_mc,
                                      **config_dict(cfg)} for p in p_pts], tc.run_dd_mc)
mc_n = cached_map("theory_dd_mc_n", [{"n": n, "p": cfg.dd_small_p, "P": P_mc,
                                      **config_dict(cfg)} for n in n_pts], tc.run_dd_mc)
small = tc.small_scale_theory(config_dict(cfg), P_mc)

big_key = {**config_dict(cfg), "what": "dd"}
big = cached("theory_dd_paper_scale", big_key, lambda: tc.run_paper_scale(big_key))

# %%
fig = figs.fig2_theory_double_descent(
    small, p_pts, mc_p, n_pts, mc_n, big, cfg.dd_m, d=cfg.d, c=cfg.c, mc_m=cfg.mc_m,
    small_n=cfg.dd_small_n, small_p=cfg.dd_small_p, paper_n=cfg.dd_paper_n,
    paper_p=cfg.dd_paper_p, paper_peak_p=paper_data.FIG2_P["predicted_peak_p_range"],
    paper_peak_n=paper_data.FIG2_N["predicted_peak_n"])
ch.export_figure(fig, "fig2_theory_double_descent",
                 extra={"config": config_dict(cfg)})
glue("fig_theory_double_descent", fig, display=False)
plt.close(fig)
dd_gap, dd_labels = tc.small_scale_gaps(config_dict(cfg), small, p_pts, n_pts, mc_p, mc_n)
glue("th_dd_max_rel", f"{100 * dd_gap.max():.1f} %", display=False)
glue("th_dd_worst", dd_labels[int(np.argmax(dd_gap))], display=False)
b_last = big[max(cfg.dd_m)]
glue("th_dd_large_n", f"{b_last['test_n'][-1]:.3f}", display=False)
glue("th_dd_large_n_limit",
     f"{cfg.d * spectrum_tail(cfg.dd_paper_p, max(cfg.dd_m), **spec_kw):.3f}", display=False)

# %% [markdown]
# ```{glue:figure} fig_theory_double_descent
# :name: fig-theory-double-descent
# :alt: Expected test and train loss of the linear model against p and against n, showing double descent at the interpolation threshold
# Double descent of the expected test loss (solid) and the train loss (dashed / squares). Top:
# theory curves with Monte-Carlo means (±2 standard errors) at a small scale; the largest
# relative gap between the test-loss formula and simulation here is {glue:text}`th_dd_max_rel`
# (at {glue:text}`th_dd_worst`; next to the peak the Monte-Carlo variance is large and, on the
# overparameterised side, the deterministic equivalent least accurate).
# Bottom: the paper's scale, for task dimensions $m$ in `dd_m` (colour); the shaded band and
# line mark where the paper's predicted curves peak (digitised, Fig. 2). Reconstruction of the
# lower panels of the paper's Fig. 2 (theory only; the sine-wave chapter compares with trained
# networks).
# ```
#
# The peak sits at the interpolation threshold $p = dn$. Beyond it (left panels, large $p$),
# the test loss falls back to a plateau set by the bias of the interpolating fit; for large $n$
# (right panels), train and test loss meet at $d\operatorname{Tr}\Lambda_2$
# (here {glue:text}`th_dd_large_n` at $n = 10^5$ for the largest $m$, limit
# {glue:text}`th_dd_large_n_limit`), as in the paper's Fig. 2 where both converge. A larger $m$
# raises the whole curve: the same $p$ leaves more variance unexplained.

# %% [markdown]
# ## Sample complexity against task dimension
#
# **Required $n$.** For a target loss $\varepsilon$ we define the required number of samples
# as the smallest $n$ *beyond the interpolation peak* ($dn \ge p + 2$) whose expected test loss
# is at most $\varepsilon$. There the loss {eq}`theory-under` decreases monotonically in $n$,
# so the answer is a closed form: with $r = \varepsilon/(d\operatorname{Tr}\Lambda_2)$,
#
# $$
# n^\star = \frac{1}{d}\Big(p + 1 + \frac{p}{r-1}\Big) \quad (r > 1),
# \qquad n^\star = \infty \quad (r \le 1).
# $$ (theory-nstar)
#
# (`required_n(..., branch="any")` instead scans the overparameterised side on a log grid,
# `grid_points` values, refined by bisection, and returns the first crossing; see the note below.)
# The target is a multiple of the loss of the zero predictor, $\varepsilon$ =
# `target_ratio` $\times\, d c$, here {glue:text}`th_target_ratio` $\times\,dc$: "learn the task
# at least as well as predicting nothing, beyond the peak".
#
# **Parameter counts.** Following the paper's "theoretical $m$ vs $n$" figure, whose nine curves
# come in three groups of three evenly spaced in $n$ (SPEC §2.2), each curve is one MLP of the
# sine-wave experiments, widths {8, 32, 128} × depths {3, 5, 7}, with $p$ its parameter count for
# input dimension $m$ (`modscale.models.batched_mlp.mlp_param_count`).

# %%
archs, p_grid = architecture_param_counts(cfg.m_values, cfg.widths, cfg.depths)
sc_key = {**config_dict(cfg), "what": "m_vs_n"}
t0 = time.perf_counter()
n_req = cached("theory_m_vs_n", sc_key, lambda: tc.run_m_vs_n(sc_key))
alt_kind = "power_law" if cfg.spectrum_kind == "telescoping" else "telescoping"
alt_key = {**sc_key, "kind": alt_kind}
n_req_alt = cached("theory_m_vs_n", alt_key, lambda: tc.run_m_vs_n(alt_key))
sc_wall = time.perf_counter() - t0

paper_m = np.asarray(paper_data.THEORY_M_VS_N_M)
paper_log = np.asarray(paper_data.THEORY_M_VS_N_LOG10N)
fig = figs.theory_m_vs_n(cfg.m_values, [(n_req, cfg.spectrum_kind), (n_req_alt, alt_kind)],
                         archs, paper_m, paper_log, paper_kind=cfg.spectrum_kind)
ch.export_figure(fig, "theory_m_vs_n", wall_time_s=sc_wall,
                 extra={"config": config_dict(cfg)})
glue("fig_theory_m_vs_n", fig, display=False)
plt.close(fig)

cmp_df, rmse = tc.m_vs_n_comparison(archs, cfg.m_values, n_req, paper_m, paper_log)  # by rank
glue("th_rmse_decades", f"{rmse:.3f}", display=False)
ratio_m2 = n_req[:, 0] / p_grid[:, 0]
paper_ratio_m2 = 10 ** paper_log[:, 0] / p_grid[:, 0] if cfg.m_values[0] == 2 else ratio_m2
glue("th_ratio_m2", f"{ratio_m2.min():.2f}-{ratio_m2.max():.2f}", display=False)
glue("th_paper_ratio_m2", f"{paper_ratio_m2.min():.2f}-{paper_ratio_m2.max():.2f}",
     display=False)
ch.export_table(cmp_df, "theory_m_vs_n_vs_paper")
show(cmp_df)

# %% [markdown]
# ```{glue:figure} fig_theory_m_vs_n
# :name: fig-theory-m-vs-n
# :alt: Required number of samples against task dimension m for nine MLP sizes, with the paper's digitised values
# Required samples $n^\star$ (eq. {eq}`theory-nstar`) against the task dimension $m$, one dashed
# curve per MLP (width × depth, $p$ = its parameter count at input dimension $m$), target
# $\varepsilon = $ `target_ratio` $\cdot\,dc$. Left: the default spectrum, with the paper's
# digitised curves (red dots, at $m$ = 2, 5, 9); right: the alternative spectrum. Reconstruction
# of the paper's "theoretical m vs n" figure.
# ```
#
# With the default constants the reconstruction lands within {glue:text}`th_rmse_decades`
# decades (root-mean-square over the 27 digitised values, table above) of the paper's figure. The
# curves are ordered, spaced and bent like the paper's: at the smallest $m$ the required $n$ is
# close to $p$ and it rises convexly in $\log n$ as $m$ grows. One visible difference: at $m = 2$
# our $n^\star/p$ is {glue:text}`th_ratio_m2` (just past the interpolation threshold, as the
# definition requires), while the paper's digitised values give {glue:text}`th_paper_ratio_m2`
# for the same parameter counts, i.e. slightly *below* the threshold - so the paper's definition
# of required $n$ (or its $p$) differs from ours in a way we could not pin down.
# The power-law alternative grows far more slowly at these sizes: it is the telescoping law
# that produces the paper's shape.
#
# ```{deviation} theory-target
# ```

# %%
calib_key = {**config_dict(cfg), "what": "calib"}
calib = (pd.DataFrame(cached("theory_calibration", calib_key,
                             lambda: tc.run_calibration(calib_key)))
         if set(paper_m) <= set(cfg.m_values) else pd.DataFrame())
best = calib.loc[calib.rmse_decades.idxmin()] if len(calib) else None
if best is not None:
    glue("th_best_omega", f"{best.omega:g}", display=False)
    glue("th_best_ratio", f"{best.target_ratio:g}", display=False)
    glue("th_best_rmse", f"{best.rmse_decades:.3f}", display=False)
    at_default = calib[(calib.omega == cfg.omega) & (calib.target_ratio == cfg.target_ratio)]
    ch.sensitivity("theory-target", "Omega x target-ratio grid", prose.calibration_outcome(
        best.rmse_decades, best.omega, best.target_ratio, omega=cfg.omega,
        ratio=cfg.target_ratio,
        default_rmse=at_default.rmse_decades.iloc[0] if len(at_default) else None))
figs.calibration_table(calib)

# %% [markdown]
# (Blank cells: the target is unreachable for some model at some $m$, i.e. it lies below the
# loss floor $d\operatorname{Tr}\Lambda_2$.) On this grid the smallest error, {glue:text}`th_best_rmse` decades, is at
# $\Omega$ = {glue:text}`th_best_omega` and target ratio {glue:text}`th_best_ratio`.

# %% [markdown]
# ## Exponential growth with the dimension
#
# Why the growth is exponential follows from {eq}`theory-nstar` and {eq}`theory-telescoping`. With
# $\varepsilon = dc$, $r - 1 = (p+1)^{\alpha} - 1 \approx \alpha \ln(p+1)$ once $\alpha = \Omega^{-m}$
# is small, so
#
# $$
# n^\star \approx \frac{p}{d}\Big(1 + \frac{\Omega^{m}}{\ln(p+1)}\Big):
# $$
#
# at fixed $p$ the required $n$ grows by a factor approaching $\Omega$ per added dimension, and
# more slowly for larger models (the $\ln(p+1)$). The table gives the per-dimension growth factor
# $n^\star(m+1)/n^\star(m)$ of every curve at $m = 8\to 9$ and the factor of a log-linear fit over
# $m = 5\dots 9$, next to the paper's, computed from its digitised values.

# %%
growth = tc.growth_table(n_req, archs, cfg.m_values, paper_log)
g89 = growth["ours 8→9"] if "ours 8→9" in growth else pd.Series([np.nan])
glue("th_growth_89_lo", f"{g89.min():.2f}", display=False)
glue("th_growth_89_hi", f"{g89.max():.2f}", display=False)
glue("th_growth_paper", f"{growth['paper 5→9 (per dim)'].mean():.2f}", display=False)
glue("th_growth_fit", f"{growth.get('ours fit m=5..9', pd.Series([np.nan])).mean():.2f}",
     display=False)
ch.export_table(growth, "theory_growth_per_dimension")
show(growth)

# %%
# NBVAL_CHECK_OUTPUT
# Robust facts about the sample-complexity curves.
print("required n increases with m on every curve:", bool(np.all(np.diff(n_req, axis=1) > 0)))
print("curves ordered by parameter count:", bool(np.all(np.diff(n_req, axis=0) > 0)))

# %% [markdown]
# The theory's growth factor at $m = 8\to 9$ is {glue:text}`th_growth_89_lo`-
# {glue:text}`th_growth_89_hi` per dimension across the nine models (log-linear fit over
# $m=5\dots9$: {glue:text}`th_growth_fit` on average), against about
# {glue:text}`th_growth_paper` in the paper's figure (SPEC quotes ≈1.35 at $m=8\to9$): the
# sample complexity grows exponentially with $m$, with a rate set by $\Omega$.
#
# ## Summary and differences from the paper
#
# - The expected losses of the reconstructed model are exact closed forms in the
#   underparameterised case and for isotropic spectra; elsewhere we use the ridgeless
#   deterministic equivalent {cite}`hastie2022surprises`, whose finite-size error we measured
#   (up to {glue:text}`th_max_rel_det` at the sizes checked). Whether the paper's Theorem 1 has
#   the same bias term could not be checked.
# - Theorem 1 (closed forms against Monte Carlo): **{glue:text}`th_theorem1_verdict`**
#   ({glue:text}`th_theorem1_measured`).
# - Fig. 2 (theory curves: double descent and large-$n$ convergence):
#   **{glue:text}`th_theory_double_descent_verdict`** ({glue:text}`th_theory_double_descent_measured`;
#   paper: {glue:text}`th_theory_double_descent_paper`). Absolute loss values depend on $c$, which
#   the sine-wave chapter fits to trained networks.
# - The "theoretical $m$ vs $n$" figure: **{glue:text}`th_theory_m_vs_n_verdict`**
#   ({glue:text}`th_theory_m_vs_n_measured`; paper: {glue:text}`th_theory_m_vs_n_paper`), with two
#   constants ($\Omega$, target) chosen in the low-error region of the calibration table; these
#   constants were not recovered from the paper.
#
# The modular counterpart of this analysis is in {ref}`modular-theory`.

# %% [markdown]
# ## Verdicts
#
# One function of `modscale.report.verdicts` per claim (unit-tested; each criterion is generated from the
# thresholds passed in below). The summary above is glued from these records.

# %% tags=["hide-input"]
dd_curves = [{"p": big[m]["p"], "test_p": big[m]["test_p"], "n": big[m]["n"],
              "test_n": big[m]["test_n"], "train_n": big[m]["train_n"]} for m in cfg.dd_m]
p2, n2 = paper_data.FIG2_P, paper_data.FIG2_N
paper_gap = (n2["predicted_test_large_n"] - n2["train_large_n"]) / n2["predicted_test_large_n"]
v_theory = [
    verdicts.theorem1_closed_form(max_z_exact, max_rel_exact, len(exact_rows), max_rel_det,
                                  len(det_rows), max_z=4.0, max_rel_det_allowed=0.10),
    verdicts.theory_double_descent(
        dd_curves, p_threshold=cfg.d * cfg.dd_paper_n, n_threshold=cfg.dd_paper_p / cfg.d,
        n_of_p_sweep=cfg.dd_paper_n, p_of_n_sweep=cfg.dd_paper_p, factor=2.0, max_gap=0.05,
        paper=f"predicted peak at p ≈ {p2['predicted_peak_p_range'][0]:.0f}-"
              f"{p2['predicted_peak_p_range'][1]:.0f}, n ≈ {n2['predicted_peak_n']:.0f}; at "
              f"large n test {n2['predicted_test_large_n']} vs train {n2['train_large_n']} "
              f"({100 * paper_gap:.0f} % gap)"),
    verdicts.theory_m_vs_n(cfg.m_values, n_req, paper_log, rmse_decades=rmse,
                           paper_m=(2, 5, 9), rate_band=(2 / 3, 1.5)),
]
for v in v_theory:
    ch.judge(v)
glue_verdicts("th", v_theory)
verdicts.table(v_theory)

# %%
glue("th_wall", f"{time.perf_counter() - t_start:.0f} s", display=False)
print(f"profile {profile}: page computed in {time.perf_counter() - t_start:.1f} s")
