"""Verdicts of the sine-wave chapter (Fig. 1, Fig. 2, the monolithic Fig. 3a slope)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from modscale.report.analysis import slope_per_dim
from modscale.report.evidence import (
    MIN_SEEDS,
    Effect,
    slope_effect,
)
from modscale.report.verdicts.core import (
    Verdict,
    _judged,
    _not_measurable,
    fmt,
    fmt_seq,
    spearman,
)


@_judged
def fig1_module(amplitudes: Sequence[float], frequencies: Sequence[float],
                paper_amplitudes: Sequence[float], paper_frequencies: Sequence[float]) -> Verdict:
    """The task's module uses the amplitudes and frequencies fitted to the paper's Fig. 1."""
    crit = ("drawn from the task generator; reproduced if its amplitudes and frequencies equal "
            "those fitted to the paper's figure (phases are random), else partly")
    match = (len(amplitudes) == len(paper_amplitudes) == len(frequencies)
             == len(paper_frequencies)
             and np.allclose(amplitudes, paper_amplitudes)
             and np.allclose(frequencies, paper_frequencies))
    return Verdict("fig1_module", "reproduced" if match else "partly",
                   f"amplitudes {fmt_seq(amplitudes, 'g')}, frequencies "
                   f"{fmt_seq(frequencies, 'g')}, random phases",
                   f"amplitudes {fmt_seq(paper_amplitudes, 'g')}, frequencies "
                   f"{fmt_seq(paper_frequencies, 'g')} (fitted to the figure)", crit,
                   {"match": bool(match)})


@_judged
def fig2_k_invariance(ks: Sequence[int], test: np.ndarray, *, paper: Mapping[str, Any],
                      m: int, n: int, max_change: float = 1.25) -> Verdict:
    """Test loss invariant in k, as a trend test against seed noise: each seed's least-squares
    slope of log test loss against k, averaged over seeds with its 95 % interval, expressed as
    the factor by which the loss changes over the k range; invariance is *reproduced* if the
    whole interval lies within [1/``max_change``, ``max_change``] (with >= 5 seeds), *not
    reproduced* if it lies entirely outside, *inconclusive* otherwise.

    ``test``: (seeds, len(ks)) test losses (mean over architectures). ``paper``:
    ``paper_data.FIG2_K``.
    """
    lo, hi = paper["actual_test_range_k3_9"]
    p_spread = max(paper["actual_test_k2"], hi) / lo
    paper_txt = (f"test {paper['actual_test_k2']} at k = 2, {lo}-{hi} at k = 3..9 (max/min "
                 f"{p_spread:.2f}); theory flat at {paper['predicted_test']}")
    crit = (f"per seed: slope of log test loss against k, as the change factor over k = "
            f"{min(ks)}-{max(ks)}; reproduced if its 95 % interval over seeds lies within "
            f"[1/{max_change:g}, {max_change:g}] with >= 5 seeds, not reproduced if it lies "
            "outside, inconclusive otherwise")
    t = np.asarray(test, float)
    if t.ndim != 2 or t.shape[1] != len(ks) or len(ks) < 2 or not np.all(np.isfinite(t)) \
            or np.any(t <= 0):
        return _not_measurable("fig2_k_invariance", "need (seeds, k) positive test losses at "
                               ">= 2 k", paper_txt, crit)
    span_k = float(max(ks) - min(ks))
    sl = slope_effect(ks, np.log(t))
    e = Effect(math.exp(sl.effect * span_k), math.exp(sl.ci_low * span_k)
               if math.isfinite(sl.ci_low) else float("nan"),
               math.exp(sl.ci_high * span_k) if math.isfinite(sl.ci_high) else float("nan"),
               1.0, sl.seeds, "ratio")
    inside = math.isfinite(e.ci_low) and 1 / max_change <= e.ci_low and e.ci_high <= max_change
    outside = math.isfinite(e.ci_low) and (e.ci_low > max_change or e.ci_high < 1 / max_change)
    if inside and e.seeds >= MIN_SEEDS:
        verdict, why = "reproduced", "the interval lies within the tolerance"
    elif outside:
        verdict, why = "not reproduced", "the interval lies outside the tolerance (a trend)"
    else:
        verdict = "inconclusive"
        why = ("fewer than 5 seeds" if inside else "no interval" if e.seeds < 2
               else "the interval crosses the tolerance")
    mean = t.mean(0)
    measured = (f"mean test {fmt_seq(mean)} at k = {fmt_seq(ks, 'g')}; change over the k range "
                f"{e.text('.2f')} (m = {m}, n = {n}); {why}")
    return Verdict("fig2_k_invariance", verdict, measured, paper_txt, crit,
                   {"ratio": float(mean.max() / mean.min()), "change": e.effect},
                   effect=e, min_effect=max_change)


@_judged
def fig2_m_sublinear(ms: Sequence[int], test: Sequence[float], *, paper_m: Sequence[int],
                     paper_test: Sequence[float], min_spearman: float = 0.8,
                     tolerance: float = 0.2) -> Verdict:
    """Test loss rises with m (Spearman or monotone) and sublinearly: the upper-half slope is
    below the lower-half one by more than ``tolerance`` (relative), so that two nearly equal
    slopes do not count as a bend."""
    crit = (f"increases if Spearman(m, mean test loss) > {min_spearman:g} or the loss is "
            "monotone; sublinear if the linear-fit slope over the upper half of the m range is "
            f"at most {1 - tolerance:g}× that over the lower half; reproduced if both, partly if "
            "it only increases; not tested with fewer than 3 m")

    def shape(mv, te):
        mv, te = np.asarray(mv, float), np.asarray(te, float)
        h = len(mv) // 2
        return (spearman(mv, te), float(np.polyfit(mv[:h + 1], te[:h + 1], 1)[0]),
                float(np.polyfit(mv[h:], te[h:], 1)[0]))

    prho, ps_lo, ps_hi = shape(paper_m, paper_test)
    paper_txt = (f"test {paper_test[0]} → {paper_test[-1]} from m = {paper_m[0]} to "
                 f"{paper_m[-1]}; Spearman {prho:.2f}; slope {ps_lo:.3f}/dim (lower half) vs "
                 f"{ps_hi:.3f} (upper half)")
    t = np.asarray(test, float)
    if len(ms) < 3 or not np.all(np.isfinite(t)):
        return _not_measurable("fig2_m_sublinear", "fewer than 3 m with a finite test loss",
                               paper_txt, crit)
    rho, s_lo, s_hi = shape(ms, t)
    up = bool((np.isfinite(rho) and rho > min_spearman) or np.all(np.diff(t) > 0))
    sub = bool(s_hi <= (1 - tolerance) * s_lo)
    measured = (f"test {fmt(t[0], '.3f')} → {fmt(t[-1], '.3f')} from m = {ms[0]} to {ms[-1]}; "
                f"Spearman {fmt(rho, '.2f')}; slope {fmt(s_lo, '.3f')}/dim vs {fmt(s_hi, '.3f')}")
    verdict = "reproduced" if up and sub else "partly" if up else "not reproduced"
    return Verdict("fig2_m_sublinear", verdict, measured, paper_txt, crit,
                   {"rise": float(t[-1] / t[0]), "spearman": rho, "increases": up,
                    "sublinear": sub})


@_judged
def fig2_p_double_descent(p: Sequence[float], test: Sequence[float], *, n: int,
                          paper: Mapping[str, Any], factor: float = 2.0) -> Verdict:
    """A test-loss peak at an interior architecture whose p is within ``factor`` of n.

    ``paper``: ``paper_data.FIG2_P``.
    """
    paper_txt = (f"test {paper['actual_test_p1e2']} at p = 100, peak {paper['actual_test_peak']} "
                 f"at p ≈ {paper['actual_test_peak_p']:.0f}, then "
                 f"{fmt_seq(paper['actual_test_after_peak'], 'g')}")
    crit = (f"reproduced if the largest mean test loss over the architectures is an interior "
            f"point (loss lower on both sides) at a p within a factor {factor:g} of n; not "
            "tested with fewer than 3 architectures")
    pv, t = np.asarray(p, float), np.asarray(test, float)
    if len(t) < 3 or not np.all(np.isfinite(t)):
        return _not_measurable("fig2_p_double_descent",
                               "fewer than 3 architectures with a finite test loss", paper_txt,
                               crit)
    i = int(np.argmax(t))
    near = bool(abs(math.log(pv[i] / n)) <= math.log(factor))
    interior = bool(0 < i < len(t) - 1)
    measured = (f"mean test {fmt_seq(t)} at p ≈ {fmt_seq(np.round(pv), '.0f')} (n = {n}); "
                f"max at p ≈ {fmt(pv[i], '.0f')}")
    return Verdict("fig2_p_double_descent", "reproduced" if near and interior
                   else "not reproduced", measured, paper_txt, crit,
                   {"peak_p": float(pv[i]), "near": near, "interior": interior})


@_judged
def fig2_n_convergence(ns: Sequence[int], test: Sequence[float], train: Sequence[float], *,
                       paper: Mapping[str, Any], min_fall: float = 2.0,
                       max_gap: float = 0.25) -> Verdict:
    """Test loss falls by > ``min_fall`` over the n range; ``|test - train|/test < max_gap``.

    ``paper``: ``paper_data.FIG2_N``.
    """
    pn = paper
    pfall = pn["actual_test"][0] / pn["actual_test"][-1]
    pgap = abs(pn["actual_test"][-1] - pn["train_large_n"]) / pn["actual_test"][-1]
    paper_txt = (f"test falls ×{pfall:.1f} from n = {pn['n'][0]:.0f} to {pn['n'][-1]:.0f}; "
                 f"|test - train|/test at n = {pn['n'][-1]:.0f}: {100 * pgap:.0f} %")
    crit = (f"reproduced if the mean test loss falls by more than ×{min_fall:g} from the "
            f"smallest to the largest n and |test - train|/test < {100 * max_gap:g} % at the "
            "largest n; partly if only one holds")
    te, tr = np.asarray(test, float), np.asarray(train, float)
    if len(te) < 2 or not (np.isfinite(te[[0, -1]]).all() and np.isfinite(tr[-1])):
        return _not_measurable("fig2_n_convergence", "fewer than 2 n with finite losses",
                               paper_txt, crit)
    fall = float(te[0] / te[-1])
    gap = float(abs(te[-1] - tr[-1]) / te[-1])
    ok = (fall > min_fall, gap < max_gap)
    measured = (f"test falls ×{fmt(fall, '.1f')} from n = {ns[0]} to {ns[-1]}; |test - train|/test "
                f"at n = {ns[-1]}: {fmt(100 * gap, '.0f')} %")
    verdict = "reproduced" if all(ok) else "partly" if any(ok) else "not reproduced"
    return Verdict("fig2_n_convergence", verdict, measured, paper_txt, crit,
                   {"fall": fall, "gap": gap, "train_first": float(tr[0])})


def _rms_log(a: Sequence[float], b: Sequence[float]) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    ok = np.isfinite(a) & np.isfinite(b) & (a > 0) & (b > 0)
    return float(np.sqrt(np.mean(np.log(a[ok] / b[ok]) ** 2))) if ok.any() else float("nan")


@_judged
def fig2_theory_fit(predicted_m: Sequence[float], measured_m: Sequence[float], *,
                    paper_predicted: Sequence[float], paper_measured: Sequence[float],
                    predicted_n_far: Sequence[float] = (), measured_n_far: Sequence[float] = (),
                    good: float = 1.5, fair: float = 3.0) -> Verdict:
    """The fitted theory predicts the measured test loss *on the panel it was not fitted on*:
    Omega is fitted on the m-panel, so the verdict is the n-panel's RMS log error (n outside
    [p/2, 2p]) against the paper's own m-panel error (digitised); the m-panel error is shown as
    the fitted reference. With no n-panel point the claim is judged on the fitted panel, as
    *fitted* evidence (at most *consistent*)."""
    paper_rms = _rms_log(paper_predicted, paper_measured)
    crit = (f"Ω is fitted on the m-panel; reproduced if the RMS error in log test loss on the "
            f"n-panel (n outside [p/2, 2p], not fitted) is at most {good:g}× the paper's own "
            f"m-panel error, partly if at most {fair:g}×, not reproduced otherwise")
    paper_txt = f"m-panel: RMS log(predicted/measured) {paper_rms:.2f}"
    rms = _rms_log(predicted_m, measured_m)
    n_rms = _rms_log(predicted_n_far, measured_n_far)
    judged, evidence = (n_rms, "held-out") if np.isfinite(n_rms) else (rms, "fitted")
    if not np.isfinite(judged):
        return _not_measurable("fig2_theory_fit", "no finite panel point", paper_txt, crit)
    verdict = ("reproduced" if judged <= good * paper_rms else "partly"
               if judged <= fair * paper_rms else "not reproduced")
    n_txt = (f"n-panel, n outside [p/2, 2p]: {fmt(n_rms, '.2f')} (not fitted; "
             f"{fmt(n_rms / paper_rms, '.2f')}x the paper's)" if np.isfinite(n_rms)
             else "no n-panel point outside [p/2, 2p] at this profile (judged on the fitted "
                  "panel)")
    return Verdict("fig2_theory_fit", verdict,
                   n_txt + f"; m-panel: {fmt(rms, '.2f')} (Ω fitted on it)", paper_txt, crit,
                   {"rms": rms, "paper_rms": paper_rms, "n_rms": n_rms}, evidence=evidence)


@_judged
def fig2_held_out(quantities: Sequence[str], paper: Sequence[float],
                  measured: Sequence[float], *, fit_rms: float, within: float = 1.25,
                  good: float = 1.5, fair: float = 3.0) -> Verdict:
    """The held-out numbers of the calibrated task are predicted about as well as the fitted
    ones: their RMS log residual against the calibration's own (``fit_rms``, on the fitted
    level numbers) -- reproduced if at most ``good`` times it, partly if at most ``fair`` times.
    The share within a factor ``within`` of the paper is reported beside it."""
    crit = (f"reproduced if the RMS log residual of the held-out numbers is at most {good:g}× "
            f"that of the fitted ones, partly if at most {fair:g}×, not reproduced otherwise; "
            "none of the held-out numbers was used to choose the task's knobs")
    paper_txt = f"{len(quantities)} numbers read off Fig. 2 and Fig. 3a"
    r = np.log(np.asarray(measured, float) / np.asarray(paper, float))
    ok = np.isfinite(r)
    if ok.sum() < 3:
        return _not_measurable("fig2_held_out", f"only {int(ok.sum())} held-out numbers are "
                                "finite (3 needed)", paper_txt, crit)
    inside = np.abs(r[ok]) <= math.log(within)
    share = float(inside.mean())
    rms = float(np.sqrt(np.mean(r[ok] ** 2)))
    worst = int(np.argmax(np.where(ok, np.abs(r), -1)))
    ratio = rms / fit_rms if fit_rms > 0 else float("inf")
    verdict = ("reproduced" if ratio <= good else "partly" if ratio <= fair
               else "not reproduced")
    measured_txt = (f"RMS log residual {rms:.2f} held out vs {fmt(fit_rms, '.2f')} fitted "
                    f"({fmt(ratio, '.2f')}x); {int(inside.sum())} of {int(ok.sum())} within a "
                    f"factor {within:g} ({100 * share:.0f} %); worst: {quantities[worst]} "
                    f"({fmt(np.exp(r[worst]), '.2f')}x the paper's)")
    return Verdict("fig2_held_out", verdict, measured_txt, paper_txt, crit,
                   {"share": share, "rms": rms, "fit_rms": fit_rms, "ratio": ratio,
                    "n": int(ok.sum()),
                    "within": int(inside.sum()), "worst": quantities[worst]})


@_judged
def fig3a_monolithic_slope(ms: Sequence[int], n_geo: Sequence[float], *, paper_m: Sequence[int],
                           paper_n: Sequence[float], paper_threshold: float, threshold: float,
                           reached: int, total: int, at_lower_bound: int,
                           factor: float = 2.0) -> Verdict:
    """Decades per dimension of the monolithic sample complexity vs the paper's."""
    pslope = slope_per_dim(paper_m, paper_n)
    paper_txt = (f"monolithic: {pslope:.3f} decades/dim (log-linear fit, m = {paper_m[0]}-"
                 f"{paper_m[-1]}, test loss {paper_threshold:g})")
    crit = (f"reproduced if the log-linear slope of the geometric-mean n over architectures is "
            f"within a factor {factor:g} of the paper's monolithic slope, partly if only "
            "positive, not reproduced otherwise")
    slope = slope_per_dim(ms, n_geo)
    tail = (f" (test loss {threshold:g}, m = {ms[0]}-{ms[-1]}; {reached}/{total} "
            f"(m, architecture) reach it, {at_lower_bound} at the grid's lower bound)")
    if not np.isfinite(slope):
        return _not_measurable("fig3a_monolithic", "fewer than 2 m reached the threshold" + tail,
                               paper_txt, crit, slope=slope, paper_slope=pslope)
    ok = pslope / factor <= slope <= factor * pslope
    verdict = "reproduced" if ok else "partly" if slope > 0 else "not reproduced"
    return Verdict("fig3a_monolithic", verdict, f"{fmt(slope, '.3f')} decades/dim" + tail,
                   paper_txt, crit, {"slope": slope, "paper_slope": pslope})


