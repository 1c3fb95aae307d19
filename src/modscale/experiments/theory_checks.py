"""The theory chapter's Monte-Carlo check of the closed form (experiment
``theory_mc_validation``): one case holds every setting its result depends on."""

from __future__ import annotations

from modscale.theory.monolithic import compare_with_monte_carlo, validation_spectrum


def run_mc_case(case: dict) -> dict:
    """Closed-form against Monte-Carlo train and test loss for one case: ``spectrum`` (a
    validation spectrum name), ``n``, ``p``, ``d``, ``m``, ``P`` (features), ``c``, ``omega``,
    ``s``, ``trials``, ``seed`` and the formula ``method``."""
    lam, tail = validation_spectrum(case["spectrum"], case["P"], case["m"], c=case["c"],
                                    omega=case["omega"], s=case["s"])
    row = compare_with_monte_carlo(case["n"], case["p"], d=case["d"], lam=lam, tail=tail,
                                   trials=case["trials"], seed=case["seed"],
                                   method=case["method"])
    return {"spectrum": case["spectrum"], **row}


__all__ = ["run_mc_case"]
