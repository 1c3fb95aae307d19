"""Sentences of the Compositional CIFAR-10 chapter (``book/compositional_cifar.py``) that its
measured values choose: the data source, whether the kernel objective prefers
position-selective projections, how Algorithm 1's objective ranks the image-aligned projection,
the learning rates, the module-dimension comparison and the settings and measured cause its
verdicts are recorded with. ``methods`` and the keys of learning-rate dicts are keys of
:data:`modscale.training.cifar_models.METHOD_LABELS`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from modscale.training.cifar_models import METHOD_LABELS


def source_kind(is_jpeg: bool) -> str:
    """What kind of CIFAR-10 copy the chapter read."""
    return "JPEG-compressed" if is_jpeg else "original (lossless)"


def objective_preference(prefers: Sequence[bool]) -> str:
    """Whether the kernel objective prefers the image-1-only projections, from whether it does
    at each k (``prefers``: one bool per k, True where it scores lower)."""
    if all(prefers):
        return "prefers"
    return "does not prefer" if not any(prefers) else "prefers only at some k"


def noise_sensitivity(k: int, best_at: Mapping[str, str]) -> str:
    """The accuracy-against-noise curve's outcome: ``best_at`` {noise std as written in the
    column name: method with the best mean accuracy there}, at ``k``."""
    return (f"at k = {k} the best mean accuracy per noise std is: "
            + ", ".join(f"{lv} {METHOD_LABELS[m]}" for lv, m in best_at.items()))


def dim_accuracies(dim_acc: pd.Series) -> str:
    """The accuracies of the module-dimension comparison: ``dim_acc`` mean accuracy (fraction)
    indexed by (method, module_dim), written per method as percent per b."""
    return "; ".join(
        f"{METHOD_LABELS[m]}: " + ", ".join(f"{100 * a:.1f} % (b = {b})"
                                            for b, a in dim_acc[m].sort_index().items())
        for m in dim_acc.index.get_level_values(0).unique())


def dim_outcome(k: int, n_train: int, accuracies: str) -> str:
    """The module-dimension comparison at ``k`` and ``n_train`` combinations
    (``accuracies``: :func:`dim_accuracies`), as a sensitivity outcome (lower case)."""
    return f"at k = {k} and {n_train:,} combinations the test accuracy is {accuracies}"


def dim_sentence(outcome: str | None) -> str:
    """The module-dimension sentence of the page: ``outcome`` (:func:`dim_outcome`) as a
    sentence, or that no module dimension beyond the first ran (``None``)."""
    if outcome is None:
        return "No module dimension beyond the first was run at this profile"
    return outcome[0].upper() + outcome[1:]


def objective_change(percent: float) -> str:
    """A mean relative change of Algorithm 1's held-out objective (percent), signed, with two
    decimals below 1 % in size and one otherwise."""
    return f"{percent:+.1f} %" if abs(percent) >= 1 else f"{percent:+.2f} %"


def points_at(changes: Sequence[float]) -> str:
    """How a reading's objective ranks the image-aligned projection, from its change against a
    random start at every module dimension run (``changes``, percent; negative: the objective
    prefers the aligned projection)."""
    if all(x > 0 for x in changes):
        return "does not point at"
    if all(x < -5 for x in changes):
        return "clearly prefers"
    return "barely prefers" if all(x < 0 for x in changes) else "is ambivalent about"


def chosen_variant(chosen: str | None) -> str:
    """The variant of Algorithm 1 the held-out objective chose (``None``: none lowers it)."""
    return chosen or "none of the variants"


def lowest_rate(lrs: Mapping[str, float], grid_lo: float) -> str:
    """The methods whose chosen learning rate is the lowest of the grid, ``grid_lo``."""
    return ", ".join(METHOD_LABELS[m] for m, lr in lrs.items() if lr == grid_lo) or "none"


def lr_differences(scale_lrs: Mapping[str, float], lrs: Mapping[str, float]) -> str:
    """The methods whose learning rate ``lrs`` (chosen at the paper's module dimension) differs
    from the scale study's ``scale_lrs``."""
    differ = [f"{METHOD_LABELS[m]} {scale_lrs[m]:g} there, {lr:g} here" for m, lr in lrs.items()
              if m in scale_lrs and scale_lrs[m] != lr]
    return "; ".join(differ) if differ else "none differs"


def init_cause(literal: Mapping[int, float], joint: Mapping[int, float], share_after: float,
               k: int) -> str:
    """The measured cause recorded with the CIFAR verdicts: the image-aligned projection's change
    of the literal and joint objectives against a random start ({b: percent}), and the mean
    largest per-image share after Algorithm 1 (``share_after``) at ``k`` images."""
    return (
        "the initialiser: on raw CIFAR pixels the literal kernel objective (minimised) is "
        + ", ".join(f"{v:+.1f} %" for v in literal.values())
        + " for an image-aligned projection against a random one (b = "
        + ", ".join(map(str, literal))
        + "; positive: the aligned projection scores worse), the joint objective "
        + ", ".join(f"{v:+.1f} %" for v in joint.values())
        + "; no variant of Algorithm 1 moves the largest per-image share off "
        + f"{share_after:.3f} (uniform: 1/k = {1 / k:.2f}, "
        + f"k = {k})")


def run_setting(module_dim: int, n_train: int, n_seeds: int) -> str:
    """The setting of a verdict judged on runs at module dimension b, ``n_train``
    combinations."""
    return f"b = {module_dim}, {n_train:,} combinations, {n_seeds} seeds"


def paper_dim_fig3b_setting(module_dim: int, n_train: int, n_seeds: int,
                            ks: Sequence[int]) -> str:
    """The setting of Fig. 3b judged at the paper's module dimension over ``ks``."""
    return (f"b = {module_dim}, {n_train:,} combinations, "
            f"{n_seeds} seeds, k = {', '.join(map(str, ks))} (paper: 10⁶, "
            "k = 1..8)")


def scale_only_fig3b_setting(scale: str, paper_dim: int, paper_dim_ks: Sequence[int]) -> str:
    """The setting of Fig. 3b judged on the paper-data-scale runs (``scale``:
    :func:`run_setting`) because the paper-dimension runs cover fewer than two k."""
    return (f"{scale}: the only data scale with several k; b = {paper_dim} ran at k = "
            f"{', '.join(map(str, paper_dim_ks))} only (tools/paper_run.py carries the rest)")
