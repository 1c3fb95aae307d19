"""Parameters of the reproducibility/status page (the live trainer benchmark)."""

from dataclasses import dataclass

from . import field, register


@dataclass(frozen=True)
class ReproducibilityConfig:
    seed: int = field(0, help="seed of the benchmark's models and data", min=0)
    bench_models: int = field(256, help="MLPs trained at once by the batched trainer", min=1)
    bench_loop_models: int = field(8, help="MLPs timed one by one in the plain loop", min=1)
    bench_iters: int = field(100, help="Adam iterations timed", min=1)
    bench_width: int = field(32, help="hidden width of the benchmarked MLPs", min=1)
    bench_depth: int = field(5, help="linear layers of the benchmarked MLPs", min=1)
    bench_batch: int = field(256, help="mini-batch rows per model", min=1)
    bench_modular_iters: int = field(100, help="Adam iterations of the Fig. 3a modular-stack "
                                     "benchmark (21 networks x 8 modules of width 8)", min=1)


register("reproducibility", ReproducibilityConfig, {
    "smoke": {"bench_models": 16, "bench_loop_models": 2, "bench_iters": 10,
              "bench_modular_iters": 5},
    "book": {},
    "paper": {"bench_models": 2048, "bench_loop_models": 8, "bench_iters": 300},
})
