"""Tables of the Compositional CIFAR-10 runs: seed summaries, the paper's Fig. 3b and Table 1
side by side with the measured ones, and for the paper-data-scale runs
(:mod:`modscale.experiments.cifar_scale`) the per-seed frame, the ordering of the methods at every
scale and its trend (the scale study's criterion)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from modscale.paper_data import FIG3B, TABLE1
from modscale.training.cifar_models import METHOD_LABELS, METHODS

PAPER_ORDER = ("ours", "modular", "monolithic")
"""The paper's ordering of the methods (Fig. 3b at k >= 3, Table 1), best first."""

SCALE_COLUMNS = ("method", "k", "n_train", "module_dim", "seed", "accuracy", "ood_accuracy")


def scale_frame(runs: list[dict]) -> pd.DataFrame:
    """One row per network of every scale run: the columns of :data:`SCALE_COLUMNS`, then the
    accuracies under noise (``acc_noise_<std>``), accuracy on seen / unseen class tuples, the
    learning rate, parameters and the run's costs (seconds, shared by its stacked networks)."""
    rows = []
    for r in runs:
        spec = r["spec"]
        for row in r["rows"]:
            rows.append({"method": spec["method"], "k": spec["k"], "n_train": spec["n_train"],
                         "module_dim": spec["arch"]["module_dim"], "seed": row["seed"],
                         "accuracy": row["acc"], "ood_accuracy": row["acc_ood"],
                         **{c: v for c, v in row.items() if c.startswith("acc_noise_")},
                         "acc_seen": row["acc_seen"], "acc_unseen": row["acc_unseen"],
                         "frac_seen": row["frac_seen"], "lr": spec["lr"],
                         "params": r["params"], "networks": len(spec["seeds"]),
                         "train_time_s": r["train_time_s"], "init_time_s": r["init_time_s"],
                         "wall_time_s": r["wall_time_s"]})
    return pd.DataFrame(rows)


def as_accuracy_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` renamed to the columns of :func:`modscale.experiments.cifar_runs.accuracy_frame`
    (``acc``,
    ``acc_ood``), so that :func:`~modscale.experiments.cifar_runs.summary` and
    :func:`~modscale.experiments.cifar_runs.table1_frame` apply."""
    return df.rename(columns={"accuracy": "acc", "ood_accuracy": "acc_ood"})


def order_of(means: dict[str, float]) -> tuple[str, ...]:
    """Methods sorted by mean accuracy, best first."""
    return tuple(sorted(means, key=lambda m: -means[m]))


def ordering_table(df: pd.DataFrame, by: tuple[str, ...] = ("k", "module_dim", "n_train"),
                   col: str = "accuracy") -> pd.DataFrame:
    """Per group of ``by``: mean ``col`` per method, the paired (same seed) differences
    ours - modular and ours - monolithic with their standard error over seeds, the ordering
    (best first) and whether it is the paper's (:data:`PAPER_ORDER`)."""
    out = []
    for key, g in df.groupby(list(by), sort=True):
        piv = g.pivot_table(index="seed", columns="method", values=col)
        means = {m: float(piv[m].mean()) for m in METHODS if m in piv}
        row = dict(zip(by, key, strict=True)) | {f"{m}": means.get(m, np.nan) for m in METHODS}
        for other in ("modular", "monolithic"):
            if "ours" in piv and other in piv:
                d = (piv["ours"] - piv[other]).dropna()
                row[f"ours-{other}"] = float(d.mean())
                row[f"ours-{other} se"] = (float(d.std(ddof=1) / np.sqrt(len(d)))
                                           if len(d) > 1 else np.nan)
        order = order_of(means)
        row["ordering"] = " > ".join(order)
        row["paper ordering"] = set(means) == set(PAPER_ORDER) and order == PAPER_ORDER
        out.append(row)
    return pd.DataFrame(out)


def ordering_trend(holds: list[bool], reversed_at_end: bool = False) -> str:
    """How the paper's ordering behaves along a growing scale, from whether it holds at each
    scale (smallest first): ``holds at every scale``, ``is absent at every scale``, ``appears as
    the scale grows`` (absent at the smallest, holds at the largest), ``vanishes as the scale
    grows`` (the reverse), ``is reversed at the largest scale`` (absent there and the exact
    reverse ordering instead) or ``changes without a trend``."""
    if not holds:
        raise ValueError("need at least one scale")
    if all(holds):
        return "holds at every scale"
    if reversed_at_end and not holds[-1]:
        return "is reversed at the largest scale"
    if not any(holds):
        return "is absent at every scale"
    if not holds[0] and holds[-1]:
        return "appears as the scale grows"
    if holds[0] and not holds[-1]:
        return "vanishes as the scale grows"
    return "changes without a trend"


def trend_of(table: pd.DataFrame) -> str:
    """:func:`ordering_trend` of one group of :func:`ordering_table` rows, sorted by scale."""
    last = table.iloc[-1]
    means = {m: last[m] for m in PAPER_ORDER}
    return ordering_trend(list(table["paper ordering"]),
                          reversed_at_end=order_of(means) == PAPER_ORDER[::-1])


__all__ = ["PAPER_ORDER", "SCALE_COLUMNS", "scale_frame", "as_accuracy_frame", "order_of",
           "ordering_table", "ordering_trend", "trend_of"]


# --- chapter tables against the paper -------------------------------------------------

def summary(df: pd.DataFrame, col: str = "acc") -> pd.DataFrame:
    """Mean and standard error over seeds of ``col`` per (method, k)."""
    g = df.groupby(["method", "k"])[col]
    out = g.agg(["mean", "count"]).reset_index()
    out["sem"] = g.std(ddof=1).to_numpy() / np.sqrt(out["count"].to_numpy())
    return out


def paper_fig3b_frame() -> pd.DataFrame:
    """The paper's digitised Fig. 3b as rows (method, k, acc)."""
    return pd.DataFrame([{"method": m, "k": k, "acc": a} for m in METHOD_LABELS
                         for k, a in zip(FIG3B["k"], FIG3B[m], strict=True)])


def table1_frame(df: pd.DataFrame, table_k: int, noise_std: float) -> pd.DataFrame:
    """Table 1 at ``table_k``: ours vs the paper, percent, mean +- s.e. over seeds."""
    sub = df[df["k"] == table_k]
    rows = []
    for i, (method, label) in enumerate(METHOD_LABELS.items()):
        g = sub[sub["method"] == method]
        if g.empty:
            continue
        n = len(g)

        def ms(col: str, g=g, n=n) -> tuple[float, float]:
            v = 100 * g[col].to_numpy()
            return float(v.mean()), float(v.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")

        ood, ood_se = ms("acc_ood")
        noi, noi_se = ms(f"acc_noise_{noise_std:g}")
        clean, clean_se = ms("acc")
        rows.append({"method": label, "k": table_k, "n_seeds": n,
                     "ood_acc": ood, "ood_se": ood_se, "noise_acc": noi, "noise_se": noi_se,
                     "clean_acc": clean, "clean_se": clean_se,
                     "paper_ood_acc": TABLE1["combinatorial_ood_accuracy"][i],
                     "paper_noise_acc": TABLE1["accuracy_under_noise"][i]})
    return pd.DataFrame(rows)


# --- Algorithm 1 on CIFAR (modscale.experiments.cifar_alg1) -------------------------------------

def alg1_table(runs: list[dict]) -> pd.DataFrame:
    """One row per diagnosis run (:mod:`modscale.experiments.cifar_alg1`): its settings, the
    per-point objective on the mini-batches and on the fixed held-out batch at the start and
    for the returned projection (means over networks), the held-out change (percent, mean and
    range over networks) and the mean largest per-image share of the projections before and
    after."""
    from modscale.experiments.cifar_alg1 import change

    rows = []
    for r in runs:
        sp = r["spec"]
        c = 100 * change(r).numpy()
        rows.append({"b": sp["module_dim"], "variant": sp["variant"],
                     "reading": sp["objective"], "bandwidth grad": sp["bandwidth_grad"],
                     "pool": sp["pool"], "batch": sp["batch"], "lr": sp["lr"],
                     "steps": sp["steps"],
                     "mini-batch start": float(r["batch"][0].mean()),
                     "mini-batch end": float(r["batch"][-1].mean()),
                     "held-out start": float(r["heldout"][0].mean()),
                     "held-out change %": float(c.mean()),
                     "change min %": float(c.min()), "change max %": float(c.max()),
                     "share before": float(r["share_before"].mean()),
                     "share after": float(r["share_after"].mean()),
                     "networks": int(sp["n_models"]), "wall_time_s": float(r["wall_time_s"])})
    return pd.DataFrame(rows)


def oracle_table(runs: list[dict]) -> pd.DataFrame:
    """The image-aligned oracle of every module dimension (first run of each ``b``): per reading,
    the held-out objective at the random start and at its image-aligned restriction, and the
    aligned projection's difference in percent (negative: the objective prefers the structure
    the initialiser is meant to find)."""
    rows, seen = [], set()
    for r in runs:
        b = r["spec"]["module_dim"]
        if b in seen or "oracle" not in r:
            continue
        seen.add(b)
        for reading, v in r["oracle"].items():
            rnd, ali = v[0].numpy(), v[1].numpy()
            rows.append({"b": b, "reading": reading, "random start": float(rnd.mean()),
                         "image-aligned": float(ali.mean()),
                         "aligned - random %": float(100 * np.mean(ali / rnd - 1))})
    return pd.DataFrame(rows)
