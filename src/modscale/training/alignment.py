"""Alignment of learned module projections with the task's true module projections (Fig. 4).

The paper's similarity score is not recovered (SPEC §5.2); we use the reading SPEC marks as most
plausible and extend it to b > 1 with principal angles:

    sim(U, U_hat) = (1/k) * sum_i max_j s(U_i, U_hat_j),   s(A, B) = ||Q_A^T Q_B||_F / sqrt(b),

where ``Q_A`` is an orthonormal basis of the column space of ``A`` (m x b). ``s`` is the root
mean square of the cosines of the principal angles between the two subspaces: 1 for the same
subspace, 0 for orthogonal ones, and ``|cos|`` of the angle between two vectors when b = 1. It is
invariant to the sign and scale of the columns.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from modscale.training.trainer import sample_batch_indices


def _orthonormal(u: torch.Tensor) -> torch.Tensor:
    q, _ = torch.linalg.qr(u)
    return q


def pairwise_similarity(learned: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """s(U_i, U_hat_j) for all pairs.

    ``learned`` (..., K, m, b), ``target`` (k, m, b') or (..., k, m, b') -> (..., k, K). Where
    b != b' the sum of squared cosines is divided by min(b, b') (1: the smaller subspace lies in
    the larger one).
    """
    if learned.shape[-2] != target.shape[-2]:
        raise ValueError(f"learned projections {tuple(learned.shape)} and targets "
                         f"{tuple(target.shape)} must agree in the input dimension m")
    ql = _orthonormal(learned.double())
    qt = _orthonormal(target.double())
    b = min(learned.shape[-1], target.shape[-1])  # subspaces of different b: the smaller one
    # (..., k, 1, m, b)^T @ (..., 1, K, m, b) -> (..., k, K, b, b)
    prod = qt.unsqueeze(-3).transpose(-1, -2) @ ql.unsqueeze(-4)
    return (prod.pow(2).sum((-1, -2)) / b).sqrt().to(learned.dtype)


def similarity_score(learned: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean over true modules of the best similarity over learned modules: -> (...)."""
    return pairwise_similarity(learned, target).max(dim=-1).values.mean(dim=-1)


def chance_similarity(m: int, n_learned: int, n_target: int, b: int = 1, *,
                      n_trials: int = 2000, seed: int = 0) -> float:
    """Monte Carlo similarity score of uniformly random (Gaussian) projections: the chance level."""
    g = torch.Generator().manual_seed(seed)
    learned = torch.randn(n_trials, n_learned, m, b, generator=g, dtype=torch.float64)
    target = torch.randn(n_trials, n_target, m, b, generator=g, dtype=torch.float64)
    return float(similarity_score(learned, target).mean())


def sign_canonical(u: np.ndarray | torch.Tensor) -> np.ndarray:
    """Unit directions (n, m) with the sign fixed so the largest-``|.|`` coordinate is positive.

    A module's direction u and -u define the same module (y depends on u^T x through a module
    function that absorbs the sign), so directions are canonicalised before embedding.
    """
    u = np.asarray(u.detach().cpu() if isinstance(u, torch.Tensor) else u, dtype=np.float64)
    u = u / np.maximum(np.linalg.norm(u, axis=-1, keepdims=True), 1e-12)
    idx = np.abs(u).argmax(axis=-1)
    sign = np.sign(u[np.arange(len(u)), idx])
    return u * np.where(sign == 0, 1.0, sign)[:, None]


def tsne_directions(learned: np.ndarray | torch.Tensor, target: np.ndarray | torch.Tensor, *,
                    seed: int = 0, perplexity: float = 5.0) -> tuple[np.ndarray, np.ndarray]:
    """2-d t-SNE of sign-canonicalised learned (K, m) and target (k, m) directions (b = 1).

    Exact t-SNE (a few dozen points; Barnes-Hut would only add overhead). Returns
    ``(emb_learned (K, 2), emb_target (k, 2))`` from one joint embedding.
    """
    from sklearn.manifold import TSNE

    a, t = sign_canonical(learned), sign_canonical(target)
    pts = np.concatenate([a, t])
    perp = min(perplexity, (len(pts) - 1) / 3)
    emb = TSNE(n_components=2, perplexity=perp, random_state=seed, init="pca",
               learning_rate="auto", method="exact").fit_transform(pts)
    return emb[: len(a)], emb[len(a):]


class SimilarityRecorder:
    """Mini-batch row indices for :func:`modscale.training.trainer.train_batched` (the
    trainer's own sampling rule, :func:`~modscale.training.trainer.sample_batch_indices`) that
    also record the similarity of ``net``'s projections with ``targets`` every ``every``
    iterations, before that iteration's update (``every = 0``: never). ``steps`` and ``sims``
    (one (M,) tensor per record) hold the records; call :meth:`record` after training for the
    final state."""

    def __init__(self, net: Any, targets: torch.Tensor, n_train: torch.Tensor,
                 batch_size: int, iters: int, every: int, generator: torch.Generator) -> None:
        self.net, self.targets, self.n_train = net, targets, n_train
        self.batch_size, self.iters, self.every, self.gen = batch_size, iters, every, generator
        self.steps: list[int] = []
        self.sims: list[torch.Tensor] = []

    def record(self, step: int) -> None:
        self.steps.append(step)
        self.sims.append(similarity_score(self.net.directions().detach().cpu(), self.targets))

    def __iter__(self):
        for it in range(self.iters):
            if self.every and it % self.every == 0:
                self.record(it)
            yield sample_batch_indices(self.n_train, self.batch_size, self.gen)


__all__ = ["SimilarityRecorder", "pairwise_similarity", "similarity_score", "chance_similarity",
           "sign_canonical",
           "tsne_directions"]
