"""Compositional CIFAR-10 (paper Section 5.3): ``k`` images side by side, one label per position.

A sample is an index tensor row ``idx`` (k,) into an :class:`ImagePool`; its input is the
images ``pool.x[idx]`` concatenated along the width, a 32 x 32k x 3 image, flattened in
(height, width, channel) order to ``3072 k`` numbers and normalised per channel; its target is
the ``k`` classes. Samples are built for a whole batch at once from index tensors (no Python
loop over samples), on the pool's device.

Class tuples and the combinatorial OOD split
--------------------------------------------
The ordered class tuple ``(c_1, ..., c_k)`` of a sample has the integer code
``sum_i c_i 10^(k-i)`` (:func:`tuple_codes`). A keyed integer hash of the code
(:func:`tuple_hash`, uniform in [0, 1)) holds out the tuples with hash < ``fraction``
(:func:`held_out_mask`): training never contains them (rejected and redrawn), and the OOD test
set contains only them. The hash is deterministic (same tuples for every seed and method) and
independent of the position structure, so every class stays equally frequent at every position.

Index tensors are drawn on the CPU from a seeded ``torch.Generator`` (the same samples on every
device) and moved to the pool's device.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from modscale.infra.profiles import ConfigError

N_CLASSES = 10
IMAGE_SHAPE = (32, 32, 3)
HASH_PRIME = 2_147_483_647  # 2^31 - 1
SAMPLE_MODES = ("all", "seen", "held_out")
"""``all``: uniform over class tuples; ``seen``: held-out tuples redrawn (training);
``held_out``: only held-out tuples (combinatorial OOD test)."""


@dataclass(frozen=True)
class ImagePool:
    """Images of one split on a device, sorted by class.

    ``x`` uint8 (N, 32, 32, 3); ``y`` int64 (N,); ``start``/``count`` int64 (10,): the images
    of class ``c`` are ``x[start[c]:start[c] + count[c]]`` (CPU tensors, used to draw indices).
    ``mean``/``std`` float32 (3,): per-channel normalisation in [0, 1] pixel units (from the
    training images), on the device.
    """

    x: torch.Tensor
    y: torch.Tensor
    start: torch.Tensor
    count: torch.Tensor
    mean: torch.Tensor
    std: torch.Tensor

    @property
    def device(self) -> torch.device:
        return self.x.device

    def __len__(self) -> int:
        return self.x.shape[0]


def channel_stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and std of uint8 images (N, 32, 32, 3), in [0, 1] units, float64."""
    flat = x.reshape(-1, 3)
    mean = flat.mean(0, dtype=np.float64) / 255.0
    var = (flat.astype(np.float64) ** 2).mean(0) / 255.0**2 - mean**2
    return mean, np.sqrt(var)


def make_pool(x: np.ndarray, y: np.ndarray, *, mean: np.ndarray, std: np.ndarray,
              device: torch.device | str = "cpu") -> ImagePool:
    """An :class:`ImagePool` of images ``x`` (N, 32, 32, 3) uint8 with labels ``y`` (N,)."""
    if x.ndim != 4 or tuple(x.shape[1:]) != IMAGE_SHAPE or x.dtype != np.uint8:
        raise ValueError(f"images must be uint8 of shape (N, 32, 32, 3), got {x.dtype} "
                         f"{tuple(x.shape)}")
    y = np.asarray(y, dtype=np.int64)
    if y.shape != (x.shape[0],) or y.min() < 0 or y.max() >= N_CLASSES:
        raise ValueError("labels must be (N,) integers in 0..9")
    count = np.bincount(y, minlength=N_CLASSES)
    if (count == 0).any():
        raise ValueError(f"every class needs at least one image; counts {count.tolist()}")
    order = np.argsort(y, kind="stable")
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    return ImagePool(
        x=torch.from_numpy(np.ascontiguousarray(x[order])).to(device),
        y=torch.from_numpy(y[order]).to(device),
        start=torch.from_numpy(start.astype(np.int64)),
        count=torch.from_numpy(count.astype(np.int64)),
        mean=torch.tensor(mean, dtype=torch.get_default_dtype(), device=device),
        std=torch.tensor(std, dtype=torch.get_default_dtype(), device=device))


def split_validation(x: np.ndarray, y: np.ndarray, per_class: int
                     ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Hold out the last ``per_class`` images of every class (in the given order) for validation.

    Returns ``((train_x, train_y), (val_x, val_y))``.
    """
    counts = np.bincount(y, minlength=N_CLASSES)
    if per_class < 1 or per_class >= counts.min():
        raise ConfigError(f"parameter 'val_per_class': {per_class} must be in "
                          f"1..{counts.min() - 1}")
    rank = np.empty_like(y)
    for c in range(N_CLASSES):
        sel = np.flatnonzero(y == c)
        rank[sel] = np.arange(sel.size)[::-1]  # 0 = last image of the class
    val = rank < per_class
    return (x[~val], y[~val]), (x[val], y[val])


# --- class tuples and the OOD split ------------------------------------------------------------

def tuple_codes(classes: torch.Tensor) -> torch.Tensor:
    """Integer code of ordered class tuples: (n, k) in 0..9 -> (n,) int64, sum c_i 10^(k-i)."""
    k = classes.shape[-1]
    if k > 18:
        raise ValueError(f"k={k} too large for int64 tuple codes (max 18)")
    powers = 10 ** torch.arange(k - 1, -1, -1, dtype=torch.int64, device=classes.device)
    return (classes.to(torch.int64) * powers).sum(-1)


def _hash_keys(salt: int) -> tuple[int, int, int, int]:
    rng = np.random.default_rng([0x5EED, salt])
    a1, b1, a2, b2 = (int(v) for v in rng.integers(1, HASH_PRIME - 1, size=4))
    return a1, b1, a2, b2


def tuple_hash(codes: torch.Tensor, k: int, salt: int = 0) -> torch.Tensor:
    """Keyed hash of tuple codes (n,) int64 -> (n,) float64 in [0, 1), deterministic.

    Two rounds of h -> (a h + b) mod (2^31 - 1) with an xor-shift between them, keyed by
    ``(salt, k)``; all products stay below 2^62, so int64 arithmetic is exact on every device.
    """
    a1, b1, a2, b2 = _hash_keys(salt * 100 + k)
    h = (codes.to(torch.int64) % HASH_PRIME * a1 + b1) % HASH_PRIME
    h = h ^ (h >> 15)
    h = (h * a2 + b2) % HASH_PRIME
    h = h ^ (h >> 13)
    return (h % HASH_PRIME).to(torch.float64) / HASH_PRIME


def held_out_mask(classes: torch.Tensor, fraction: float, salt: int = 0) -> torch.Tensor:
    """Whether each class tuple (n, k) is held out from training (the OOD tuples): (n,) bool."""
    if not 0.0 <= fraction < 1.0:
        raise ConfigError(f"parameter 'ood_fraction': {fraction!r} must be in [0, 1)")
    k = classes.shape[-1]
    if fraction == 0.0:
        return torch.zeros(classes.shape[0], dtype=torch.bool, device=classes.device)
    return tuple_hash(tuple_codes(classes), k, salt) < fraction


def sample_class_tuples(n: int, k: int, generator: torch.Generator, *, mode: str = "all",
                        fraction: float = 0.0, salt: int = 0) -> torch.Tensor:
    """``n`` ordered class tuples (n, k) int64 (CPU), uniform over the tuples allowed by ``mode``.

    ``mode`` (see :data:`SAMPLE_MODES`): ``all`` (every tuple), ``seen`` (held-out tuples
    rejected and redrawn), ``held_out`` (only held-out tuples). Rejection runs in vectorised
    rounds (each round draws all missing rows at once).
    """
    if mode not in SAMPLE_MODES:
        raise ConfigError(f"parameter 'mode': {mode!r} is not allowed; allowed values: "
                          f"{', '.join(map(repr, SAMPLE_MODES))}")
    if k < 1:
        raise ConfigError(f"parameter 'k': {k} must be >= 1")
    if mode == "all" or (mode == "seen" and fraction == 0.0):
        return torch.randint(0, N_CLASSES, (n, k), generator=generator)
    if mode == "held_out" and fraction == 0.0:
        raise ConfigError("parameter 'ood_fraction' must be > 0 to sample held-out tuples")
    if mode == "held_out" and k == 1:
        raise ConfigError("the combinatorial OOD split needs k >= 2 (parameter 'table_k')")
    want_held = mode == "held_out"
    accept = fraction if want_held else 1.0 - fraction
    parts, have = [], 0
    for _ in range(10_000):
        m = int(math.ceil((n - have) / max(accept, 1e-3) * 1.2)) + 64
        c = torch.randint(0, N_CLASSES, (m, k), generator=generator)
        keep = c[held_out_mask(c, fraction, salt) == want_held]
        parts.append(keep[: n - have])
        have += parts[-1].shape[0]
        if have == n:
            return torch.cat(parts)
    raise RuntimeError(f"could not draw {n} {mode} tuples (fraction={fraction}, k={k}); the "
                       "hash holds out no tuple of this k: increase 'ood_fraction'")


def sample_indices(pool: ImagePool, classes: torch.Tensor, generator: torch.Generator
                   ) -> torch.Tensor:
    """Image indices (n, k) into ``pool`` (CPU int64): a uniform image of each tuple's class."""
    u = torch.rand(classes.shape, generator=generator, dtype=torch.float64)
    cnt = pool.count[classes]
    within = torch.minimum((u * cnt).to(torch.int64), cnt - 1)
    return pool.start[classes] + within


@dataclass(frozen=True)
class CompositionalSet:
    """``n`` compositional samples: ``idx`` (n, k) indices into a pool, ``labels`` (n, k), both
    on the pool's device."""

    idx: torch.Tensor
    labels: torch.Tensor

    @property
    def k(self) -> int:
        return self.idx.shape[1]

    def __len__(self) -> int:
        return self.idx.shape[0]


def make_set(pool: ImagePool, n: int, k: int, seed: int, *, mode: str = "all",
             fraction: float = 0.0, salt: int = 0) -> CompositionalSet:
    """``n`` samples of ``k`` images drawn reproducibly from ``seed`` (see
    :func:`sample_class_tuples` for ``mode``)."""
    if n < 1:
        raise ConfigError(f"number of samples must be >= 1, got {n}")
    g = torch.Generator().manual_seed(int(seed))
    classes = sample_class_tuples(n, k, g, mode=mode, fraction=fraction, salt=salt)
    idx = sample_indices(pool, classes, g)
    return CompositionalSet(idx=idx.to(pool.device), labels=classes.to(pool.device))


# --- inputs ------------------------------------------------------------------------------------

def concat_images(pool: ImagePool, idx: torch.Tensor) -> torch.Tensor:
    """The composite images, uint8 (B, 32, 32k, 3): ``idx`` (B, k) side by side."""
    b, k = idx.shape
    imgs = pool.x[idx.to(pool.device)]  # (B, k, 32, 32, 3)
    return imgs.permute(0, 2, 1, 3, 4).reshape(b, 32, 32 * k, 3)


def assemble(pool: ImagePool, idx: torch.Tensor, *, noise_std: float = 0.0,
             generator: torch.Generator | None = None, dtype: torch.dtype | None = None
             ) -> torch.Tensor:
    """Network inputs (B, 3072 k): normalised composite images flattened in (h, w, c) order.

    ``noise_std`` > 0 adds i.i.d. Gaussian noise of that standard deviation to every normalised
    input coordinate (drawn from ``generator``, which must live on the pool's device).
    """
    dtype = dtype or torch.get_default_dtype()
    img = concat_images(pool, idx)
    scale = (1.0 / (255.0 * pool.std)).to(dtype)  # (x/255 - mean)/std in one fused pass
    shift = (pool.mean / pool.std).to(dtype)
    x = img.to(dtype).mul_(scale).sub_(shift).reshape(img.shape[0], -1)
    if noise_std > 0:
        x = x + noise_std * torch.randn(x.shape, generator=generator, device=x.device,
                                        dtype=dtype)
    return x


def unflatten_input(v: torch.Tensor, k: int) -> torch.Tensor:
    """Inverse of the flattening of :func:`assemble`: (..., 3072 k) -> (..., 32, 32k, 3)."""
    return v.reshape(*v.shape[:-1], 32, 32 * k, 3)


def position_energy(v: torch.Tensor, k: int) -> torch.Tensor:
    """Fraction of the squared norm of input-space vectors (..., 3072 k) falling on each of the
    ``k`` image positions: (..., k), summing to 1."""
    img = unflatten_input(v, k).reshape(*v.shape[:-1], 32, k, 32, 3)
    e = (img.to(torch.get_default_dtype()) ** 2).sum(dim=(-4, -2, -1))
    return e / e.sum(-1, keepdim=True).clamp_min(1e-30)


__all__ = ["N_CLASSES", "SAMPLE_MODES", "ImagePool", "CompositionalSet", "channel_stats",
           "make_pool", "split_validation", "tuple_codes", "tuple_hash", "held_out_mask",
           "sample_class_tuples", "sample_indices", "make_set", "concat_images", "assemble",
           "unflatten_input", "position_energy"]
