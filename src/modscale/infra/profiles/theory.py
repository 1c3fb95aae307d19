"""Parameters of the theory chapters: "theory" (monolithic, paper Section 3) and
"modular_theory" (paper Section 4, Theorem 2)."""

from __future__ import annotations

from dataclasses import dataclass

from . import ConfigError, field, register

_KINDS = ("telescoping", "power_law")
_METHODS = ("auto", "exact", "deterministic")
_BRANCHES = ("underparameterised", "any")


@dataclass(frozen=True)
class TheoryConfig:
    """Monolithic theory: formulas vs Monte Carlo, double descent, sample complexity vs m."""

    seed: int = field(0, help="seed of the Monte-Carlo simulations", min=0)
    spectrum_kind: str = field("telescoping", help="feature spectrum tied to m",
                               choices=_KINDS)
    c: float = field(1.0, help="total task variance Tr(Lambda) (loss units)", min=1e-12)
    omega: float = field(1.5, help="telescoping spectrum: exponent a = omega^-m", min=1.0001)
    s: float = field(1.0, help="power-law spectrum: smoothness s in lam_i ~ i^-(1+2s/m)",
                     min=1e-3)
    d: int = field(1, help="number of outputs (N = d n equations)", min=1)
    method: str = field("auto", help="overparameterised formula", choices=_METHODS)
    target_ratio: float = field(1.0, help="required-n target loss, in units of d*c (1 = the "
                                "loss of the zero predictor)", min=1e-6)
    branch: str = field("underparameterised", help="where required n is searched",
                        choices=_BRANCHES)
    # Monte-Carlo validation grid.
    mc_trials: int = field(40, help="Monte-Carlo trials per grid point", min=2)
    mc_features: int = field(160, help="explicit task features in the simulation (the "
                             "spectrum's remaining variance is added as noise)", min=2)
    mc_m: float = field(3.0, help="task dimension m of the validation spectra", min=0.1)
    mc_n: tuple = field((24,), help="sample counts n of the validation grid", min=1)
    mc_p: tuple = field((8, 40, 80), help="parameter counts p of the validation grid", min=1)
    mc_d: tuple = field((1, 2), help="output counts d of the validation grid", min=1)
    mc_spectra: tuple = field(("telescoping", "power_law", "isotropic"),
                              help="spectra of the validation grid",
                              choices=_KINDS + ("isotropic",))
    # Double descent (small scale with Monte Carlo; paper scale theory only).
    dd_small_n: int = field(40, help="n of the small-scale p-sweep", min=2)
    dd_small_p: int = field(40, help="p of the small-scale n-sweep", min=2)
    dd_small_points: int = field(6, help="Monte-Carlo points per small-scale sweep", min=2)
    dd_paper_n: int = field(1000, help="n of the paper-scale p-sweep", min=2)
    dd_paper_p: int = field(1000, help="p of the paper-scale n-sweep", min=2)
    dd_m: tuple = field((2.0, 5.0, 9.0), help="task dimensions of the double-descent curves",
                        min=0.1)
    curve_points: int = field(60, help="points of each theory curve", min=8)
    # Sample complexity vs m.
    m_values: tuple = field((2, 3, 4, 5, 6, 7, 8, 9), help="task dimensions m", min=1)
    widths: tuple = field((8, 32, 128), help="MLP widths giving p", min=1)
    depths: tuple = field((3, 5, 7), help="MLP depths (linear layers) giving p", min=1)
    calib_omegas: tuple = field((1.4, 1.5, 1.6), help="omega grid of the calibration table",
                                min=1.0001)
    calib_ratios: tuple = field((0.95, 1.0, 1.05), help="target-ratio grid of the "
                                "calibration table", min=1e-6)

    def validate(self) -> None:
        if max(self.mc_p) > self.mc_features:
            raise ConfigError(f"parameter 'mc_p': {max(self.mc_p)} exceeds 'mc_features' = "
                              f"{self.mc_features} (the model sees the top p features)")
        if self.dd_small_p > self.mc_features:
            raise ConfigError("parameter 'dd_small_p' must be <= 'mc_features'")


register("theory", TheoryConfig, {
    "smoke": {},
    "book": {"mc_trials": 1000, "mc_features": 400, "mc_n": (25, 60), "mc_p": (10, 40, 100, 200),
             "dd_small_points": 14, "curve_points": 200,
             "calib_omegas": (1.3, 1.4, 1.45, 1.5, 1.55, 1.6, 1.7),
             "calib_ratios": (0.9, 0.95, 1.0, 1.02, 1.05, 1.1, 1.2)},
    "paper": {"mc_trials": 4000, "mc_features": 800, "mc_n": (25, 60, 150),
              "mc_p": (10, 40, 100, 200, 400), "mc_d": (1, 2, 3), "dd_small_points": 24,
              "curve_points": 400,
              "calib_omegas": tuple(round(1.3 + 0.025 * i, 3) for i in range(17)),
              "calib_ratios": tuple(round(0.9 + 0.025 * i, 3) for i in range(13))},
})


@dataclass(frozen=True)
class ModularTheoryConfig:
    """Modular theory: aligned vs random module projections, formulas vs Monte Carlo."""

    seed: int = field(0, help="seed of projections and Monte-Carlo simulations", min=0)
    spectrum_kind: str = field("telescoping", help="feature spectrum tied to the dimension",
                               choices=_KINDS)
    c: float = field(1.0, help="total task variance (loss units)", min=1e-12)
    omega: float = field(1.5, help="telescoping spectrum: exponent a = omega^-dim",
                         min=1.0001)
    s: float = field(1.0, help="power-law spectrum smoothness", min=1e-3)
    d: int = field(1, help="number of outputs", min=1)
    method: str = field("auto", help="overparameterised formula", choices=_METHODS)
    target_ratio: float = field(1.0, help="required-n target loss in units of d*c", min=1e-6)
    k: int = field(4, help="task modules k (= model modules K)", min=1)
    q: int = field(25, help="features (parameters) per module", min=1)
    m_values: tuple = field((2, 3, 4, 5, 6, 7, 8, 9), help="input dimensions m", min=1)
    task_directions: str = field("random", help="task module directions u_i",
                                 choices=("random", "orthogonal"))
    projection_draws: int = field(20, help="random draws of projections averaged per m",
                                  min=1)
    mc_trials: int = field(40, help="Monte-Carlo trials per point", min=2)
    mc_m: int = field(6, help="input dimension of the Monte-Carlo check", min=1)
    mc_q: int = field(3, help="features per module in the Monte-Carlo check", min=1)
    mc_points: int = field(5, help="n values of the Monte-Carlo check", min=2)
    curve_points: int = field(60, help="points of each theory curve", min=8)
    hermite_samples: int = field(20000, help="inputs x of the Hermite covariance check",
                                 min=100)


register("modular_theory", ModularTheoryConfig, {
    "smoke": {},
    "book": {"projection_draws": 200, "mc_trials": 1000, "mc_points": 10, "curve_points": 200,
             "hermite_samples": 200000},
    "paper": {"projection_draws": 1000, "mc_trials": 2000, "mc_points": 16,
              "curve_points": 400, "hermite_samples": 1000000},
})
