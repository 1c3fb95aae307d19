"""Compositional CIFAR-10 construction: concatenation, sampling, the OOD split, noise."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from modscale.infra.profiles import ConfigError
from modscale.tasks.compositional import (
    HASH_PRIME,
    _hash_keys,
    assemble,
    channel_stats,
    concat_images,
    held_out_mask,
    make_pool,
    make_set,
    position_energy,
    sample_class_tuples,
    split_validation,
    tuple_codes,
    tuple_hash,
    unflatten_input,
)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    y = rng.permutation(np.repeat(np.arange(10), 7))  # 7 images per class, shuffled
    x = rng.integers(0, 256, (70, 32, 32, 3), dtype=np.uint8)
    mean, std = channel_stats(x)
    return x, y, make_pool(x, y, mean=mean, std=std)


def test_pool_sorted_by_class(data):
    x, y, pool = data
    assert pool.count.tolist() == [7] * 10 and pool.start.tolist() == list(range(0, 70, 7))
    assert pool.y.tolist() == sorted(y.tolist())
    for c in range(10):  # the same images, class by class, in their original order
        np.testing.assert_array_equal(pool.x[pool.y == c].numpy(), x[y == c])


def test_concat_and_assemble_match_a_plain_loop(data):
    x, y, pool = data
    s = make_set(pool, 9, 3, seed=5)
    imgs = concat_images(pool, s.idx).numpy()
    xs = pool.x.numpy()
    mean, std = pool.mean.numpy(), pool.std.numpy()
    inputs = assemble(pool, s.idx).numpy()
    for i in range(9):  # reference: one sample at a time with numpy
        ref = np.concatenate([xs[j] for j in s.idx[i].tolist()], axis=1)
        np.testing.assert_array_equal(imgs[i], ref)
        norm = (ref / 255.0 - mean) / std
        np.testing.assert_allclose(inputs[i], norm.reshape(-1), atol=1e-5)
        assert s.labels[i].tolist() == [int(pool.y[j]) for j in s.idx[i]]
    np.testing.assert_array_equal(unflatten_input(torch.from_numpy(inputs), 3).numpy()[0],
                                  inputs[0].reshape(32, 96, 3))


def test_sampling_reproducible_and_uniform(data):
    _, _, pool = data
    a, b = make_set(pool, 5000, 2, seed=1), make_set(pool, 5000, 2, seed=1)
    assert torch.equal(a.idx, b.idx)
    assert not torch.equal(a.idx, make_set(pool, 5000, 2, seed=2).idx)
    freq = torch.bincount(a.labels.flatten(), minlength=10).float() / a.labels.numel()
    assert float((freq - 0.1).abs().max()) < 0.02
    img_freq = torch.bincount(a.idx.flatten(), minlength=70).float() / a.idx.numel()
    assert float((img_freq - 1 / 70).abs().max()) < 0.006  # every image reachable, uniform


def _ref_hash(code: int, k: int, salt: int) -> float:
    a1, b1, a2, b2 = _hash_keys(salt * 100 + k)
    h = (code % HASH_PRIME * a1 + b1) % HASH_PRIME
    h ^= h >> 15
    h = (h * a2 + b2) % HASH_PRIME
    h ^= h >> 13
    return (h % HASH_PRIME) / HASH_PRIME


def test_tuple_codes_and_hash_against_python_ints():
    c = torch.tensor([[3, 0, 7], [9, 9, 9], [0, 0, 1]])
    assert tuple_codes(c).tolist() == [307, 999, 1]
    h = tuple_hash(tuple_codes(c), 3, salt=4)
    assert h.tolist() == pytest.approx([_ref_hash(v, 3, 4) for v in (307, 999, 1)], abs=0)


def test_held_out_fraction_and_marginals():
    allk = torch.cartesian_prod(*[torch.arange(10)] * 4)
    held = held_out_mask(allk, 0.1)
    assert abs(float(held.float().mean()) - 0.1) < 0.01
    for pos in range(4):  # classes stay (nearly) balanced at every position among held-out
        f = torch.bincount(allk[held, pos], minlength=10).float() / held.sum()
        assert float((f - 0.1).abs().max()) < 0.03


def test_no_held_out_tuple_in_training_and_ood_only_held_out(data):
    _, _, pool = data
    train = make_set(pool, 20000, 3, seed=0, mode="seen", fraction=0.2)
    ood = make_set(pool, 3000, 3, seed=1, mode="held_out", fraction=0.2)
    assert not bool(held_out_mask(train.labels, 0.2).any())
    assert bool(held_out_mask(ood.labels, 0.2).all())
    train_codes = set(tuple_codes(train.labels).tolist())
    assert train_codes.isdisjoint(tuple_codes(ood.labels).tolist())
    n_allowed = int((~held_out_mask(torch.cartesian_prod(*[torch.arange(10)] * 3), 0.2)).sum())
    assert len(train_codes) == n_allowed  # 20000 draws cover all ~800 allowed tuples


def test_noise_level_and_bad_inputs(data):
    _, _, pool = data
    s = make_set(pool, 64, 2, seed=0)
    clean = assemble(pool, s.idx)
    noisy = assemble(pool, s.idx, noise_std=0.5, generator=torch.Generator().manual_seed(0))
    assert abs(float((noisy - clean).std()) - 0.5) < 0.01
    with pytest.raises(ConfigError, match="'mode'"):
        sample_class_tuples(3, 2, torch.Generator(), mode="bogus")
    with pytest.raises(ConfigError, match="'ood_fraction'"):
        held_out_mask(s.labels, 1.5)
    with pytest.raises(ConfigError, match="k >= 2"):
        sample_class_tuples(3, 1, torch.Generator(), mode="held_out", fraction=0.1)


def test_split_validation_and_position_energy(data):
    x, y, _ = data
    (tx, ty), (vx, vy) = split_validation(x, y, 2)
    assert np.bincount(vy).tolist() == [2] * 10 and np.bincount(ty).tolist() == [5] * 10
    assert len({a.tobytes() for a in tx} & {a.tobytes() for a in vx}) == 0
    with pytest.raises(ConfigError, match="val_per_class"):
        split_validation(x, y, 7)
    v = torch.zeros(2, 32 * 32 * 3 * 3)
    img = unflatten_input(v, 3)
    img[0, :, 32:64] = 1.0  # all energy on image 2
    img[1] = 1.0
    e = position_energy(v, 3)
    assert torch.allclose(e[0], torch.tensor([0.0, 1.0, 0.0]))
    assert torch.allclose(e[1], torch.full((3,), 1 / 3))
