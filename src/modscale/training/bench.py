"""Benchmark: batched training of many MLPs vs the one-model-at-a-time loop, in the same run.

    python -m modscale.training.bench [--models 256 --iters 200 --width 32 --depth 5 --in-dim 4
                              --batch 256 --device auto --loop-models 8 --json PATH]

Both trainers run the same semantics (:mod:`modscale.training.trainer`) on the same sine-task
data; the loop trains ``--loop-models`` of the models one after another (its throughput per model is
independent of how many are timed). Reported: model-iterations per second of each and their ratio.

FLOPs are counted analytically: one step of one model costs ``6 * B * sum(fan_in * fan_out)``
(forward 2x, backward 4x: gradients w.r.t. activations and weights); bias, ReLU, loss and Adam
are ignored (< 1 %). On a GPU the achieved rate is compared with the FP32 (non-tensor-core) peak of
the device (table :data:`PEAK_FP32_TFLOPS` by device name, or ``--peak-tflops``); on every
device it is also compared with the *measured* matmul peak of this machine in the same run
(:func:`measured_matmul_tflops`: a square matmul bounded in time, fp32 and bf16).

Mixed precision (``--precision both``, the default): the batched trainer runs once more with
bf16 autocast (fp32 master weights) on the same data and initialisation; reported are its speed-up
over fp32 and the agreement of the final test losses (the mean absolute difference between the
two runs against the spread of the fp32 losses over the models, i.e. over seeds).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import torch

from modscale.infra.device import resolve_device, resolve_precision
from modscale.infra.provenance import provenance
from modscale.models.batched_mlp import BatchedMLP, mlp_param_count
from modscale.tasks.sine_task import make_task, sample_datasets
from modscale.training.trainer import train_batched, train_one

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


def measured_matmul_tflops(device: torch.device, dtype: torch.dtype = torch.float32,
                           size: int | None = None, repeats: int = 5,
                           max_seconds: float = 0.5) -> float:
    """Best-of-``repeats`` rate (TFLOP/s) of a ``size`` x ``size`` by ``size`` x ``size`` matmul
    in ``dtype`` on ``device``, with the current torch threads: this machine's usable peak.

    Bounded on any hardware: ``size`` defaults to 512 on a CPU (0.27 GFLOP: about 1 ms at AMX
    bf16 rates, 0.2 s where bf16 is emulated at 1.5 GFLOP/s) and 4096 on a GPU, and repetitions
    stop once ``max_seconds`` have been spent."""
    size = size or (4096 if device.type == "cuda" else 512)
    a = torch.randn(size, size, device=device).to(dtype)
    b = torch.randn(size, size, device=device).to(dtype)
    a @ b  # warm-up
    best, spent = float("inf"), 0.0
    for _ in range(repeats):
        t0 = time.perf_counter()
        a @ b
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        dt = time.perf_counter() - t0
        best, spent = min(best, dt), spent + dt
        if spent >= max_seconds:
            break
    return 2.0 * size ** 3 / best / 1e12


def step_flops(in_dim: int, width: int, depth: int, batch: int, out_dim: int = 1) -> float:
    """FLOPs of one training step of one MLP (see module docstring)."""
    dims = [in_dim] + [width] * (depth - 1) + [out_dim]
    return 6.0 * batch * sum(a * b for a, b in zip(dims[:-1], dims[1:], strict=True))


def run_benchmark(models: int = 256, iters: int = 200, width: int = 32, depth: int = 5,
                  in_dim: int = 4, batch: int = 256, n_train: int = 2048,
                  device: str = "auto", loop_models: int = 8,
                  peak: float | None = None, seed: int = 0,
                  precision: str = "auto") -> dict[str, Any]:
    """Time both trainers on identical data and return the numbers (see module docstring).

    ``precision``: ``fp32`` (fp32 only), ``both`` (also the bf16 trainer) or ``auto`` (the bf16
    trainer too only where :func:`modscale.infra.device.resolve_precision` picks bf16 on this
    device; the matmul rates of both dtypes are always measured, bounded in time)."""
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

    if precision not in ("fp32", "both", "auto"):
        raise SystemExit(f"--precision must be auto, fp32 or both, got {precision!r}")
    auto = resolve_precision("auto", dev)
    if precision == "auto":
        precision = "both" if auto == "bf16" else "fp32"
    model = BatchedMLP(models, in_dim, width, depth, generator=gen, device=dev)
    singles = model.to_modules()[:loop_models]
    init_state = {k: v.clone() for k, v in model.state_dict().items()}
    gen_state = gen.get_state()
    rb = train_batched(model, xtr, ytr, xte, yte, iters=iters, batch_size=batch, generator=gen)
    rb16 = None
    if precision == "both":
        model16 = BatchedMLP(models, in_dim, width, depth, device=dev)
        model16.load_state_dict(init_state)
        gen.set_state(gen_state)  # the same mini-batches as the fp32 run
        rb16 = train_batched(model16, xtr, ytr, xte, yte, iters=iters, batch_size=batch,
                             generator=gen, precision="bf16")
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
    mm32 = measured_matmul_tflops(dev, torch.float32)
    mm16 = measured_matmul_tflops(dev, torch.bfloat16)
    out.update(matmul_fp32_tflops=mm32, matmul_bf16_tflops=mm16, auto_precision=auto,
               matmul_size=4096 if dev.type == "cuda" else 512)
    out["batched_fraction_of_measured_fp32"] = out["batched_tflops"] / mm32
    out["loop_fraction_of_measured_fp32"] = out["loop_tflops"] / mm32
    if rb16 is not None:
        rate16 = models * iters / rb16.wall_time_s
        out.update({
            "bf16_wall_s": rb16.wall_time_s,
            "bf16_model_iters_per_s": rate16, "bf16_tflops": rate16 * flops / 1e12,
            "bf16_speedup_over_fp32": rate16 / batched_rate,
            "bf16_fraction_of_measured_bf16": rate16 * flops / 1e12 / mm16,
            "fp32_test_loss_mean": float(rb.test_loss.mean()),
            "bf16_test_loss_mean": float(rb16.test_loss.mean()),
            "test_loss_mean_abs_diff": float((rb16.test_loss - rb.test_loss).abs().mean()),
            "test_loss_sd_over_models": float(rb.test_loss.std()),
        })
    return out


def modular_step_flops(in_dim: int, n_modules: int, b: int, width: int, depth: int,
                       batch: int) -> float:
    """FLOPs of one training step of one modular network: its K projections and module MLPs
    (forward 2x, backward 4x, as :func:`step_flops`)."""
    return n_modules * (6.0 * batch * in_dim * b + step_flops(b, width, depth, batch))


def run_modular_benchmark(networks: int = 21, in_dim: int = 9, n_modules: int = 8,
                          width: int = 8, depth: int = 3, iters: int = 200, batch: int = 256,
                          n_train: int = 4096, loop_networks: int = 2, device: str = "auto",
                          impls: tuple[str, ...] = ("default", "foreach", "fused"),
                          compiled: bool = False, seed: int = 0) -> dict[str, Any]:
    """The Fig. 3a stacks' trainer in one run: ``networks`` modular networks (K = ``n_modules``
    module MLPs of ``width`` x ``depth`` on b = 1 projections of ``in_dim`` inputs) trained
    together with every Adam implementation of ``impls`` (and, ``compiled``, a
    ``torch.compile``-d model), against the plain loop (``loop_networks`` networks one at a
    time), with the fraction of this machine's measured fp32 matmul rate and the agreement of
    the final test losses with the default run (mean absolute difference against their spread
    over the networks). Returns the numbers."""
    from modscale.infra.profiles import check_choice
    from modscale.models.modular_net import BatchedModularNet
    from modscale.training.trainer import ADAM_IMPLS

    for name in impls:
        check_choice("impls", name, tuple(ADAM_IMPLS))
    dev = resolve_device(device)
    g = torch.Generator(device=dev).manual_seed(seed)
    x = torch.randn(networks, n_train, in_dim, generator=g, device=dev)
    w = torch.randn(networks, in_dim, 1, generator=g, device=dev)
    y = torch.sin(x @ w)
    xt, yt = x[:, :512], y[:, :512]

    def net_of(n_models: int) -> BatchedModularNet:
        return BatchedModularNet(n_models, in_dim, n_modules, 1, width, depth, 1,
                                 generator=torch.Generator(device=dev).manual_seed(seed),
                                 device=dev)

    flops = modular_step_flops(in_dim, n_modules, 1, width, depth, batch)
    fp32_peak = measured_matmul_tflops(dev, torch.float32)
    runs: dict[str, Any] = {}
    variants = [(impl, False) for impl in impls] + ([("default", True)] if compiled else [])
    for impl, comp in variants:
        net = net_of(networks)
        model = torch.compile(net) if comp else net
        t0 = time.perf_counter()  # warm-up (and compilation) outside the timed run
        train_batched(model, x, y, xt, yt, iters=2, batch_size=batch, adam_impl=impl)
        compile_s = time.perf_counter() - t0
        net.load_state_dict(net_of(networks).state_dict())  # the same start for every variant
        r = train_batched(model, x, y, xt, yt, iters=iters, batch_size=batch,
                          generator=torch.Generator(device=dev).manual_seed(seed + 1),
                          adam_impl=impl)
        rate = networks * iters / r.wall_time_s
        runs[f"{impl}{' compiled' if comp else ''}"] = {
            "network_iters_per_s": rate, "ms_per_iter": 1e3 * r.wall_time_s / iters,
            "tflops": rate * flops / 1e12, "fraction_of_fp32_peak": rate * flops / 1e12
            / fp32_peak, "test_loss": r.test_loss.tolist(), "compile_s": compile_s}
    loop_t = 0.0
    for j in range(loop_networks):
        single = net_of(1)
        train_batched(single, x[j:j + 1], y[j:j + 1], xt[j:j + 1], yt[j:j + 1], iters=2,
                      batch_size=batch)  # warm-up
        single = net_of(1)
        r1 = train_batched(single, x[j:j + 1], y[j:j + 1], xt[j:j + 1], yt[j:j + 1],
                           iters=iters, batch_size=batch,
                           generator=torch.Generator(device=dev).manual_seed(seed + 1))
        loop_t += r1.wall_time_s
    loop_rate = loop_networks * iters / loop_t
    ref = torch.tensor(runs["default"]["test_loss"])
    for v in runs.values():
        v["speedup_vs_loop"] = v["network_iters_per_s"] / loop_rate
        diff = float((torch.tensor(v["test_loss"]) - ref).abs().mean())
        v["loss_diff_vs_default"] = diff
        v["agrees_within_spread"] = bool(diff <= float(ref.std()))
    return {"device": provenance(dev)["device"], "networks": networks, "in_dim": in_dim,
            "n_modules": n_modules, "width": width, "depth": depth, "iters": iters,
            "batch": batch, "loop_network_iters_per_s": loop_rate,
            "fp32_peak_tflops": fp32_peak, "step_flops": flops, "runs": runs}


def format_modular_report(r: dict[str, Any]) -> str:
    """Plain-text report of :func:`run_modular_benchmark`."""
    lines = [f"modular stacks on {r['device']}: {r['networks']} networks x K={r['n_modules']} "
             f"modules (width {r['width']}, depth {r['depth']}, m={r['in_dim']}), "
             f"{r['iters']} iterations, batch {r['batch']}; measured fp32 matmul "
             f"{1e3 * r['fp32_peak_tflops']:.1f} GFLOP/s",
             f"  plain loop: {r['loop_network_iters_per_s']:.1f} network-iterations/s"]
    for name, v in r["runs"].items():
        lines.append(f"  {name:18s} {v['network_iters_per_s']:8.1f} network-it/s "
                     f"({v['ms_per_iter']:.1f} ms/iter), {v['speedup_vs_loop']:.1f}x the loop, "
                     f"{100 * v['fraction_of_fp32_peak']:.2f} % of fp32 peak, loss diff "
                     f"{v['loss_diff_vs_default']:.2g} "
                     f"({'within' if v['agrees_within_spread'] else 'OUTSIDE'} the seed spread)"
                     + (f", compile {v['compile_s']:.0f} s" if v["compile_s"] > 1 else ""))
    return "\n".join(lines)


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
    lines.append(f"measured matmul peak ({r['matmul_size']}^3, {r['torch_threads']} threads): "
                 f"fp32 {r['matmul_fp32_tflops'] * 1e3:.1f} GFLOP/s, bf16 "
                 f"{r['matmul_bf16_tflops'] * 1e3:.1f} GFLOP/s (precision auto resolves to "
                 f"{r['auto_precision']}); batched fp32 reaches "
                 f"{r['batched_fraction_of_measured_fp32']:.1%} of it, the loop "
                 f"{r['loop_fraction_of_measured_fp32']:.2%}")
    if "bf16_speedup_over_fp32" in r:
        lines += [
            f"batched bf16 autocast: {r['bf16_model_iters_per_s']:12.1f} model-iters/s "
            f"({r['bf16_tflops'] * 1e3:.2f} GFLOP/s, {r['bf16_fraction_of_measured_bf16']:.1%}"
            f" of the measured bf16 matmul peak {r['matmul_bf16_tflops'] * 1e3:.1f} GFLOP/s); "
            f"{r['bf16_speedup_over_fp32']:.2f}x fp32",
            f"agreement: final test loss fp32 {r['fp32_test_loss_mean']:.4f} vs bf16 "
            f"{r['bf16_test_loss_mean']:.4f} (mean over models); mean |difference| "
            f"{r['test_loss_mean_abs_diff']:.4f} vs spread over models (sd) "
            f"{r['test_loss_sd_over_models']:.4f}",
        ]
    if r.get("peak_fp32_tflops"):
        lines.append(f"fraction of FP32 peak ({r['peak_fp32_tflops']} TFLOP/s): batched "
                     f"{r['batched_fraction_of_peak']:.1%}, loop {r['loop_fraction_of_peak']:.2%}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m modscale.training.bench",
                                description=__doc__.split("\n")[0])
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
    p.add_argument("--precision", default="auto", choices=("auto", "both", "fp32"),
                   help="both: also time the batched trainer with bf16 autocast; auto: only "
                        "where bf16 matmuls are faster than fp32 on this device")
    p.add_argument("--json", type=Path, default=None, help="write the numbers to this file")
    p.add_argument("--modular", action="store_true", help="benchmark the Fig. 3a modular "
                   "stacks instead (Adam implementations, torch.compile, the plain loop)")
    p.add_argument("--compiled", action="store_true", help="with --modular: also time a "
                   "torch.compile-d model")
    a = p.parse_args(argv)
    t0 = time.perf_counter()
    if a.modular:
        r = run_modular_benchmark(iters=a.iters, device=a.device, compiled=a.compiled,
                                  seed=a.seed)
    else:
        r = run_benchmark(models=a.models, iters=a.iters, width=a.width, depth=a.depth,
                          in_dim=a.in_dim, batch=a.batch, n_train=a.n_train, device=a.device,
                          loop_models=a.loop_models, peak=a.peak_tflops, seed=a.seed,
                          precision=a.precision)
    r["total_wall_s"] = time.perf_counter() - t0
    print(format_modular_report(r) if a.modular else format_report(r))
    if a.json is not None:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(r, indent=2, default=str))
        print(f"wrote {a.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
