"""The methods the book compares, one name each (data only; the lowest layer).

- ``monolithic``: one MLP on the whole input; ``modular``: the modular network with random
  projections; ``modular_matched``: the modular baseline given the kernel initialiser's compute
  as extra training steps.
- ``ours_<reading>``: the modular network whose projections are set by one reading of the paper's
  Algorithm 1 (:data:`READINGS`): ``ours_literal`` is the paper's method read literally (K
  independent restarts), the one the paper's figures call "ours".
- ``oracle`` and ``mixed``: starts that use the task's true directions (bounds, not readings).
- CIFAR: ``monolithic``, ``modular`` and ``ours`` (:data:`CIFAR_METHODS`; its ``ours`` is
  Algorithm 1 on image features, its reading a separate setting).

Older stored results spell some of these differently (:data:`STORED_SPELLINGS`): the modular
chapter's uncalibrated stacks (:mod:`modscale.experiments.modular_sweep`, its ``methods``
parameter) still call the literal reading ``ours``, as their keys do.
"""

READINGS = ("literal", "greedy_residual", "greedy_fixed", "joint")
"""Readings of Algorithm 1's "repeat this procedure K times with different random
initializations" (:mod:`modscale.training.alg1`)."""

BASELINES = ("monolithic", "modular", "modular_matched")
"""The baselines of the sine task."""

OURS = tuple(f"ours_{r}" for r in READINGS)
"""The paper's method under each reading of Algorithm 1."""

ALIGNED_STARTS = ("oracle", "mixed")
"""Starts that use the task's true directions (upper bounds and their dose-response)."""

SINE_METHODS = (*BASELINES, *OURS, *ALIGNED_STARTS)
"""Every method of the sine task's Fig. 3a stacks."""

CIFAR_METHODS = ("monolithic", "modular", "ours")
"""The methods of Compositional CIFAR-10."""

PAPER_OURS = "ours_literal"
"""The method the paper's figures label "ours" (its Algorithm 1 read literally)."""

STORED_SPELLINGS = {"modular_stacks": {"ours_literal": "ours"}}
"""experiment -> {name here: the name its stored keys use} (the modular chapter's uncalibrated
stacks were keyed before the readings had names)."""


def paper_key(method: str) -> str:
    """The key of ``method`` in the paper's digitised figures (:mod:`modscale.paper_data`):
    ``ours`` for :data:`PAPER_OURS`, the name itself otherwise."""
    return "ours" if method == PAPER_OURS else method


def stored_name(experiment: str, method: str) -> str:
    """``method`` as ``experiment``'s stored keys spell it (:data:`STORED_SPELLINGS`)."""
    return STORED_SPELLINGS.get(experiment, {}).get(method, method)
