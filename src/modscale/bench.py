"""Benchmark: batched training of many MLPs vs the one-model-at-a-time loop, in the same run.

    python -m modscale.bench [--models 256 --iters 200 --width 32 --depth 5 --in-dim 4
                              --batch 256 --device auto --loop-models 8 --json PATH]

Both trainers run the same semantics (:mod:`modscale.trainer`) on the same sine-task data; the
loop trains ``--loop-models`` of the models one after another (its throughput per model is
independent of how many are timed). Reported: model-iterations per second of each and their ratio.

FLOPs are counted analytically: one step of one model costs ``6 * B * sum(fan_in * fan_out)``
(forward 2x, backward 4x: gradients w.r.t. activations and weights); bias, ReLU, loss and Adam
are ignored (< 1 %). On a GPU the achieved rate is compared with the FP32 (non-tensor-core) peak of
the device (table :data:`PEAK_FP32_TFLOPS` by device name, or ``--peak-tflops``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import torch

from .batched_mlp import BatchedMLP, mlp_param_count
from .provenance import provenance
from .sine_task import make_task, sample_datasets
from .style import resolve_device
from .trainer import train_batched, train_one

PEAK_FP32_TFLOPS = {"H200": 67.0, "H100 PCIe": 51.2, "H100": 67.0, "A100": 19.5, "L40S": 91.6,
                    "L4": 30.3, "A10": 31.2, "V100": 15.7, "T4": 8.1, "RTX 4090": 82.6}
"""Dense FP32 peak (TFLOP/s, vendor data sheets, SXM where both exist); first substring match."""


def peak_tflops(device: torch.device, override: float | None = None) -> float | None:
    """The FP32 peak of ``device`` (``override`` if given; ``None`` on CPU / unknown GPUs)."""
    if override is not None:
        return override
    if device.type != "cuda":
        return None
    name = torch.cuda.get_device_name(device)
    for key, val in PEAK_FP32_TFLOPS.items():
        if key in name:
            return val
    return None


def step_flops(in_dim: int, width: int, depth: int, batch: int, out_dim: int = 1) -> float:
    """FLOPs of one training step of one MLP (see module docstring)."""
    dims = [in_dim] + [width] * (depth - 1) + [out_dim]
    return 6.0 * batch * sum(a * b for a, b in zip(dims[:-1], dims[1:], strict=True))


def run_benchmark(models: int = 256, iters: int = 200, width: int = 32, depth: int = 5,
                  in_dim: int = 4, batch: int = 256, n_train: int = 2048,
                  device: str = "auto", loop_models: int = 8,
                  peak: float | None = None, seed: int = 0) -> dict[str, Any]:
    """Time both trainers on identical data and return the numbers (see module docstring)."""
    for name, v in (("models", models), ("iters", iters), ("width", width), ("depth", depth),
                    ("in_dim", in_dim), ("batch", batch), ("n_train", n_train),
                    ("loop_models", loop_models)):
        if v < 1:
            raise SystemExit(f"--{name.replace('_', '-')} must be >= 1, got {v}")
    dev = resolve_device(device)
    loop_models = min(loop_models, models)
    tasks = [make_task(in_dim, 4, seed=s) for s in range(models)]
    xtr, ytr, xte, yte, nt = sample_datasets(tasks, [n_train] * models, 512,
                                             data_seeds=list(range(models)), device=dev)
    gen = torch.Generator(device=dev).manual_seed(seed)
    # Warm-up (kernels, allocator) on a few iterations of each.
    warm = BatchedMLP(models, in_dim, width, depth, generator=gen, device=dev)
    train_batched(warm, xtr, ytr, xte, yte, iters=3, batch_size=batch, generator=gen)
    train_one(warm.to_modules()[0], xtr[0], ytr[0], xte[0], yte[0], iters=3,
              batch_size=batch, generator=gen)

    model = BatchedMLP(models, in_dim, width, depth, generator=gen, device=dev)
    singles = model.to_modules()[:loop_models]
    rb = train_batched(model, xtr, ytr, xte, yte, iters=iters, batch_size=batch, generator=gen)
    t_loop = 0.0
    for j, mod in enumerate(singles):
        r1 = train_one(mod, xtr[j], ytr[j], xte[j], yte[j], iters=iters, batch_size=batch,
                       generator=gen)
        t_loop += r1.wall_time_s
    batched_rate = models * iters / rb.wall_time_s
    loop_rate = loop_models * iters / t_loop
    flops = step_flops(in_dim, width, depth, batch)
    pk = peak_tflops(dev, peak)
    out: dict[str, Any] = {
        "models": models, "iters": iters, "width": width, "depth": depth, "in_dim": in_dim,
        "batch": batch, "n_train": n_train, "loop_models": loop_models,
        "params_per_model": mlp_param_count(in_dim, width, depth),
        "batched_wall_s": rb.wall_time_s, "loop_wall_s": t_loop,
        "batched_model_iters_per_s": batched_rate, "loop_model_iters_per_s": loop_rate,
        "speedup": batched_rate / loop_rate, "flops_per_model_step": flops,
        "batched_tflops": batched_rate * flops / 1e12, "loop_tflops": loop_rate * flops / 1e12,
        "peak_fp32_tflops": pk, "torch_threads": torch.get_num_threads(),
        **provenance(dev),
    }
    if pk:
        out["batched_fraction_of_peak"] = out["batched_tflops"] / pk
        out["loop_fraction_of_peak"] = out["loop_tflops"] / pk
    return out


def format_report(r: dict[str, Any]) -> str:
    """Human-readable summary of :func:`run_benchmark`'s result."""
    lines = [
        f"device: {r['device']}",
        f"{r['models']} MLPs (width {r['width']}, depth {r['depth']}, in {r['in_dim']}, "
        f"{r['params_per_model']} params), batch {r['batch']}, {r['iters']} iterations",
        f"batched : {r['batched_model_iters_per_s']:12.1f} model-iters/s  "
        f"({r['batched_tflops'] * 1e3:.2f} GFLOP/s)",
        f"one-by-one ({r['loop_models']} models): {r['loop_model_iters_per_s']:12.1f} "
        f"model-iters/s  ({r['loop_tflops'] * 1e3:.2f} GFLOP/s)",
        f"speed-up (batched / loop): {r['speedup']:.1f}x",
    ]
    if r.get("peak_fp32_tflops"):
        lines.append(f"fraction of FP32 peak ({r['peak_fp32_tflops']} TFLOP/s): batched "
                     f"{r['batched_fraction_of_peak']:.1%}, loop {r['loop_fraction_of_peak']:.2%}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m modscale.bench", description=__doc__.split("\n")[0])
    p.add_argument("--models", type=int, default=256, help="models trained at once")
    p.add_argument("--iters", type=int, default=200, help="Adam iterations")
    p.add_argument("--width", type=int, default=32, help="hidden width")
    p.add_argument("--depth", type=int, default=5, help="number of linear layers")
    p.add_argument("--in-dim", type=int, default=4, help="input dimension m")
    p.add_argument("--batch", type=int, default=256, help="mini-batch rows per model")
    p.add_argument("--n-train", type=int, default=2048, help="training rows per model")
    p.add_argument("--loop-models", type=int, default=8, help="models timed in the plain loop")
    p.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N")
    p.add_argument("--peak-tflops", type=float, default=None, help="override the FP32 peak")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", type=Path, default=None, help="write the numbers to this file")
    a = p.parse_args(argv)
    t0 = time.perf_counter()
    r = run_benchmark(models=a.models, iters=a.iters, width=a.width, depth=a.depth,
                      in_dim=a.in_dim, batch=a.batch, n_train=a.n_train, device=a.device,
                      loop_models=a.loop_models, peak=a.peak_tflops, seed=a.seed)
    r["total_wall_s"] = time.perf_counter() - t0
    print(format_report(r))
    if a.json is not None:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(r, indent=2, default=str))
        print(f"wrote {a.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
