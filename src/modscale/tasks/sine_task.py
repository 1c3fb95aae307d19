"""The modular sine-wave regression task (paper Sec. 3.3, Fig. 1; a reconstruction, SPEC §3).

Inputs ``x ~ N(0, I_m)``. The task has ``k`` modules; module ``i`` sees the projection
``z_i = U_i^T x`` (``U_i``: (m, b) with orthonormal columns, so every coordinate of ``z_i`` is
N(0, 1); ``b = 1`` gives the paper's ``u_i^T x`` with a random unit vector ``u_i``) and computes a
sum of sines

    f_i(z_i) = sum_j a_j sin(w_j v_ij^T z_i + phi_ij),

with amplitudes ``a = (1, 0.5, 0.2)`` and frequencies ``w = (1, 3, 5)`` (read off the paper's
Fig. 1) and random phases ``phi_ij ~ U[0, 2 pi)``. For ``b = 1``, ``v_ij = 1``; for ``b > 1`` each
component uses its own random unit direction ``v_ij`` in the module's b-dimensional input space.
The target is

    y(x) = output_scale * c_k * sum_i f_i(U_i^T x),   c_k = 1/sqrt(k) | 1 | 1/k | 1/std,

(``normalisation`` = ``"sqrt_k"`` | ``"sum"`` | ``"mean"`` | ``"unit_variance"``; the default
``unit_variance`` makes Var y = output_scale**2 = 3 exactly).

**Label noise** (a reconstruction knob, not from the paper): :meth:`SineTask.sample` adds
independent Gaussian noise of variance ``noise_var`` to every target it returns, training and test
alike, so that the best possible test loss is ``noise_var``; ``task(x)`` is always the clean target
(used for the clean test loss). The noise of row ``i`` depends only on the seed and ``i``, so noisy
datasets stay nested in ``n``. Every component is
``a sin(g^T x + phi)`` with a wave vector ``g`` (``|g| = w``) in input space, so the mean and
variance of ``y`` under ``x ~ N(0, I)`` have closed forms (:meth:`SineTask.moments`), used for
the ``unit_variance`` normalisation and checked against Monte Carlo in the tests.

Everything is generated deterministically from ``seed`` (on the CPU, in float64), so a task and
its data are identical on every device; tensors are moved to the device of the input.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import torch

from modscale.infra.profiles import ConfigError

NORMALISATIONS = ("sqrt_k", "sum", "mean", "unit_variance")
"""How the module outputs are combined: times 1/sqrt(k), 1, 1/k, or 1/std(sum) (exact)."""

DEFAULT_AMPLITUDES = (1.0, 0.5, 0.2)
DEFAULT_FREQUENCIES = (1.0, 3.0, 5.0)
DEFAULT_NORMALISATION = "unit_variance"
DEFAULT_OUTPUT_SCALE = math.sqrt(3.0)
"""Default: the target is scaled to variance exactly ``output_scale**2 = 3``, about the level at
which the paper's test losses saturate (Fig. 2: 2.7 measured, 2.85 predicted at m = 9), so that a
constant predictor has loss 3 and the paper's sample-complexity threshold 1.5
(``paper_data.FIG3A_THRESHOLD``) means "half of the variance explained". (With ``sqrt_k`` and
scale 1 the variance is about 0.43 and varies by a factor ~2 between seeds.)"""


def target_var_of(output_scale: float) -> float:
    """The clean target variance ``output_scale**2`` of the ``unit_variance`` task, rounded to
    12 decimals so that a variance survives the round trip through :func:`output_scale_of`
    (``3.0 -> sqrt(3) -> 3.0``, not ``2.9999999999999996``)."""
    return round(float(output_scale) ** 2, 12)


def output_scale_of(target_var: float) -> float:
    """The ``output_scale`` whose ``unit_variance`` task has clean target variance
    ``target_var``."""
    return math.sqrt(target_var)


def _check_int(name: str, value: int, lo: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < lo:
        raise ConfigError(f"parameter {name!r} must be an integer >= {lo}, got {value!r}")


@dataclass(frozen=True)
class SineTaskSpec:
    """The knobs of the sine task, shared by every experiment of the sine family (the stack
    specs hold one: ``spec.task``); everything but a model's ``m``, ``k`` and ``seed``.

    ``b`` module input dimension (bottleneck), ``amplitudes``/``frequencies`` of the sine
    components (same for every module; frequencies as used, i.e. already multiplied by a
    chapter's ``freq_scale``), ``normalisation`` (one of :data:`NORMALISATIONS`),
    ``output_scale`` (with ``unit_variance`` the clean target variance is ``output_scale**2``),
    ``noise_var`` (variance of the Gaussian label noise added by :meth:`SineTask.sample`).

    **Adding a task knob** takes four edits: a field here (an
    :func:`~modscale.infra.profiles.extension_field`, imported from
    :mod:`modscale.infra.profiles`, whose default reproduces the stored results, so no key
    changes), its effect in :class:`SineTask`, and the same-named parameter in the sine
    chapter's profile (:mod:`modscale.infra.profiles.sine_regression`; then
    ``tools/sync_parameters.py`` regenerates the chapter's parameters cell).
    :meth:`from_params` carries it into every sine-family stack (the sine sweeps, the
    calibrated Fig. 3a and Fig. 4 stacks) and into their keys
    (``tests/test_task_knob_recipe.py`` applies the recipe to a copy of the package).
    """

    b: int = 1
    amplitudes: tuple[float, ...] = DEFAULT_AMPLITUDES
    frequencies: tuple[float, ...] = DEFAULT_FREQUENCIES
    normalisation: str = DEFAULT_NORMALISATION
    output_scale: float = DEFAULT_OUTPUT_SCALE
    noise_var: float = 0.0

    def __post_init__(self) -> None:
        _check_int("b", self.b, 1)
        if len(self.amplitudes) == 0 or len(self.amplitudes) != len(self.frequencies):
            raise ConfigError("parameters 'amplitudes' and 'frequencies' must be non-empty and "
                              f"of equal length, got {self.amplitudes} and {self.frequencies}")
        if any(w <= 0 for w in self.frequencies):
            raise ConfigError(f"parameter 'frequencies' must be > 0, got {self.frequencies}")
        if self.normalisation not in NORMALISATIONS:
            raise ConfigError(f"parameter 'normalisation': {self.normalisation!r} is not allowed; "
                              f"allowed values: {', '.join(map(repr, NORMALISATIONS))}")
        if not self.output_scale > 0:
            raise ConfigError(f"parameter 'output_scale' must be > 0, got {self.output_scale}")
        if not (isinstance(self.noise_var, int | float) and self.noise_var >= 0
                and math.isfinite(self.noise_var)):
            raise ConfigError(f"parameter 'noise_var' (label-noise variance) must be a finite "
                              f"number >= 0, got {self.noise_var!r}")

    def knobs(self) -> dict:
        """The knobs as keyword arguments (every field)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(SineTaskSpec)}

    def task(self, m: int, k: int, seed: int) -> SineTask:
        """The task with these knobs at input dimension ``m``, ``k`` modules, seed ``seed``."""
        return SineTask(m=m, k=k, seed=seed, **self.knobs())

    @property
    def target_var(self) -> float:
        """The clean target variance these knobs set (``output_scale**2``; ``unit_variance``
        only)."""
        if self.normalisation != "unit_variance":
            raise ValueError("the target variance is output_scale**2 only with "
                             f"normalisation='unit_variance', not {self.normalisation!r}")
        return target_var_of(self.output_scale)

    @classmethod
    def from_params(cls, params: Any) -> SineTaskSpec:
        """The knobs of a chapter's parameters ``params``: every field of this class that
        ``params`` has, by name, the frequencies multiplied by ``params.freq_scale`` if it has
        one."""
        values = {f.name: getattr(params, f.name) for f in dataclasses.fields(cls)
                  if hasattr(params, f.name)}
        scale = float(getattr(params, "freq_scale", 1.0))
        if "frequencies" in values:
            values["frequencies"] = tuple(float(w) * scale for w in values["frequencies"])
        if "amplitudes" in values:
            values["amplitudes"] = tuple(float(a) for a in values["amplitudes"])
        for name in ("output_scale", "noise_var"):
            if name in values:
                values[name] = float(values[name])
        return cls(**values)


@dataclass(frozen=True)
class SineTask(SineTaskSpec):
    """A modular sine-wave regression task (see the module docstring): the knobs of
    :class:`SineTaskSpec` at input dimension ``m`` with ``k`` modules, drawn from ``seed``."""

    m: int = dataclasses.field(kw_only=True)
    k: int = dataclasses.field(kw_only=True)
    seed: int = dataclasses.field(default=0, kw_only=True)

    def __post_init__(self) -> None:
        _check_int("m", self.m, 1)
        _check_int("k", self.k, 1)
        super().__post_init__()
        if self.b > self.m:
            raise ConfigError(f"parameter 'b' (module input dimension) must be <= m={self.m}, "
                              f"got {self.b}")
        _check_int("seed", self.seed, 0)

    # ----- random structure (float64, CPU, from the seed) -------------------------------------
    @cached_property
    def _params(self) -> dict[str, torch.Tensor]:
        g = torch.Generator().manual_seed(10_007 * self.seed + 17)
        n_comp = len(self.amplitudes)
        u = torch.randn(self.k, self.m, self.b, generator=g, dtype=torch.float64)
        u, r = torch.linalg.qr(u)  # orthonormal columns; fix signs so the draw is unique
        u = u * torch.sign(torch.diagonal(r, dim1=-2, dim2=-1)).unsqueeze(-2)
        phases = 2 * math.pi * torch.rand(self.k, n_comp, generator=g, dtype=torch.float64)
        if self.b == 1:
            v = torch.ones(self.k, n_comp, 1, dtype=torch.float64)
        else:
            v = torch.randn(self.k, n_comp, self.b, generator=g, dtype=torch.float64)
            v = v / v.norm(dim=-1, keepdim=True)
        return {"u": u, "phases": phases, "v": v}

    @property
    def directions(self) -> torch.Tensor:
        """The module projections ``U_i``: (k, m, b), orthonormal columns (float64, CPU)."""
        return self._params["u"]

    @property
    def phases(self) -> torch.Tensor:
        """Phases ``phi_ij``: (k, n_components) in [0, 2 pi)."""
        return self._params["phases"]

    @property
    def component_directions(self) -> torch.Tensor:
        """``v_ij``: (k, n_components, b) unit vectors in each module's input space."""
        return self._params["v"]

    @cached_property
    def wave_vectors(self) -> torch.Tensor:
        """``g_ij = w_j U_i v_ij``: (k, n_comp, m); component (i, j) is a_j sin(g_ij.x + phi_ij)."""
        w = torch.tensor(self.frequencies, dtype=torch.float64)
        return w[None, :, None] * torch.einsum("kmb,kcb->kcm", self.directions,
                                                self.component_directions)

    @cached_property
    def module_moments(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Exact mean (k,) and covariance (k, k) of the module outputs ``f_i`` under x ~ N(0, I)."""
        a = torch.tensor(self.amplitudes, dtype=torch.float64)
        g = self.wave_vectors.reshape(-1, self.m)             # (C, m), C = k * n_components
        ph = self.phases.reshape(-1)
        amp = a.repeat(self.k)
        mean_c = amp * torch.sin(ph) * torch.exp(-0.5 * (g * g).sum(-1))
        diff = ((g[:, None] - g[None]) ** 2).sum(-1)
        summ = ((g[:, None] + g[None]) ** 2).sum(-1)
        second = 0.5 * (torch.cos(ph[:, None] - ph[None]) * torch.exp(-0.5 * diff)
                        - torch.cos(ph[:, None] + ph[None]) * torch.exp(-0.5 * summ))
        cov_c = amp[:, None] * amp[None] * second - mean_c[:, None] * mean_c[None]
        n_comp = len(self.amplitudes)
        mean = mean_c.reshape(self.k, n_comp).sum(1)
        cov = cov_c.reshape(self.k, n_comp, self.k, n_comp).sum((1, 3))
        return mean, cov

    @cached_property
    def scale(self) -> float:
        """The factor multiplying ``sum_i f_i`` (``output_scale`` times the normalisation)."""
        if self.normalisation == "sqrt_k":
            c = 1.0 / math.sqrt(self.k)
        elif self.normalisation == "sum":
            c = 1.0
        elif self.normalisation == "mean":
            c = 1.0 / self.k
        else:
            c = 1.0 / math.sqrt(float(self.module_moments[1].sum()))
        return self.output_scale * c

    def moments(self) -> tuple[float, float]:
        """Exact mean and variance of ``y(x)`` under ``x ~ N(0, I_m)``."""
        mean, cov = self.module_moments
        return self.scale * float(mean.sum()), self.scale ** 2 * float(cov.sum())

    # ----- evaluation -------------------------------------------------------------------------
    def _on(self, x: torch.Tensor, name: str) -> torch.Tensor:
        t = self._params[name] if name in self._params else getattr(self, name)
        return t.to(device=x.device, dtype=x.dtype)

    def _check_x(self, x: torch.Tensor) -> None:
        if x.shape[-1] != self.m:
            raise ValueError(f"expected x of shape (..., {self.m}), got {tuple(x.shape)}")

    def project(self, x: torch.Tensor) -> torch.Tensor:
        """Module inputs ``z_i = U_i^T x``: (..., m) -> (..., k, b)."""
        self._check_x(x)
        return torch.einsum("...m,kmb->...kb", x, self._on(x, "u"))

    def module_components(self, z: torch.Tensor) -> torch.Tensor:
        """Components ``a_j sin(w_j v_ij^T z_i + phi_ij)``: z (..., k, b) -> (..., k, n_comp)."""
        a = torch.tensor(self.amplitudes, dtype=z.dtype, device=z.device)
        w = torch.tensor(self.frequencies, dtype=z.dtype, device=z.device)
        t = torch.einsum("...kb,kcb->...kc", z, self._on(z, "v"))
        return a * torch.sin(w * t + self._on(z, "phases"))

    def module_outputs(self, x: torch.Tensor) -> torch.Tensor:
        """Unnormalised module outputs ``f_i(U_i^T x)``: (..., m) -> (..., k)."""
        return self.module_components(self.project(x)).sum(-1)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """The target ``y(x)``: (..., m) -> (..., 1)."""
        return self.scale * self.module_outputs(x).sum(-1, keepdim=True)

    def sample(self, n: int, seed: int | np.random.Generator = 0,
               device: torch.device | str = "cpu", dtype: torch.dtype | None = None,
               clean: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
        """``n`` samples ``x ~ N(0, I_m)`` (n, m) and targets ``y`` (n, 1) on ``device``.

        ``seed`` (int, or a NumPy ``Generator``) fixes the draw (NumPy's sequential normal
        generator, so that the first rows of a larger draw with the same seed are exactly the rows
        of a smaller one: nested datasets), identical on every device. Unless ``clean``, ``y``
        carries label noise of variance ``noise_var`` (drawn from its own stream, also nested).
        """
        _check_int("n", n, 1)
        dtype = dtype or torch.get_default_dtype()
        rng = seed if isinstance(seed, np.random.Generator) else \
            np.random.default_rng([int(seed), self.seed, 7])
        x = torch.from_numpy(rng.standard_normal((n, self.m)))
        y = self(x)
        if self.noise_var > 0 and not clean:
            noise_rng = rng if isinstance(seed, np.random.Generator) else \
                np.random.default_rng([int(seed), self.seed, 13])
            y = y + math.sqrt(self.noise_var) * torch.from_numpy(noise_rng.standard_normal((n, 1)))
        return x.to(device=device, dtype=dtype), y.to(device=device, dtype=dtype)


def make_task(m: int, k: int, seed: int = 0, b: int = 1, *,
              amplitudes: tuple[float, ...] = DEFAULT_AMPLITUDES,
              frequencies: tuple[float, ...] = DEFAULT_FREQUENCIES,
              normalisation: str = DEFAULT_NORMALISATION,
              output_scale: float = DEFAULT_OUTPUT_SCALE, noise_var: float = 0.0) -> SineTask:
    """A :class:`SineTask` with the book's defaults (validated; bad values raise ConfigError)."""
    return SineTaskSpec(b=b, amplitudes=tuple(float(a) for a in amplitudes),
                        frequencies=tuple(float(w) for w in frequencies),
                        normalisation=normalisation, output_scale=float(output_scale),
                        noise_var=float(noise_var)).task(m, k, seed)


def sample_datasets(tasks: list[SineTask], n_train: list[int], n_test: int, *,
                    data_seeds: list[int] | None = None, device: torch.device | str = "cpu",
                    dtype: torch.dtype | None = None
                    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor,
                               torch.Tensor]:
    """Stacked per-model datasets for :func:`modscale.training.trainer.train_batched`.

    Model ``j`` gets ``n_train[j]`` training rows of ``tasks[j]`` (padded with zeros to
    ``n_max``) and ``n_test`` test rows, drawn with ``data_seeds[j]`` (default 0; the training and
    test draws use disjoint seeds). All tasks must share ``m``.

    Returns ``x_train`` (M, n_max, m), ``y_train`` (M, n_max, 1), ``x_test`` (M, n_test, m),
    ``y_test`` (M, n_test, 1), ``n_train`` (M,) long, all on ``device``.
    """
    if len(tasks) != len(n_train) or len(tasks) == 0:
        raise ConfigError(f"'tasks' and 'n_train' must be non-empty and of equal length, got "
                          f"{len(tasks)} and {len(n_train)}")
    ms = {t.m for t in tasks}
    if len(ms) != 1:
        raise ConfigError(f"all tasks in one stack must share m, got {sorted(ms)}")
    seeds = list(data_seeds) if data_seeds is not None else [0] * len(tasks)
    dtype = dtype or torch.get_default_dtype()
    n_max = max(n_train)
    m = tasks[0].m
    xtr = torch.zeros(len(tasks), n_max, m, dtype=dtype)
    ytr = torch.zeros(len(tasks), n_max, 1, dtype=dtype)
    xte = torch.empty(len(tasks), n_test, m, dtype=dtype)
    yte = torch.empty(len(tasks), n_test, 1, dtype=dtype)
    for j, (task, n, s) in enumerate(zip(tasks, n_train, seeds, strict=True)):
        xtr[j, :n], ytr[j, :n] = task.sample(n, seed=2 * s, dtype=dtype)
        xte[j], yte[j] = task.sample(n_test, seed=2 * s + 1, dtype=dtype)
    nt = torch.tensor(list(n_train), dtype=torch.long)
    return (xtr.to(device), ytr.to(device), xte.to(device), yte.to(device), nt.to(device))


__all__ = ["NORMALISATIONS", "DEFAULT_AMPLITUDES", "DEFAULT_FREQUENCIES",
           "DEFAULT_NORMALISATION", "DEFAULT_OUTPUT_SCALE", "SineTaskSpec", "SineTask", "make_task",
           "sample_datasets", "target_var_of", "output_scale_of"]
