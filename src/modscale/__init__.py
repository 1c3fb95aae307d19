"""modscale: an executable reproduction of Boopathy et al., "Breaking Neural Network Scaling
Laws with Modularity" (ICLR 2025).

Modules (one topic each):

- :mod:`modscale.profiles`  - ``smoke`` / ``book`` / ``paper`` profiles of every chapter.
- :mod:`modscale.cache`     - per-configuration result cache with provenance (resumable sweeps).
- :mod:`modscale.export`    - writes ``paper_figures/`` (figures, tables, JSON provenance sidecars).
- :mod:`modscale.style`     - plot style, seeding, plain-text progress bars, device selection.
- :mod:`modscale.paper_data`- numbers reported by the paper (digitised from its figures; see SPEC).
- :mod:`modscale.provenance`, :mod:`modscale.runlog` - versions/commit/device; what each chapter ran
  and the verdict it reached on each claim of the paper.
- :mod:`modscale.dispatch`  - send independent sweep configurations to submitit (SLURM) or Ray.

Theory:
- :mod:`modscale.theory`         - closed-form train/test loss of the linear (NTK-style) model.
- :mod:`modscale.theory_modular` - its modular counterpart (Theorem 2 reconstruction).

Sine-wave regression:
- :mod:`modscale.sine_task`  - the modular sine-wave task (seeded, on any device).
- :mod:`modscale.batched_mlp`- many independent MLPs with stacked parameters.
- :mod:`modscale.trainer`    - train many models at once (and the plain one-by-one reference).
- :mod:`modscale.sample_complexity`, :mod:`modscale.sine_sweeps` - n-grid search; Fig. 2 sweeps.
- :mod:`modscale.bench`      - ``python -m modscale.bench``: batched vs one-by-one speed.

Modular networks:
- :mod:`modscale.kernel_objective` - **the kernel objective** y^T K(X, X; U)^-1 y (Eqn 17).
- :mod:`modscale.kernel_init`      - Algorithm 1 (projections initialised on the objective).
- :mod:`modscale.modular_net`      - many modular networks (K modules on projections) at once.
- :mod:`modscale.alignment`        - similarity of learned and true module directions; t-SNE.
- :mod:`modscale.modular_sweep`    - the chapter's experiments.

Compositional CIFAR-10:
- :mod:`modscale.cifar`        - CIFAR-10 loader (JPEG archive, python pickles, download).
- :mod:`modscale.compositional`- k images side by side, OOD split by class tuples, noise.
- :mod:`modscale.cifar_models`, :mod:`modscale.cifar_runs` - classifiers, training, runs.
"""

__version__ = "0.1.0"
