"""Parameters of the chapter "Algorithm 1 under the microscope" (readings and diagnostics)."""

from __future__ import annotations

from dataclasses import dataclass

from modscale.methods import BASELINES, OURS
from modscale.methods import READINGS as _READINGS

from . import ConfigError, field, register

_SC_METHODS = (*BASELINES, *OURS)


@dataclass(frozen=True)
class Algorithm1Params:
    seed: int = field(0, help="seed of the random initial projections and mini-batches", min=0)
    n_tasks: int = field(6, help="task seeds (one network per task seed)", min=1, max=64)
    k: int = field(4, help="modules of the sine task", min=1, max=32)
    n: int = field(1000, help="training points per task", min=16)
    m_values: tuple = field((5, 9, 15), help="input dimensions m of the readings table",
                            min=2, max=64)
    modules_factors: tuple = field((1, 2), help="network modules K = factor * k of the "
                                   "readings table", min=1, max=8)
    readings: tuple = field(_READINGS, help="readings of 'repeat K times' compared",
                            choices=_READINGS)
    init_steps: int = field(200, help="Adam steps per projection (greedy: per module)", min=1)
    init_batch_size: int = field(256, help="kernel mini-batch size", min=4, max=4096)
    init_lr: float = field(0.05, help="Adam learning rate of Algorithm 1", min=1e-6, max=10.0)
    init_ridge: float = field(0.1, help="ridge, relative to the mean kernel diagonal", min=0.0)
    record_every: int = field(10, help="steps between recorded objectives and similarities",
                              min=1)
    stay_m: int = field(9, help="input dimension of the stay test", min=2, max=64)
    stay_steps: int = field(200, help="steps of the stay test", min=1)
    lr_grid: tuple = field((0.005, 0.05, 0.2), help="learning rates of the literal reading's "
                           "sensitivity table", min=1e-6, max=10.0)
    batch_grid: tuple = field((64, 256, 1000), help="mini-batch sizes of the sensitivity table",
                              min=4, max=4096)
    ridge_grid: tuple = field((0.01, 0.1, 1.0), help="ridges of the sensitivity table", min=0.0)
    kernels: tuple = field(("rbf", "laplace"), help="kernels compared for the best reading",
                           choices=("rbf", "laplace", "relu_ntk"))
    b_check: int = field(2, help="module input dimension b of the best reading's b > 1 check",
                         min=1, max=4)
    traj_m: int = field(15, help="input dimension of the early-stopping trajectory (the "
                        "modular chapter's Fig. 4 setting)", min=2, max=64)
    traj_k: int = field(10, help="task modules of the trajectory (paper's t-SNE: 10)", min=1,
                        max=32)
    traj_modules: int = field(20, help="network modules K of the trajectory (paper's t-SNE: "
                              "20)", min=1, max=64)
    traj_steps: int = field(300, help="Algorithm 1 steps of the trajectory", min=1)
    # --- Fig. 3a on the calibrated sine task: does alignment buy samples? ---
    sc_methods: tuple = field(_SC_METHODS, help="methods of the sample-complexity comparison "
                              "(ours_<reading>: projections set by that reading)",
                              choices=_SC_METHODS)
    sc_m_values: tuple = field((3, 6, 9), help="input dimensions m of the comparison", min=2,
                               max=64)
    sc_width: int = field(32, help="hidden width of the MLP and of each module MLP", min=1)
    sc_depth: int = field(3, help="linear layers of the MLP and of each module MLP", min=2)
    sc_modules_factor: int = field(2, help="network modules K = factor * k", min=1, max=10)
    sc_seeds: int = field(2, help="seeds (task + data + initialisation)", min=1, max=20)
    sc_first_stack_seeds: int = field(2, help="seeds of the first stack of each (method, m); "
                                              "further seeds train as a second stack, so that "
                                              "raising sc_seeds reuses the stored first stacks",
                                      min=1, max=20)
    sc_few_seed_methods: tuple = field(("ours_greedy_residual",),
                                       help="methods trained at the first stack's seeds only "
                                            "(cost); their rows say how many seeds they have",
                                       empty_ok=True)
    sc_n_min: int = field(100, help="smallest n of the geometric n grid", min=2)
    sc_n_max: int = field(100_000, help="largest n of the geometric n grid", min=2)
    sc_n_points: int = field(7, help="points of the n grid", min=2, max=30)
    sc_n_test: int = field(2000, help="test points per network", min=10)
    sc_iters: int = field(10_000, help="Adam iterations of end-to-end training (paper: "
                          "10,000)", min=1)
    sc_lr: float = field(0.01, help="Adam learning rate (paper: 0.01)", min=1e-6, max=1.0)
    sc_batch_size: int = field(256, help="training mini-batch size", min=1)
    sc_threshold: float = field(1.5, help="test loss defining the sample complexity (paper's "
                                "Fig. 3a: 1.5)", min=0.0)
    sc_ablation_factors: tuple = field((1, 2, 5), help="network modules K = factor * k of "
                                       "the K-vs-k ablation (at the largest m; modular and "
                                       "ours_literal; must include sc_modules_factor)", min=1,
                                       max=10)
    sc_task: str = field("fitted", help="task knobs: the sine chapter's calibration argmin "
                         "(fitted), its second-best point (runner_up) or sc_noise_var / "
                         "sc_target_var / sc_freq_scale (manual)",
                         choices=("fitted", "runner_up", "manual"))
    sc_sensitivity: bool = field(False, help="also run the Fig. 3a comparison at the largest m "
                                             "on the runner-up calibration point (calibration "
                                             "sensitivity)")
    sc_noise_var: float = field(0.8, help="label-noise variance if sc_task is manual", min=0.0)
    sc_target_var: float = field(4.0, help="clean target variance if sc_task is manual",
                                 min=0.0)
    sc_freq_scale: float = field(1.0, help="frequency scale if sc_task is manual", min=0.0)

    def validate(self) -> None:
        if self.stay_m < self.k:
            raise ConfigError(f"parameter 'stay_m': {self.stay_m} must be >= k={self.k} (the "
                              "stay test starts restarts on k orthogonal module directions)")
        if min(self.m_values) < self.k:
            raise ConfigError(f"parameter 'm_values': every m must be >= k={self.k}, got "
                              f"{self.m_values}")
        if self.traj_m < self.traj_k:
            raise ConfigError(f"parameter 'traj_m': {self.traj_m} must be >= traj_k="
                              f"{self.traj_k}")
        if self.sc_n_max <= self.sc_n_min:
            raise ConfigError(f"parameter 'sc_n_max' ({self.sc_n_max}) must exceed 'sc_n_min' "
                              f"({self.sc_n_min})")
        need = ("monolithic", "modular", "modular_matched", "ours_literal")
        if not set(need) <= set(self.sc_methods):
            raise ConfigError(f"parameter 'sc_methods' must include {', '.join(need)} (the "
                              "baselines and the paper's reading, which the Fig. 3a claims "
                              f"compare); got {self.sc_methods}")
        if self.sc_modules_factor not in self.sc_ablation_factors:
            raise ConfigError(f"parameter 'sc_ablation_factors' {self.sc_ablation_factors} "
                              f"must include sc_modules_factor={self.sc_modules_factor}")
        if "literal" not in self.readings:
            raise ConfigError("parameter 'readings' must include 'literal' (the paper's text)")


register("algorithm1", Algorithm1Params, {
    "smoke": {"n_tasks": 2, "n": 300, "m_values": (5,), "modules_factors": (1,),
              "init_steps": 20, "init_batch_size": 128, "stay_m": 5, "stay_steps": 20,
              "lr_grid": (0.05,), "batch_grid": (128,), "ridge_grid": (0.1,),
              "kernels": ("rbf",), "b_check": 1, "traj_m": 6, "traj_k": 3,
              "traj_modules": 6, "traj_steps": 20,
              "sc_m_values": (3,), "sc_seeds": 1, "sc_n_max": 1000, "sc_n_points": 3,
              "sc_n_test": 500, "sc_iters": 100, "sc_task": "manual",
              "sc_ablation_factors": (1, 2),
              "sc_methods": ("monolithic", "modular", "modular_matched", "ours_literal",
                             "ours_greedy_residual")},
    # greedy_fixed costs as much as greedy_residual (K sequential fits per n) and recovers the
    # modules as well (readings table); the paper profile runs it too
    "book": {"sc_methods": ("monolithic", "modular", "modular_matched", "ours_literal",
                            "ours_greedy_residual", "ours_joint"), "sc_seeds": 5,
             "sc_sensitivity": True},
    "paper": {"n_tasks": 10, "init_steps": 1000, "m_values": (5, 9, 15, 30),
              "sc_few_seed_methods": (), "sc_sensitivity": True,
              "sc_m_values": (2, 3, 4, 5, 6, 7, 8, 9), "sc_seeds": 5, "sc_n_points": 10,
              "sc_n_test": 10_000},
})
