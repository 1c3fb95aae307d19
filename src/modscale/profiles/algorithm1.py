"""Parameters of the chapter "Algorithm 1 under the microscope" (readings and diagnostics)."""

from __future__ import annotations

from dataclasses import dataclass

from . import ConfigError, field, register

_READINGS = ("literal", "greedy_residual", "greedy_fixed", "joint")


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
    steps: int = field(200, help="Adam steps per projection (greedy: per module)", min=1)
    batch_size: int = field(256, help="kernel mini-batch size", min=4, max=4096)
    lr: float = field(0.05, help="Adam learning rate of Algorithm 1", min=1e-6, max=10.0)
    ridge: float = field(0.1, help="ridge, relative to the mean kernel diagonal", min=0.0)
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
        if "literal" not in self.readings:
            raise ConfigError("parameter 'readings' must include 'literal' (the paper's text)")


register("algorithm1", Algorithm1Params, {
    "smoke": {"n_tasks": 2, "n": 300, "m_values": (5,), "modules_factors": (1,),
              "steps": 20, "batch_size": 128, "stay_m": 5, "stay_steps": 20,
              "lr_grid": (0.05,), "batch_grid": (128,), "ridge_grid": (0.1,),
              "kernels": ("rbf",), "b_check": 1, "traj_m": 6, "traj_k": 3,
              "traj_modules": 6, "traj_steps": 20},
    "book": {},
    "paper": {"n_tasks": 10, "steps": 1000, "m_values": (5, 9, 15, 30)},
})
