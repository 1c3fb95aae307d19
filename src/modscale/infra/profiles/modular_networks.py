"""Parameters of the chapter "Modular networks and the kernel initialiser" (paper Section 4)."""

from __future__ import annotations

from dataclasses import dataclass

from . import ConfigError, field, register

_METHODS = ("monolithic", "modular", "ours", "ours_joint")


@dataclass(frozen=True)
class ModularParams:
    seed: int = field(0, help="global seed (weights, mini-batches)", min=0)
    # --- task ---
    k: int = field(4, help="number of modules of the sine task", min=1, max=32)
    b: int = field(1, help="module input dimension b (task and network)", min=1, max=8)
    # --- networks ---
    modules_factor: int = field(2, help="network modules K = modules_factor * k", min=1, max=10)
    widths: tuple = field((8, 32), help="hidden widths of the architectures (monolithic MLP "
                          "and each module MLP)", min=1, max=1024)
    depths: tuple = field((3,), help="depths (linear layers) of the architectures", min=2,
                          max=10)
    # --- Fig. 3a: sample complexity vs m ---
    m_values: tuple = field((3, 6), help="input dimensions m of Fig. 3a", min=2, max=64)
    methods: tuple = field(_METHODS, help="methods of Fig. 3a", choices=_METHODS)
    n_min: int = field(32, help="smallest training-set size of the n grid", min=2)
    n_max: int = field(1024, help="largest training-set size of the n grid", min=2)
    n_points: int = field(4, help="points of the geometric n grid", min=2, max=30)
    n_seeds: int = field(1, help="seeds (task + data draws) per grid point", min=1, max=20)
    n_test: int = field(1000, help="test points per model", min=10)
    iters: int = field(300, help="training iterations (Adam)", min=1)
    lr: float = field(0.01, help="Adam learning rate of end-to-end training", min=1e-6, max=1.0)
    batch_size: int = field(256, help="training mini-batch size", min=1)
    threshold: float = field(0.3, help="test-loss threshold defining the sample complexity "
                             "(10 % of the target variance, as in the sine chapter)", min=0.0)
    thresholds: tuple = field((0.15, 0.3, 0.6, 1.5), help="thresholds of the sensitivity "
                              "table (must include 'threshold')", min=0.0)
    sc_rule: str = field("first", help="threshold-crossing rule", choices=("first", "stay"))
    # --- Algorithm 1 ---
    init_steps: int = field(50, help="Algorithm 1: gradient steps per projection", min=0)
    init_batch_size: int = field(128, help="Algorithm 1: mini-batch size (kernel matrix size)",
                                 min=4, max=4096)
    init_lr: float = field(0.05, help="Algorithm 1: Adam learning rate", min=1e-6, max=10.0)
    init_kernel: str = field("rbf", help="Algorithm 1: kernel on projected inputs",
                             choices=("rbf", "laplace", "relu_ntk"))
    init_bandwidth: str = field("median", help="Algorithm 1: bandwidth rule",
                                choices=("median", "fixed"))
    init_ridge: float = field(0.1, help="Algorithm 1: ridge, relative to the mean kernel "
                              "diagonal", min=0.0)
    # --- Fig. 4: alignment over training, t-SNE ---
    align_m: int = field(15, help="Fig. 4: input dimension", min=2, max=256)
    align_k: int = field(10, help="Fig. 4: task modules (t-SNE: 10 targets)", min=1, max=64)
    align_n: int = field(1000, help="Fig. 4: training-set size", min=4)
    align_iters: int = field(10_000, help="Fig. 4: training iterations (Adam; the paper's "
                             "protocol: 10,000)", min=1)
    align_record_every: int = field(50, help="Fig. 4: record the similarity every ... iters",
                                    min=1)
    align_seeds: int = field(1, help="Fig. 4: seeds", min=1, max=20)
    align_sensitivity: bool = field(False, help="Fig. 4: also run on the runner-up calibration "
                                                "point of the sine chapter (sensitivity)")
    # --- the modular baseline's regime (Fig. 4 fit) and Fig. 3a over architectures ---
    regime_iters: int = field(1000, help="regime study: training iterations (the paper's "
                              "Fig. 4 spans 0-1,000)", min=1)
    regime_seeds: int = field(3, help="regime study: seeds per setting", min=1, max=20)
    regime_settings: tuple = field(("all",), help="regime study: settings run ('all' or names "
                                   "of modscale.experiments.modular_regime.settings)")
    grid_regime: str = field("selected", help="Fig. 3a grid: the second regime ('selected': "
                             "the study's best fit, or a setting name); the first is today's")
    grid_widths: tuple = field((8,), help="Fig. 3a grid: widths (monolithic MLP and each "
                               "module MLP)", min=1, max=1024)
    grid_depths: tuple = field((3,), help="Fig. 3a grid: depths", min=2, max=10)
    grid_m_values: tuple = field((2, 3, 6, 9), help="Fig. 3a grid: input dimensions",
                                 min=2, max=64)
    grid_methods: tuple = field(("monolithic", "modular", "ours_literal"),
                                help="Fig. 3a grid: methods",
                                choices=("monolithic", "modular", "ours_literal", "ours_joint"))
    grid_seeds: int = field(3, help="Fig. 3a grid: seeds per stack", min=1, max=20)
    # --- the paper-matched regime: every reading, the oracle, the alignment dose-response ---
    pr_methods: tuple = field(("monolithic", "modular", "ours_literal", "ours_joint",
                               "ours_greedy_residual", "oracle"),
                              help="paper-regime Fig. 3a: methods (oracle: the true directions, "
                              "an upper bound, not a reading)",
                              choices=("monolithic", "modular", "ours_literal", "ours_joint",
                                       "ours_greedy_residual", "oracle"))
    pr_m_values: tuple = field((3, 6, 9), help="paper-regime Fig. 3a: input dimensions", min=2,
                               max=64)
    pr_widths: tuple = field((8,), help="paper-regime Fig. 3a: widths (depth: grid_depths[0])",
                             min=1, max=1024)
    pr_seeds: int = field(5, help="paper-regime Fig. 3a: seeds (the first grid_seeds are the "
                          "grid's stacks)", min=1, max=20)
    pr_sensitivity_seeds: int = field(3, help="paper-regime Fig. 3a: seeds of the other regime "
                                      "(the sensitivity; at most grid_seeds)", min=1, max=20)
    pr_fig4_seeds: int = field(5, help="paper-regime Fig. 4: seeds", min=1, max=20)
    dose_alphas: tuple = field((0.0, 0.1, 0.25, 0.5, 0.75, 1.0), help="dose-response: alignment "
                               "doses alpha of the mixed start (0: random, 1: oracle)",
                               min=0.0, max=1.0)
    dose_m_values: tuple = field((9,), help="dose-response: input dimensions", min=2, max=64)
    # --- Table 2: nonlinear projections ---
    table2_m_values: tuple = field((9,), help="Table 2: input dimensions (each one of the "
                                   "Algorithm 1 chapter's 'sc_m_values')", min=2, max=64)
    proj_hidden: int = field(8, help="Table 2: hidden units of the nonlinear projection", min=1,
                             max=256)
    # --- ablations: K vs k, compute matched ---
    ablation_m: int = field(6, help="ablations: input dimension", min=2, max=64)
    ablation_factors: tuple = field((1, 2, 5), help="ablation: K / k", min=1, max=10)
    ablation_n: tuple = field((128,), help="ablations: training-set sizes", min=4)

    def validate(self) -> None:
        if self.threshold not in self.thresholds:
            raise ConfigError(f"parameter 'threshold' ({self.threshold}) must be one of "
                              f"'thresholds' {self.thresholds}")
        if self.n_max <= self.n_min:
            raise ConfigError(f"parameter 'n_max' ({self.n_max}) must exceed 'n_min' "
                              f"({self.n_min})")
        if self.b > min(self.m_values + (self.align_m, self.ablation_m)
                                 + self.table2_m_values):
            raise ConfigError(f"parameter 'b' ({self.b}) must be <= every "
                              "input dimension m")
        if self.align_record_every > self.align_iters:
            raise ConfigError("parameter 'align_record_every' must be <= 'align_iters'")
        if "modular" not in self.methods:
            raise ConfigError("parameter 'methods' must include 'modular' (the baseline)")


register("modular_networks", ModularParams, {
    "smoke": {"widths": (8,), "iters": 100, "n_test": 500, "init_steps": 20,
              "align_iters": 60, "align_n": 300, "align_record_every": 20,
              "ablation_factors": (1, 2), "table2_m_values": (3,),
              "regime_iters": 40, "regime_seeds": 2,
              "regime_settings": ("today", "projection lr x0.1"), "grid_m_values": (3,),
              "grid_seeds": 2, "pr_m_values": (3,), "pr_seeds": 2, "pr_fig4_seeds": 1,
              "dose_alphas": (0.0, 0.5, 1.0), "dose_m_values": (3,),
              "pr_methods": ("monolithic", "modular", "ours_literal", "ours_joint", "oracle")},
    "book": {
        "m_values": tuple(range(2, 10)), "widths": (8, 32), "n_min": 32, "n_max": 8192,
        "n_points": 7, "n_seeds": 2, "iters": 1000, "init_steps": 100,
        "align_n": 2000, "align_seeds": 5, "align_sensitivity": True,
        "table2_m_values": (3, 6, 9), "ablation_m": 9,
        "ablation_n": (128, 512),
        "pr_methods": ("monolithic", "modular", "ours_literal", "ours_joint", "oracle"),
        "dose_m_values": (3, 6, 9),
    },
    "paper": {
        "m_values": tuple(range(2, 10)), "widths": (8, 32, 128), "depths": (3, 5, 7),
        "n_min": 32, "n_max": 100_000, "n_points": 14, "n_seeds": 5, "iters": 10_000,
        "init_steps": 500, "init_batch_size": 256, "align_n": 10_000, "regime_seeds": 5,
        "grid_widths": (8, 32, 128), "grid_depths": (3, 5, 7),
        "grid_m_values": tuple(range(2, 10)), "grid_seeds": 5,
        "grid_methods": ("monolithic", "modular", "ours_literal", "ours_joint"),
        "pr_m_values": tuple(range(2, 10)), "pr_widths": (8, 32, 128), "dose_m_values": (3, 6, 9),
        "pr_sensitivity_seeds": 5,
        "align_seeds": 5, "table2_m_values": (3, 5, 7, 9), "ablation_m": 9,
        "ablation_n": (128, 512, 2048), "n_test": 10_000,
    },
})
