"""Sentences of the chapter *The theory of monolithic generalization* (``book/theory.py``)."""

from __future__ import annotations


def det_phrase(max_z_det: float, *, max_z: float = 4.0) -> str:
    """How the deterministic equivalent's largest gap to the simulation (``max_z_det``, in
    Monte-Carlo standard errors) reads: systematic beyond ``max_z``, noise otherwise."""
    if max_z_det > max_z:
        return (f"a gap beyond the Monte-Carlo noise (up to {max_z_det:.1f} standard errors), "
                "i.e. a systematic error of the approximation")
    return (f"within the Monte-Carlo noise at this number of trials (up to {max_z_det:.1f} "
            "standard errors)")


def calibration_outcome(best_rmse: float, best_omega: float, best_ratio: float, *,
                        omega: float, ratio: float, default_rmse: float | None) -> str:
    """The sensitivity outcome of the (Omega, target ratio) calibration grid: its smallest RMS
    error (decades) and where, and the error at the defaults ``omega``, ``ratio``
    (``default_rmse``, ``None`` where the defaults are not on the grid)."""
    text = (f"smallest RMS error {best_rmse:.3f} decades at $\\Omega$ = {best_omega:g}, "
            f"target ratio {best_ratio:g}")
    if default_rmse is None:
        return text + "; the defaults are not on this grid"
    return text + (f"; the defaults ($\\Omega$ = {omega:g}, ratio {ratio:g}) give "
                   f"{default_rmse:.3f}")


__all__ = ["det_phrase", "calibration_outcome"]
