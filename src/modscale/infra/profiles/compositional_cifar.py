"""Parameters of the Compositional CIFAR-10 chapter (paper Fig. 3b, Fig. 5, Fig. 12, Table 1)."""

from __future__ import annotations

from dataclasses import dataclass

from . import ConfigError, field, register

METHOD_CHOICES = ("monolithic", "modular", "ours")


@dataclass(frozen=True)
class CifarConfig:
    seed: int = field(0, help="base seed (data streams, initialisations, noise)", min=0)
    data_path: str = field("", help="CIFAR-10 source (JPEG .tar.xz, python .tar.gz or folder); "
                                    "'' = $MODSCALE_CIFAR10 or the shared data folder")
    download: bool = field(False, help="download the original CIFAR-10 from the authors' site "
                                       "if no copy is found (needs internet)")
    max_per_class: int = field(0, help="decode only this many images per class and split "
                                       "(0 = all 5,000 / 1,000)", min=0)
    val_per_class: int = field(500, help="training images per class held out for validation "
                                         "(learning-rate choice)", min=1)
    ks: tuple = field((1, 2, 3, 4, 5, 6, 7, 8), help="numbers of images k (Fig. 3b x axis)",
                      min=1, max=8)
    methods: tuple = field(METHOD_CHOICES, help="methods to train", choices=METHOD_CHOICES)
    n_seeds: int = field(5, help="seeds per method and k (paper: 5)", min=1)
    seeds_per_run: int = field(5, help="seeds trained together as one stacked model", min=1)
    n_train: int = field(1_000_000, help="training combinations (one epoch; paper: 10^6)",
                         min=1)
    n_test: int = field(10_000, help="test combinations (paper: 10,000)", min=1)
    n_val: int = field(5_000, help="validation combinations (from held-out training images)",
                       min=1)
    epochs: int = field(1, help="passes over the training combinations (paper: 1)", min=1)
    batch_size: int = field(1024, help="mini-batch size", min=1)
    lr_grid: tuple = field((3e-4, 1e-3, 3e-3), help="Adam learning rates tried on the "
                                                     "validation set (one value = no sweep)",
                           min=0.0)
    sweep_k: int = field(4, help="k at which the learning rate is chosen", min=1, max=8)
    sweep_n_train: int = field(200_000, help="training combinations of a sweep run", min=1)
    mono_width: int = field(1024, help="monolithic MLP hidden width", min=1)
    mono_depth: int = field(3, help="monolithic MLP linear layers", min=1)
    modules_per_image: int = field(5, help="modules K per image (K = modules_per_image * k)",
                                   min=1)
    module_dim: int = field(512, help="module input dimension b (paper: 512)", min=1)
    module_width: int = field(256, help="module MLP hidden width", min=1)
    module_depth: int = field(2, help="module MLP linear layers", min=1)
    init_steps: int = field(200, help="kernel-objective steps per projection (Algorithm 1)",
                            min=1)
    init_batch_size: int = field(256, help="mini-batch of the kernel objective", min=2)
    init_lr: float = field(1e-4, help="Adam learning rate of the kernel objective", min=0.0)
    init_ridge: float = field(0.1, help="ridge of the kernel objective (x mean diagonal)",
                              min=0.0)
    init_pool: int = field(4096, help="training combinations per network that Algorithm 1 "
                                      "draws its mini-batches from", min=2)
    init_bandwidth_grad: bool = field(False, help="differentiate Algorithm 1's median "
                                                  "bandwidth too (default: held constant in the "
                                                  "gradient)")
    init_heldout: int = field(0, help="combinations beyond the pool whose kernel objective "
                                      "Algorithm 1 records at every recorded step (0 = none)",
                              min=0)
    ood_fraction: float = field(0.1, help="fraction of class tuples held out from training "
                                          "(k >= 2)", min=0.0, max=0.9)
    table_k: int = field(4, help="k of Table 1 (unknown in the paper)", min=2, max=8)
    noise_std: float = field(1.0, help="Gaussian noise std on normalised inputs (Table 1)",
                             min=0.0)
    noise_levels: tuple = field((0.0, 0.25, 0.5, 1.0, 2.0),
                                help="noise stds of the accuracy-vs-noise curve", min=0.0)
    epochs_curve: tuple = field((1, 2, 4), help="epochs compared beyond the paper (at epochs_k)",
                                min=1)
    epochs_curve_seeds: int = field(2, help="seeds of the epochs comparison", min=1)
    epochs_k: int = field(4, help="k of the epochs comparison", min=1, max=8)
    scale_ks: tuple = field((1, 2, 4, 8), help="k of the paper-data-scale runs (Fig. 3b and "
                                               "Table 1 at scale_n_train)", min=1, max=8)
    scale_n_train: int = field(1_000_000, help="training combinations of the paper-data-scale "
                                               "runs (one epoch; paper: 10^6)", min=1)
    scale_study_ks: tuple = field((4, 8), help="k of the scale study", min=1, max=8)
    scale_study_n_trains: tuple = field((40_000, 200_000, 1_000_000),
                                        help="training combinations of the scale study", min=1)
    scale_module_dims: tuple = field((512,), help="module input dimensions b of the scale "
                                                 "study (the first one is used at scale)",
                                     min=1)
    scale_dim_n_train: int = field(200_000, help="training combinations at which module "
                                                 "dimensions beyond the first are compared",
                                   min=1)
    scale_n_seeds: int = field(2, help="seeds of every scale run (trained together)", min=1)
    scale_n_test: int = field(10_000, help="test (and OOD) combinations of the scale runs "
                                           "(paper: 10,000)", min=1)
    scale_batch_size: int = field(1024, help="mini-batch size of the scale runs", min=1)
    scale_sweep_k: int = field(4, help="k at which the scale runs choose their learning "
                                       "rate (validation set)", min=1, max=8)
    scale_sweep_n_train: int = field(200_000, help="training combinations of the scale runs' "
                                                   "learning-rate sweep", min=1)
    paper_dim: int = field(512, help="module input dimension b of the paper-dimension runs "
                                     "(paper: 512)", min=1)
    paper_dim_ks: tuple = field((1, 2, 4, 8), help="k of the paper-dimension runs (Fig. 3b and "
                                                   "Table 1 at module dimension paper_dim)",
                                min=1, max=8)
    paper_dim_n_train: int = field(1_000_000, help="training combinations of the "
                                                   "paper-dimension runs (paper: 10^6)", min=1)
    paper_dim_n_seeds: int = field(5, help="seeds of the paper-dimension runs (paper: 5)",
                                   min=1)
    paper_dim_seeds_per_run: int = field(2, help="seeds of a paper-dimension run trained "
                                                 "together", min=1)
    paper_dim_lr_grid: tuple = field((1e-4, 3e-4, 1e-3),
                                     help="Adam learning rates of the paper-dimension sweep "
                                          "(validation set, at scale_sweep_k and "
                                          "scale_sweep_n_train)", min=0.0)
    paper_dim_init: str = field("bandwidth_grad",
                                help="how the paper-dimension runs' 'ours' runs Algorithm 1: a "
                                     "variant of modscale.experiments.cifar_alg1.VARIANTS "
                                     "(literal reading, chosen on the held-out objective)",
                                choices=("as_run", "large_pool", "bandwidth_grad"))
    scale_amp: str = field("auto", help="matmul precision of the scale runs (as amp)",
                           choices=("auto", "bf16", "fp32"))
    amp: str = field("auto", help="matmul precision: auto (bf16 autocast where bf16 matmuls "
                                  "are faster than fp32 on this device), bf16 (any device; "
                                  "fp32 weights and Adam) or fp32",
                     choices=("auto", "bf16", "fp32"))

    def validate(self) -> None:
        if self.table_k not in self.ks:
            raise ConfigError(f"parameter 'table_k': {self.table_k} must be one of ks={self.ks}")
        if self.sweep_k not in self.ks:
            raise ConfigError(f"parameter 'sweep_k': {self.sweep_k} must be one of ks={self.ks}")
        if len(set(self.ks)) != len(self.ks):
            raise ConfigError(f"parameter 'ks': {self.ks} has duplicates")
        if self.max_per_class and self.val_per_class >= self.max_per_class:
            raise ConfigError(f"parameter 'val_per_class': {self.val_per_class} must be below "
                              f"max_per_class={self.max_per_class}")
        if self.noise_std not in self.noise_levels:
            raise ConfigError(f"parameter 'noise_std': {self.noise_std} must be one of "
                              f"noise_levels={self.noise_levels}")
        if self.scale_sweep_k not in self.scale_ks:
            raise ConfigError(f"parameter 'scale_sweep_k': {self.scale_sweep_k} must be one of "
                              f"scale_ks={self.scale_ks}")
        if self.table_k not in self.scale_ks:
            raise ConfigError(f"parameter 'table_k': {self.table_k} must be one of scale_ks="
                              f"{self.scale_ks} (Table 1 is also drawn at scale)")
        if self.ood_fraction == 0.0:
            raise ConfigError("parameter 'ood_fraction' must be > 0 (Table 1 needs held-out "
                              "tuples)")


register("compositional_cifar", CifarConfig, {
    "smoke": dict(max_per_class=220, val_per_class=20, ks=(1, 2), n_seeds=2, seeds_per_run=2,
                  n_train=2_000, n_test=500, n_val=500, batch_size=128, lr_grid=(1e-3,),
                  sweep_k=2, sweep_n_train=1_000, mono_width=64, mono_depth=2,
                  modules_per_image=2, module_dim=8, module_width=16, module_depth=2,
                  init_steps=10, init_batch_size=64, init_pool=256, table_k=2, epochs_k=2,
                  noise_levels=(0.0, 0.5, 1.0),
                  epochs_curve=(1, 2), epochs_curve_seeds=1,
                  scale_ks=(1, 2), scale_sweep_k=2, scale_n_train=2_000, scale_study_ks=(2,),
                  scale_study_n_trains=(1_000, 2_000), scale_module_dims=(8, 16),
                  scale_dim_n_train=1_000, scale_n_test=500, scale_batch_size=128,
                  scale_sweep_n_train=1_000, paper_dim=16, paper_dim_ks=(2,),
                  paper_dim_n_train=2_000, paper_dim_n_seeds=2, paper_dim_lr_grid=(1e-3,),
                  paper_dim_init="as_run"),
    "book": dict(ks=(1, 2, 3, 4, 5, 6, 7, 8), n_seeds=2, seeds_per_run=2, n_train=40_000,
                 n_test=2_000,
                 n_val=2_000, batch_size=128, lr_grid=(3e-4, 1e-3, 3e-3), sweep_k=2,
                 sweep_n_train=10_000, mono_width=256, mono_depth=3, modules_per_image=2,
                 module_dim=32, module_width=64, module_depth=2, init_steps=30,
                 init_batch_size=256, init_pool=1024, table_k=4, epochs_k=2, epochs_curve=(1, 2),
                 epochs_curve_seeds=1, scale_module_dims=(32, 128, 512),
                 paper_dim_ks=(1, 2, 3, 4), paper_dim_n_train=200_000),
    # One seed per stacked run: at k = 8 (K = 40 modules, b = 512) the projections alone are
    # 0.5 G parameters per network, and Algorithm 1 holds B^2 b floats per restart.
    "paper": dict(seeds_per_run=1, paper_dim_seeds_per_run=1),
})
