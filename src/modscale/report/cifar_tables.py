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


# --- frames the chapter shows -------------------------------------------------------------------

STAGES = {"random init": "energy_init", "after Algorithm 1": "energy_after_init",
          "after training": "energy_final"}
"""Stage of a modular network -> the run payload's per-image share of its projections there."""


def sweep_table(runs: list[dict]) -> pd.DataFrame:
    """Validation accuracy of a learning-rate sweep (runs of
    :func:`modscale.experiments.cifar_scale.scale_run`): one row per rate, one column per method
    label, rounded to 4 decimals."""
    ss = pd.DataFrame([{"method": METHOD_LABELS[r["spec"]["method"]], "lr": r["spec"]["lr"],
                        "val_acc": r["rows"][0]["val_acc"]} for r in runs])
    return ss.pivot(index="lr", columns="method", values="val_acc").round(4)


def best_per_noise(df: pd.DataFrame, methods: list[str] | tuple[str, ...]) -> dict[str, str]:
    """{noise std as written in the column ``acc_noise_<std>``: the method with the best mean
    accuracy there} over the rows of ``df`` (one k)."""
    noise_cols = [c for c in df.columns if c.startswith("acc_noise_")]
    return {c.removeprefix("acc_noise_"): max(methods,
                                               key=lambda m_: df[df["method"] == m_][c].mean())
            for c in noise_cols}


def selectivity_frame(results: list[dict], methods: list[str] | tuple[str, ...],
                      ks: list[int] | tuple[int, ...]) -> pd.DataFrame:
    """The mean largest per-image share of the projections of the chapter's runs
    (:func:`modscale.experiments.cifar_runs.main_runs`) per method label, k and stage
    (:data:`STAGES`, those the runs recorded), over all networks and modules, with 1/k."""
    import torch

    rows = []
    for method in methods:
        for k in ks:
            rs = [r for r in results if r["spec"]["method"] == method and r["spec"]["k"] == k]
            for stage, key in STAGES.items():
                if key in rs[0]:
                    share = torch.cat([r[key].max(-1).values.flatten() for r in rs])
                    rows.append({"method": METHOD_LABELS[method], "k": k, "stage": stage,
                                 "mean max share": float(share.mean()), "1/k": 1 / k})
    return pd.DataFrame(rows)


def selectivity_table(sel: pd.DataFrame, methods: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """:func:`selectivity_frame` as a table: rows (method label, stage) in the order of
    ``methods`` and :data:`STAGES`, one column per k, rounded to 3 decimals."""
    table = sel.pivot_table(index=["method", "stage"], columns="k", values="mean max share")
    order = [(METHOD_LABELS[m], st) for m in methods for st in STAGES]
    return table.reindex([o for o in order if o in table.index]).round(3)


def epochs_table(runs: list[dict], methods: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """Test accuracy (mean over networks) after each evaluated epoch of the epochs comparison
    (:func:`modscale.experiments.cifar_runs.epoch_runs`): one row per epoch count, one column
    per method label, rounded to 3 decimals."""
    rows = []
    for r in runs:
        for e, a in zip(r["spec"]["eval_epochs"], r["acc"], strict=True):
            rows.append({"method": METHOD_LABELS[r["spec"]["method"]], "epochs": e,
                         "test acc": float(a.mean())})
    table = pd.DataFrame(rows).pivot(index="epochs", columns="method", values="test acc")
    return table[[METHOD_LABELS[m] for m in methods]].round(3)


def store_provenance(rows: pd.DataFrame) -> pd.DataFrame:
    """The committed entries of an experiment (:func:`modscale.infra.cache.store_status`
    rows) grouped by commit, device, version and whether the code changed since: number of
    entries, the days computed and the compute time (minutes)."""
    prov = (rows.assign(day=rows["date"].str[:10])
            .groupby(["commit", "device", "version", "code_changed"], as_index=False)
            .agg(entries=("file", "size"), computed=("day", lambda d: ", ".join(sorted(set(d)))),
                 wall_min=("wall_time_s", lambda w: round(float(np.nansum(w)) / 60, 1))))
    return prov.rename(columns={"wall_min": "compute (min)", "code_changed": "code changed since"})


SHORT_NAMES = {"monolithic": "mono", "modular": "modular", "ours": "ours"}
"""Short column names of the methods in :func:`scale_comparison`."""


def scale_comparison(runs: dict[str, pd.DataFrame],
                     methods: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """Mean accuracy per k of several runs and the paper's Fig. 3b side by side: ``runs``
    {source label: rows (method, k, mean) as :func:`summary`}; rows are the k of the first
    source, columns (source or ``paper``, short method name)."""
    first = next(iter(runs.values()))
    cmp = pd.concat({**{src: a.pivot(index="k", columns="method", values="mean")
                        for src, a in runs.items()},
                     "paper": pd.DataFrame({m: FIG3B[m] for m in methods},
                                           index=pd.Index(FIG3B["k"], name="k"))}, axis=1)
    cmp = cmp.loc[sorted(first["k"].unique())]
    cmp = cmp[[(src, m) for src in (*runs, "paper") for m in methods]]
    cmp.columns = pd.MultiIndex.from_tuples([(src, SHORT_NAMES[m]) for src, m in cmp.columns])
    return cmp


def scale_trends(order_tab: pd.DataFrame) -> dict[tuple, str]:
    """{(k, module_dim): :func:`trend_of`} for every group of :func:`ordering_table` rows run
    at more than one number of training combinations."""
    trends = {}
    for (k, b), g in order_tab.groupby(["k", "module_dim"]):
        if g["n_train"].nunique() > 1:
            trends[(k, b)] = trend_of(g.sort_values("n_train"))
    return trends


def ordering_view(order_tab: pd.DataFrame, methods: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """:func:`ordering_table` as the chapter shows it: means rounded to 4 decimals, the paired
    differences in points with their standard error ("—" where a method is missing), method
    labels and short column names, the paper's ordering as yes / no."""
    view = order_tab.copy()
    for m in methods:
        view[m] = view[m].round(4)
    for c in ("ours-modular", "ours-monolithic"):
        view[c] = [f"{100 * d:+.1f} ± {100 * s:.1f}" if np.isfinite(d) else "—"  # no mono at b > b0
                   for d, s in zip(view[c], view[f"{c} se"], strict=True)]
    view = view.drop(columns=["ours-modular se", "ours-monolithic se"]).rename(
        columns={**{m: METHOD_LABELS[m] for m in methods}, "module_dim": "b",
                 "ours-modular": "ours - modular (points)",
                 "ours-monolithic": "ours - mono (points)", "n_train": "n"})
    view["paper ordering"] = view["paper ordering"].map({True: "yes", False: "no"})
    return view


def dim_accuracy(study: pd.DataFrame, k: int, n_train: int) -> pd.Series:
    """Mean accuracy of the modular methods per (method, module_dim) at ``k`` and ``n_train``
    combinations (the module-dimension comparison of the scale study; ``study``: rows of
    :func:`scale_frame`)."""
    dims = study[(study["k"] == k) & (study["n_train"] == n_train)
                 & (study["method"] != "monolithic")]
    return dims.groupby(["method", "module_dim"])["accuracy"].mean()


def alg1_view(a1: pd.DataFrame) -> pd.DataFrame:
    """:func:`alg1_table` as the chapter shows it: objectives to 2 decimals, changes signed
    percent, shares to 4 decimals."""
    view = a1[["b", "variant", "mini-batch start", "mini-batch end", "held-out start",
               "held-out change %", "change min %", "change max %", "share before",
               "share after"]].copy()
    for c in ("mini-batch start", "mini-batch end", "held-out start"):
        view[c] = view[c].round(2)
    for c in ("held-out change %", "change min %", "change max %"):
        view[c] = view[c].map(lambda v: f"{v:+.2f}")
    for c in ("share before", "share after"):
        view[c] = view[c].round(4)
    return view


def oracle_view(orc: pd.DataFrame) -> pd.DataFrame:
    """:func:`oracle_table` as the chapter shows it: objectives to 3 decimals, the difference
    signed percent."""
    view = orc.copy()
    for c in ("random start", "image-aligned"):
        view[c] = view[c].round(3)
    view["aligned - random %"] = view["aligned - random %"].map(lambda v: f"{v:+.1f}")
    return view


def alg1_mean_change(run: dict) -> float:
    """Mean over networks of the relative change (percent) of the held-out objective of one
    diagnosis run (:func:`modscale.experiments.cifar_alg1.change`)."""
    from modscale.experiments.cifar_alg1 import change

    return float((100 * change(run).numpy()).mean())


def paper_dim_summary(pdf: pd.DataFrame, methods: list[str] | tuple[str, ...], table_k: int,
                      noise_std: float, lrs: dict[str, float]) -> pd.DataFrame:
    """The paper-dimension runs at ``table_k`` (``pdf``: rows of :func:`scale_frame`), one row
    per method: seeds, learning rate, test, OOD and noisy-input accuracy (percent, mean ± s.e.)
    and the paper's Fig. 3b accuracy at that k ("—" where the paper has no such k)."""
    rows = []
    for m in methods:
        g = pdf[(pdf["method"] == m) & (pdf["k"] == table_k)]
        if g.empty:
            continue
        row = {"method": METHOD_LABELS[m], "seeds": len(g), "lr": lrs[m],
               "test acc": f"{100 * g['accuracy'].mean():.2f} ± "
                           f"{100 * g['accuracy'].std() / np.sqrt(len(g)):.2f}",
               "OOD acc": f"{100 * g['ood_accuracy'].mean():.2f} ± "
                          f"{100 * g['ood_accuracy'].std() / np.sqrt(len(g)):.2f}"}
        col = f"acc_noise_{noise_std:g}"
        if col in g:
            row["noise acc"] = (f"{100 * g[col].mean():.2f} ± "
                                f"{100 * g[col].std() / np.sqrt(len(g)):.2f}")
        pk = FIG3B["k"].index(table_k) if table_k in FIG3B["k"] else None
        row["paper Fig. 3b"] = f"{100 * FIG3B[m][pk]:.1f}" if pk is not None else "—"
        rows.append(row)
    return pd.DataFrame(rows)


# --- per-seed inputs of the verdicts --------------------------------------------------------------

def per_seed_at(frame: pd.DataFrame, col: str, k: int, methods: list[str] | tuple[str, ...],
                scale_by: float = 1.0) -> dict[str, np.ndarray]:
    """{method: (seeds,) values of ``col`` at ``k``}, seed-aligned (sorted by seed), times
    ``scale_by``."""
    sub = frame[frame["k"] == k].sort_values("seed")
    return {m: scale_by * sub[sub["method"] == m][col].to_numpy() for m in methods}


def final_share_per_seed(results: list[dict], method: str, k: int) -> np.ndarray:
    """Mean largest per-image share of each network's projections after training, at ``k``
    (one value per seed, seed order; the chapter's runs)."""
    import torch

    rs = sorted((r for r in results if r["spec"]["method"] == method and r["spec"]["k"] == k),
                key=lambda r: r["spec"]["seeds"][0])
    return torch.cat([r["energy_final"].max(-1).values.mean(-1) for r in rs]).numpy()


def paper_dim_share(runs: list[dict], method: str, k: int,
                    name: str = "energy_max_final") -> np.ndarray:
    """The same at the paper's module dimension (runs of
    :func:`modscale.experiments.cifar_scale.paper_dim_runs` recording ``name``), seed order;
    empty if none."""
    rs = sorted((r for r in runs if r["spec"]["method"] == method
                 and r["spec"]["k"] == k and name in r),
                key=lambda r: r["spec"]["seeds"][0])
    return np.concatenate([r[name].numpy() for r in rs]) if rs else np.array([])
