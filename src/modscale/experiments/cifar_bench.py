"""Benchmark of the Compositional CIFAR-10 training: fp32 against bf16 autocast, same run.

    python -m modscale.experiments.cifar_bench [--k 4 --n-train 4096 --seeds 2 --profile book
                                               --json PATH]

For every method (monolithic, the modular baseline, ours -- Algorithm 1 is not timed, only the
end-to-end training it shares with the baseline) and both precisions, trains ``--seeds`` networks
at once (stacked) for one epoch over ``--n-train`` k-image combinations with the architecture of
``--profile``, on the same data and initialisation, and reports:

- training combinations per second per network, and the bf16/fp32 speed ratio;
- the achieved GFLOP/s (``6 x parameters`` per combination: forward 2x, backward 4x) and its
  fraction of this machine's matmul rate measured in the same run
  (:func:`modscale.training.bench.measured_matmul_tflops`, fp32 and bf16);
- the test accuracy of both runs (mean and spread over the networks), so that the agreement of
  bf16 with fp32 can be read against the seed spread.

The data path is the chapter's: uint8 images stay in memory and every mini-batch of
combinations is assembled and normalised with tensor ops
(:func:`modscale.tasks.compositional.assemble`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import torch

from modscale.infra.provenance import provenance
from modscale.tasks.compositional import ImagePool, make_set
from modscale.training.bench import measured_matmul_tflops
from modscale.training.cifar_models import (
    METHODS,
    Architecture,
    accuracy,
    build_model,
    param_count,
    predict_correct,
    train,
)


def run_cifar_benchmark(train_pool: ImagePool, test_pool: ImagePool, arch: Architecture, *,
                        k: int = 4, n_train: int = 4096, n_test: int = 1000, seeds: int = 2,
                        batch_size: int = 128, lr: float = 1e-3,
                        methods: tuple[str, ...] = ("monolithic", "modular")
                        ) -> list[dict[str, Any]]:
    """One row per (method, precision): see the module docstring."""
    dev = train_pool.device
    peaks = {"fp32": measured_matmul_tflops(dev, torch.float32),
             "bf16": measured_matmul_tflops(dev, torch.bfloat16)}
    sets = [make_set(train_pool, n_train, k, 1000 + s) for s in range(seeds)]
    test = make_set(test_pool, n_test, k, 99)
    rows = []
    for method in methods:
        if method not in METHODS:
            raise SystemExit(f"--methods: {method!r} is not one of {METHODS}")
        if method == "ours":
            continue  # same network and training as 'modular' once Algorithm 1 has run
        flops = 6.0 * param_count(method, k, arch)
        for prec in ("fp32", "bf16"):
            model = build_model(method, seeds, k, arch, seed=7, device=dev)
            res = train(model, train_pool, sets, lr=lr, batch_size=batch_size, epochs=1,
                        seed=7, amp=prec)
            t = res["wall_time_s"]
            acc = accuracy(predict_correct(model, test_pool, test, seeds, amp=prec))
            rate = n_train / t  # combinations per second per network
            tflops = rate * seeds * flops / 1e12
            rows.append({"method": method, "precision": prec, "k": k, "networks": seeds,
                         "n_train": n_train, "params": param_count(method, k, arch),
                         "train_s": t, "combinations_per_s": rate,
                         "gflops": 1e3 * tflops, "matmul_peak_gflops": 1e3 * peaks[prec],
                         "fraction_of_peak": tflops / peaks[prec],
                         "accuracy_mean": float(acc.mean()),
                         "accuracy_sd": float(acc.std()) if seeds > 1 else float("nan")})
    by = {(r["method"], r["precision"]): r for r in rows}
    for r in rows:
        r["bf16_speedup"] = (by[(r["method"], "fp32")]["train_s"]
                             / by[(r["method"], "bf16")]["train_s"])
    return rows


def format_report(rows: list[dict[str, Any]]) -> str:
    lines = []
    for r in rows:
        lines.append(
            f"{r['method']:<10} {r['precision']}: {r['combinations_per_s']:9.0f} combinations/s "
            f"per network ({r['networks']} at once, {r['params']:,} params), "
            f"{r['gflops']:.1f} GFLOP/s = {r['fraction_of_peak']:.1%} of the measured "
            f"{r['precision']} matmul rate ({r['matmul_peak_gflops']:.0f} GFLOP/s); test "
            f"accuracy {100 * r['accuracy_mean']:.2f} % (sd {100 * r['accuracy_sd']:.2f})")
    for m in dict.fromkeys(r["method"] for r in rows):
        r = next(x for x in rows if x["method"] == m)
        lines.append(f"{m}: bf16 is {r['bf16_speedup']:.2f}x as fast as fp32")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from modscale.experiments.cifar_runs import load_data
    from modscale.infra.profiles import get_config

    p = argparse.ArgumentParser(prog="python -m modscale.experiments.cifar_bench",
                                description=__doc__.split("\n")[0])
    p.add_argument("--profile", default="book", help="profile whose architecture is timed")
    p.add_argument("--k", type=int, default=4)
    p.add_argument("--n-train", type=int, default=4096)
    p.add_argument("--n-test", type=int, default=1000)
    p.add_argument("--seeds", type=int, default=2)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--json", type=Path, default=None)
    a = p.parse_args(argv)
    for name in ("k", "n_train", "n_test", "seeds", "batch"):
        if getattr(a, name) < 1:
            raise SystemExit(f"--{name.replace('_', '-')} must be >= 1")
    cfg = get_config("compositional_cifar", a.profile)
    data = load_data(cfg)
    rows = run_cifar_benchmark(data.train, data.test, Architecture.from_config(cfg), k=a.k,
                               n_train=a.n_train, n_test=a.n_test, seeds=a.seeds,
                               batch_size=a.batch)
    print(format_report(rows))
    if a.json is not None:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps({"rows": rows, **provenance(data.train.device),
                                      "profile": a.profile, "time": time.time()}, indent=2,
                                     default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
