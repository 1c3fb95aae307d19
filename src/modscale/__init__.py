"""modscale: an executable reproduction of Boopathy et al., "Breaking Neural Network Scaling
Laws with Modularity" (ICLR 2025).

The package is laid out in layers, lowest first; a module imports only from its own layer or
lower ones (``tests/test_layers.py``):

- :mod:`modscale.infra` - infrastructure: the result cache and committed results store
  (:mod:`~modscale.infra.cache`), the experiment registry with each experiment's version
  (:mod:`~modscale.infra.registry`), profiles (:mod:`~modscale.infra.profiles`), device and
  precision choice (:mod:`~modscale.infra.device`), provenance, progress bars, dispatch.
- :mod:`modscale.paper_data` - the paper's numbers, digitised from its figures (data only).
- :mod:`modscale.tasks` - the sine-wave task (:mod:`~modscale.tasks.sine_task`), CIFAR-10
  loading (:mod:`~modscale.tasks.cifar`) and Compositional CIFAR-10
  (:mod:`~modscale.tasks.compositional`).
- :mod:`modscale.models` - many MLPs at once (:mod:`~modscale.models.batched_mlp`) and modular
  networks (:mod:`~modscale.models.modular_net`).
- :mod:`modscale.training` - the batched trainer (:mod:`~modscale.training.trainer`), **the
  kernel objective** (:mod:`~modscale.training.kernel_objective`), Algorithm 1
  (:mod:`~modscale.training.kernel_init`, its readings :mod:`~modscale.training.alg1`),
  alignment metrics, the CIFAR classifiers and their training
  (:mod:`~modscale.training.cifar_models`), the trainer benchmark.
- :mod:`modscale.theory` - closed-form losses of the linear model: monolithic
  (:mod:`~modscale.theory.monolithic`), modular (:mod:`~modscale.theory.modular`), sample
  complexity search.
- :mod:`modscale.experiments` - one module per experiment family: specs built from a chapter's
  configuration and the ``run`` that computes one spec (registered in
  :mod:`modscale.infra.registry`), plus the golden recomputation
  (:mod:`~modscale.experiments.goldens`).
- :mod:`modscale.report` - what the chapters draw and judge: verdicts, the paper-item registry,
  analysis of stored results, tables, plot style, exports, the run log.
"""

__version__ = "0.1.0"
