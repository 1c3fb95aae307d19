"""Scale-out: dispatch independent sweep configurations to an existing engine, same cache.

A sweep is a list of independent configurations; :func:`dispatch` computes the ones missing from
the cache (:mod:`modscale.infra.cache`) on

- ``"serial"``   - this process (the default; what the notebooks use);
- ``"submitit"`` - `submitit <https://github.com/facebookincubator/submitit>`_ executors: SLURM on a
  cluster (``cluster="slurm"``), or ``cluster="local"`` / ``"debug"`` on one machine (tested);
- ``"ray"``      - a Ray cluster (``address="auto"``) or a local Ray instance (tested if installed).

Workers write every finished configuration into the *same* cache directory (a shared filesystem on
a cluster), so an interrupted dispatch resumes, and the book's notebooks afterwards find every
result in the cache and only draw. ``compute`` must be a picklable top-level function
``compute(config) -> result``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from modscale.infra import cache
from modscale.infra.profiles import check_choice

BACKENDS = ("serial", "submitit", "ray")


def _run_one(experiment: str, config: Any, compute: Callable[[Any], Any],
             root: str | None) -> Any:
    """Worker entry point: compute one configuration through the shared cache."""
    return cache.cached(experiment, config, lambda: compute(config),
                        root=Path(root) if root else None)


def dispatch(experiment: str, configs: Sequence[Any], compute: Callable[[Any], Any], *,
             backend: str = "serial", cache_root: str | Path | None = None,
             submitit_folder: str | Path = "_build/submitit", cluster: str | None = None,
             slurm_params: dict[str, Any] | None = None, ray_address: str | None = None,
             ray_num_cpus: int | None = None, progress: bool = True) -> list[Any]:
    """Results of ``compute(c)`` for every ``c`` in ``configs`` (in order), via ``backend``.

    Configurations already in the cache are not dispatched. ``cluster`` (submitit) is one of
    ``"slurm"``, ``"local"``, ``"debug"`` (default: submitit's auto-detection);
    ``slurm_params`` go to ``executor.update_parameters`` (e.g. ``{"slurm_partition": "gpu",
    "gpus_per_node": 1, "timeout_min": 60}``).
    """
    check_choice("backend", backend, BACKENDS)
    if cluster is not None:
        check_choice("cluster", cluster, ("slurm", "local", "debug"))
    root = str(cache_root) if cache_root is not None else str(cache.cache_dir())
    configs = list(configs)
    results: list[Any] = [cache.load(experiment, c, Path(root)) for c in configs]
    todo = [i for i, r in enumerate(results) if r is None]
    if not todo:
        return results
    if backend == "serial":
        from modscale.infra.progress import progress_bar

        for i in progress_bar(todo, desc=experiment, disable=not progress):
            results[i] = _run_one(experiment, configs[i], compute, root)
    elif backend == "submitit":
        import submitit

        executor = submitit.AutoExecutor(folder=str(submitit_folder), cluster=cluster)
        if slurm_params:
            executor.update_parameters(**slurm_params)
        jobs = executor.map_array(_run_one, [experiment] * len(todo),
                                  [configs[i] for i in todo], [compute] * len(todo),
                                  [root] * len(todo))
        for i, job in zip(todo, jobs, strict=True):
            results[i] = job.result()
    else:  # ray
        import ray

        started = False
        if not ray.is_initialized():
            ray.init(address=ray_address, num_cpus=ray_num_cpus, include_dashboard=False,
                     log_to_driver=False)
            started = True
        try:
            remote = ray.remote(_run_one)
            refs = [remote.remote(experiment, configs[i], compute, root) for i in todo]
            for i, value in zip(todo, ray.get(refs), strict=True):
                results[i] = value
        finally:
            if started:
                ray.shutdown()
    return results
