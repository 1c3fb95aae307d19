"""Parameters of the sine-wave regression chapter (paper Fig. 1, Fig. 2, monolithic Fig. 3a)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from modscale.infra.device import PRECISION_CHOICES

from . import ConfigError, field, register

NORMALISATIONS = ("sqrt_k", "sum", "mean", "unit_variance")
"""Copy of :data:`modscale.tasks.sine_task.NORMALISATIONS` (profiles import no torch; a test checks
that the two agree)."""

TASK_KNOBS = ("fitted", "manual")
"""``fitted``: label-noise variance, frequency scale and target variance are the argmin of the
calibration grid (``cal_*``); ``manual``: the parameters ``noise_var``, ``freq_scale`` and
``output_scale`` as given (``noise_var=0, freq_scale=1, output_scale=sqrt(3)`` is the original
noiseless task, the named variant ``clean``)."""

PRECISIONS = PRECISION_CHOICES
""":data:`modscale.infra.device.PRECISIONS` plus ``auto``: bf16 for MLPs of width >= 32 *where
this device runs bf16 matmuls faster than fp32* (:func:`modscale.infra.device.resolve_precision`),
fp32 otherwise (narrower MLPs are not matmul-bound, and a width-8 depth-7 MLP trained in bf16
diverged in the agreement check)."""

THEORY_FITS = ("omega", "c_omega")
"""``omega``: c fixed to the target variance, Omega fitted; ``c_omega``: both fitted."""


@dataclass(frozen=True)
class SineConfig:
    seed: int = field(0, help="base seed (tasks, data, initialisations)", min=0)
    n_seeds: int = field(5, help="seeds (task + data + init) per setting", min=1)
    k_seeds: int = field(5, help="seeds of the k-sweep (Fig. 2 k-panel, judged by a trend test "
                                 "against seed noise); seeds beyond n_seeds train as stacks of "
                                 "their own", min=1)
    m_values: tuple = field((2, 3, 4, 5, 6, 7, 8, 9), help="input dimensions m (Fig. 2 m axis, "
                                                             "Fig. 3a x axis)", min=1)
    k_values: tuple = field((2, 3, 4, 5, 6, 7, 8, 9), help="numbers of modules k (Fig. 2 k axis)",
                            min=1)
    m_fixed: int = field(4, help="m of the k-sweep (not reported by the paper)", min=1)
    k_fixed: int = field(4, help="k of the m-, p- and n-sweeps (not reported by the paper)",
                         min=1)
    widths: tuple = field((8, 32, 128), help="MLP hidden widths (paper: 8, 32, 128)", min=1)
    depths: tuple = field((3, 5, 7), help="MLP linear layers (paper: 3, 5, 7)", min=2)
    n_fig2: int = field(1000, help="training samples of the k-, m- and p-panels", min=2)
    n_min: int = field(100, help="smallest n of the n-grid", min=2)
    n_max: int = field(100_000, help="largest n of the n-grid", min=2)
    n_points: int = field(10, help="points of the geometric n-grid (n_fig2 is always added)",
                          min=2)
    n_panel_width: int = field(32, help="MLP width of the n-panel (p about 10^3)", min=1)
    n_panel_depth: int = field(3, help="MLP depth of the n-panel", min=2)
    n_test: int = field(10_000, help="test samples per model", min=10)
    iters: int = field(10_000, help="Adam iterations (paper: 10,000)", min=1)
    lr: float = field(0.01, help="Adam learning rate (paper: 0.01)", min=0.0)
    batch_size: int = field(256, help="mini-batch rows (paper: not reported; 0 = full batch; a "
                                      "model with n <= batch_size uses all its rows)", min=0)
    precision: str = field("auto", help="training matmul precision (bf16: autocast, fp32 "
                                        "master weights and Adam; auto: bf16 for width >= 32 "
                                        "where bf16 matmuls are faster on this device)",
                           choices=PRECISIONS)
    train_eval_rows: int = field(10_000, help="rows used to measure the final training loss "
                                              "(an i.i.d. subset when n is larger)", min=1)
    normalisation: str = field("unit_variance", help="how module outputs are combined",
                               choices=NORMALISATIONS)
    output_scale: float = field(math.sqrt(3.0), help="output scale (unit_variance: target "
                                                     "variance = output_scale^2)", min=0.0)
    b: int = field(1, help="module input dimension (bottleneck)", min=1)
    task_knobs: str = field("fitted", help="task knobs from the calibration grid (fitted) or "
                                           "from noise_var/freq_scale/output_scale (manual)",
                            choices=TASK_KNOBS)
    noise_var: float = field(0.0, help="label-noise variance on train and test targets "
                                       "(task_knobs=manual)", min=0.0)
    freq_scale: float = field(1.0, help="factor on every sine frequency: signal hardness "
                                        "(task_knobs=manual)", min=0.0)
    cal_noise_vars: tuple = field((0.4, 0.8, 1.2), help="calibration grid: label-noise "
                                                        "variances", min=0.0)
    cal_freq_scales: tuple = field((1.0, 1.5), help="calibration grid: frequency scales",
                                   min=0.0)
    cal_target_vars: tuple = field((3.0, 4.0), help="calibration grid: clean target "
                                                    "variances (output_scale^2)", min=0.0)
    sc_widths: tuple = field((8, 32, 128), help="widths whose stacks run the whole n-grid "
                                                "(Fig. 3a); the others only n_fig2", min=1)
    amplitudes: tuple = field((1.0, 0.5, 0.2), help="amplitudes of each module's sine "
                                                    "components (paper Fig. 1)", min=0.0)
    frequencies: tuple = field((1.0, 3.0, 5.0), help="frequencies of the sine components "
                                                     "(paper Fig. 1)", min=0.0)
    alt_amplitudes: tuple = field((1.0, 1.0, 1.0), help="amplitudes of the harder variant "
                                                        "(sensitivity section)", min=0.0)
    alt_frequencies: tuple = field((1.0, 3.0, 5.0), help="frequencies of the harder variant",
                                   min=0.0)
    sc_threshold: float = field(1.5, help="test loss defining sample complexity "
                                          "(paper: 1.5, from its figure's file name)", min=0.0)
    sc_thresholds: tuple = field((1.2, 1.5, 2.0, 2.5), help="thresholds of the sensitivity "
                                                            "table", min=0.0)
    sc_rule: str = field("first", help="crossing rule of the n search", choices=("first", "stay"))
    theory_kind: str = field("telescoping", help="eigenvalue model of the theory",
                             choices=("telescoping", "power_law"))
    theory_fit: str = field("omega", help="which theory constants are fitted to the m-sweep",
                            choices=THEORY_FITS)

    def validate(self) -> None:
        if self.n_min > self.n_max:
            raise ConfigError(f"parameter 'n_min': {self.n_min} must be <= n_max={self.n_max}")
        if self.n_panel_width not in self.widths:
            raise ConfigError(f"parameter 'n_panel_width': {self.n_panel_width} must be one of "
                              f"widths={self.widths}")
        if self.n_panel_depth not in self.depths:
            raise ConfigError(f"parameter 'n_panel_depth': {self.n_panel_depth} must be one of "
                              f"depths={self.depths}")
        if self.b > min(*self.m_values, self.m_fixed):
            raise ConfigError(f"parameter 'b': {self.b} must be <= every m (m_values, m_fixed)")
        if self.sc_threshold not in self.sc_thresholds:
            raise ConfigError(f"parameter 'sc_threshold': {self.sc_threshold} must be one of "
                              f"sc_thresholds={self.sc_thresholds}")
        for a, f in (("amplitudes", "frequencies"), ("alt_amplitudes", "alt_frequencies")):
            if len(getattr(self, a)) != len(getattr(self, f)):
                raise ConfigError(f"parameters {a!r} and {f!r} must have equal length, got "
                                  f"{getattr(self, a)} and {getattr(self, f)}")
        if not set(self.sc_widths) <= set(self.widths):
            raise ConfigError(f"parameter 'sc_widths': {self.sc_widths} must be a subset of "
                              f"widths={self.widths}")
        if self.n_panel_width not in self.sc_widths:
            raise ConfigError(f"parameter 'n_panel_width': {self.n_panel_width} must be one of "
                              f"sc_widths={self.sc_widths} (the n-panel needs the n-grid)")
        for name in ("cal_noise_vars", "cal_freq_scales", "cal_target_vars"):
            if len(getattr(self, name)) == 0:
                raise ConfigError(f"parameter {name!r} must not be empty")
        if min(self.cal_freq_scales) <= 0 or self.freq_scale <= 0:
            raise ConfigError("parameters 'freq_scale' and 'cal_freq_scales' must be > 0")
        if min(self.cal_target_vars) <= 0:
            raise ConfigError("parameter 'cal_target_vars' must be > 0")
        for name in ("m_values", "k_values", "widths", "depths", "sc_thresholds", "sc_widths",
                     "cal_noise_vars", "cal_freq_scales", "cal_target_vars"):
            v = getattr(self, name)
            if len(set(v)) != len(v):
                raise ConfigError(f"parameter {name!r}: {v} has duplicates")


register("sine_regression", SineConfig, {
    "smoke": {"n_seeds": 2, "k_seeds": 2, "m_values": (2, 5, 9), "k_values": (2, 4, 9),
              "widths": (8, 32),
              "depths": (3,), "n_points": 4, "n_test": 500, "iters": 150,
              "train_eval_rows": 2000, "cal_noise_vars": (0.0, 0.8), "cal_freq_scales": (1.0,),
              "cal_target_vars": (3.0,), "sc_widths": (8, 32)},
    "book": {"n_seeds": 2, "k_seeds": 5, "n_points": 7, "n_test": 2000, "sc_widths": (8, 32)},
    "paper": {},
})
