"""Similarity score of learned vs true module projections."""

import math

import numpy as np
import pytest
import torch
from scipy.linalg import subspace_angles

from modscale.training.alignment import (
    chance_similarity,
    pairwise_similarity,
    sign_canonical,
    similarity_score,
    tsne_directions,
)


def test_identical_projections_score_one_and_invariances():
    g = torch.Generator().manual_seed(0)
    t = torch.randn(3, 6, 2, generator=g, dtype=torch.float64)
    learned = torch.cat([t * -2.5, torch.randn(2, 6, 2, generator=g, dtype=torch.float64)])
    assert similarity_score(learned, t).item() == pytest.approx(1.0)


def test_b1_is_abs_cosine():
    g = torch.Generator().manual_seed(1)
    a, b = torch.randn(4, 7, 1, generator=g), torch.randn(3, 7, 1, generator=g)
    s = pairwise_similarity(a, b)
    cos = (b[:, None, :, 0] * a[None, :, :, 0]).sum(-1) / (
        b[:, None, :, 0].norm(dim=-1) * a[None, :, :, 0].norm(dim=-1))
    assert torch.allclose(s, cos.abs(), atol=1e-6)


def test_b2_matches_principal_angles():
    g = torch.Generator().manual_seed(2)
    a, b = torch.randn(8, 2, generator=g, dtype=torch.float64), \
        torch.randn(8, 2, generator=g, dtype=torch.float64)
    ang = subspace_angles(a.numpy(), b.numpy())
    ref = math.sqrt(np.mean(np.cos(ang) ** 2))
    assert pairwise_similarity(a[None], b[None]).item() == pytest.approx(ref, rel=1e-10)


@pytest.mark.parametrize("m", [2, 3, 7])
def test_chance_level_matches_closed_form(m):
    # One learned and one target direction: E|cos| = Gamma(m/2) / (sqrt(pi) Gamma((m+1)/2)).
    exact = math.gamma(m / 2) / (math.sqrt(math.pi) * math.gamma((m + 1) / 2))
    mc = chance_similarity(m, 1, 1, n_trials=40_000, seed=3)
    assert mc == pytest.approx(exact, abs=4 * 0.5 / math.sqrt(40_000))


def test_sign_canonical_and_tsne_shapes():
    g = np.random.default_rng(4)
    u = g.normal(size=(6, 5))
    c = sign_canonical(u)
    assert np.allclose(sign_canonical(-u), c)
    assert np.allclose(np.linalg.norm(c, axis=1), 1)
    el, et = tsne_directions(u[:4], u[4:], seed=0)
    assert el.shape == (4, 2) and et.shape == (2, 2)


def test_shape_mismatch():
    with pytest.raises(ValueError, match="input dimension m"):
        similarity_score(torch.randn(2, 5, 1), torch.randn(2, 4, 1))


def test_subspaces_of_different_b_compare_the_smaller_one():
    q, _ = torch.linalg.qr(torch.randn(6, 6, dtype=torch.float64))
    target = q[:, :1].reshape(1, 6, 1)  # one direction
    inside = q[:, :2].reshape(1, 1, 6, 2)  # a plane containing it
    outside = q[:, 2:4].reshape(1, 1, 6, 2)  # a plane orthogonal to it
    assert float(similarity_score(inside, target)) == pytest.approx(1.0)
    assert float(similarity_score(outside, target)) == pytest.approx(0.0, abs=1e-12)
